"""A self-contained HTML evaluation report.

Tables of every figure with its interval, per-label bar charts and confusion
heat maps (matplotlib, inlined as SVG), the breakdowns, and the worst
paragraphs with gold and predicted side by side, mentions highlighted with
displaCy's span renderer. No external scripts, styles, fonts or images.
"""
from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

from vntasks.evaluation.metrics import UnitResult, mention_span
from vntasks.evaluation.score import Evaluation
from vntasks.pipeline.document import HEADER_FIELDS, Paragraph
from vntasks.pipeline.labels import load_labels

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2em; }
.scope { background: #fff3cd; border: 1px solid #e0c060; padding: 0.6em 1em; border-radius: 4px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; white-space: nowrap; }
td.low { background: #fbe3e3; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; border-top: 2px solid #888;
        padding: 0.5em 0; }
.pair h4 { margin: 0.2em 0; }
.labels span { display: inline-block; margin: 0 0.3em 0.2em 0; padding: 0 0.4em; border-radius: 3px;
               background: #e8f0e8; }
.labels span.missed { background: #f6c6c6; } .labels span.extra { background: #ffd89a; }
.muted { color: #777; }
.wide { overflow-x: auto; }
figure { margin: 0.5em 0 1.5em; } figure svg { max-width: 100%; height: auto; }
"""

CATEGORY_COLOURS = [
    "#7aa6c2", "#e6a157", "#8cc084", "#d7797a", "#b39ddb", "#a1887f", "#f48fb1", "#bdbdbd", "#c5cc5e",
    "#6cc3c1", "#90a4ae", "#ffb74d", "#9fa8da", "#aed581", "#ef9a9a", "#80cbc4", "#ce93d8",
]


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prologue and doctype


def label_bar_chart(report: dict[str, Any], task: str, names: tuple[str, ...], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figures = report["figures"]
    present = [n for n in names if f"{task}.label.{n}.f1" in figures]
    if not present:
        return ""
    x = np.arange(len(present))
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(present) + 2), 3.4))
    for offset, metric in zip((-0.27, 0, 0.27), ("precision", "recall", "f1")):
        ax.bar(x + offset, [figures[f"{task}.label.{n}.{metric}"] for n in present], 0.27, label=metric)
    support = report["support"][task]
    ax.set_xticks(x, [f"{n}\n(n={support[n]['gold']})" for n in present], rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=3, loc="lower right")
    return f"<figure>{_svg(fig)}</figure>"


def heatmap(confusion: dict[str, Any], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    matrix = np.array(confusion["matrix"], dtype=float)
    keep_rows = matrix.sum(axis=1) > 0
    keep_cols = matrix.sum(axis=0) > 0
    if not keep_rows.any():
        return ""
    matrix = matrix[keep_rows][:, keep_cols]
    rows = [n for n, k in zip(confusion["gold"], keep_rows) if k]
    cols = [n for n, k in zip(confusion["predicted"], keep_cols) if k]
    share = matrix / matrix.sum(axis=1, keepdims=True)
    fig, ax = plt.subplots(figsize=(0.55 * len(cols) + 3, 0.4 * len(rows) + 1.8))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if matrix[i, j]:
                ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if share[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title + " (counts; shade = share of the gold row)", fontsize=9)
    return f"<figure>{_svg(fig)}</figure>"


def _table(head: list[str], rows: list[list[str]], low: set[tuple[int, int]] = frozenset()) -> str:
    out = ["<table><thead><tr>", *(f"<th>{html.escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for r, row in enumerate(rows):
        cells = "".join(
            ("<td class='low'>" if (r, c) in low else "<td>") + f"{cell}</td>" for c, cell in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def headline_table(report: dict[str, Any]) -> str:
    figures, ci = report["figures"], report["ci95"]
    rows = [[html.escape(k), _fmt(figures.get(k)), _ci(ci.get(k))] for k in report["headline"]]
    return _table(["figure", "value", "95% interval (bootstrap over documents)"], rows)


def label_table(report: dict[str, Any], task: str, names: tuple[str, ...]) -> str:
    figures, ci = report["figures"], report["ci95"]
    support = report["support"][task]
    rows, low = [], set()
    for r, name in enumerate(names):
        key = f"{task}.label.{name}"
        f1 = figures.get(f"{key}.f1")
        if f1 is not None and f1 < 0.5:
            low.add((r, 3))
        rows.append([
            html.escape(name), _fmt(figures.get(f"{key}.precision")), _fmt(figures.get(f"{key}.recall")),
            _fmt(f1), _ci(ci.get(f"{key}.f1")), str(support[name]["gold"]), str(support[name]["predicted"]),
        ])
    for kind in ("micro", "macro"):
        rows.append([f"<b>{kind}</b>", _fmt(figures.get(f"{task}.{kind}.precision")),
                     _fmt(figures.get(f"{task}.{kind}.recall")), _fmt(figures.get(f"{task}.{kind}.f1")),
                     _ci(ci.get(f"{task}.{kind}.f1")), "", ""])
    rows.append(["<b>subset accuracy</b>", "", "", _fmt(figures.get(f"{task}.subset_accuracy")),
                 _ci(ci.get(f"{task}.subset_accuracy")), "", ""])
    return _table(["label", "precision", "recall", "F1", "F1 95% interval", "gold", "predicted"], rows, low)


def mention_table(report: dict[str, Any]) -> str:
    figures, ci = report["figures"], report["ci95"]
    rows = []
    for variant, meaning in report["mention_matching"].items():
        key = f"mentions.{variant}"
        rows.append([f"{variant} <span class='muted'>({html.escape(meaning)})</span>",
                     _fmt(figures.get(f"{key}.precision")), _fmt(figures.get(f"{key}.recall")),
                     _fmt(figures.get(f"{key}.f1")), _ci(ci.get(f"{key}.f1"))])
    return _table(["matching", "precision", "recall", "F1", "F1 95% interval"], rows)


def header_table(report: dict[str, Any]) -> str:
    figures = report["figures"]
    rows = [[name, _fmt(figures.get(f"header.field.{name}.accuracy")), str(report["header_support"][name])]
            for name in HEADER_FIELDS if report["header_support"][name]]
    rows.append(["<b>all fields</b>", _fmt(figures.get("header.accuracy")), str(sum(report["header_support"].values()))])
    return _table(["field", "accuracy", "gold documents with the field"], rows)


def groups_section(report: dict[str, Any]) -> str:
    parts = []
    for grouping, groups in report["groups"].items():
        keys = [k for k in report["headline"] if any(k in g["figures"] for g in groups.values())]
        rows = [[html.escape(name), str(g["documents"]), *(_fmt(g["figures"].get(k)) for k in keys)]
                for name, g in groups.items()]
        parts.append(f"<h3>By {html.escape(grouping)}</h3><div class='wide'>"
                     + _table([grouping, "documents", *keys], rows) + "</div>")
    return "".join(parts)


def cv_section(report: dict[str, Any]) -> str:
    cv = report.get("cv")
    if not cv:
        return ""
    keys = list(report["headline"])
    rows = [[str(f["fold"]), str(f["train_documents"]), str(f["test_documents"]),
             *(_fmt(f["figures"].get(k)) for k in keys)] for f in cv["folds"]]
    intro = (f"<p>{cv['folds_count']}-fold cross-validation grouped by document, backend "
             f"<code>{html.escape(str(cv['backend']))}</code>, seed {cv['seed']}. The figures above score all "
             "held-out predictions together; each fold's own figures follow.</p>")
    table = _table(["fold", "train docs", "test docs", *keys], rows)
    return f"<h2>Cross-validation folds</h2>{intro}<div class='wide'>{table}</div>"


# ------------------------------------------------------------- paragraphs


def _token_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def render_mentions(para: Paragraph) -> str:
    """The paragraph with its mentions underlined and labelled `category/role` (displaCy spans)."""
    from spacy import displacy

    tokens = _token_spans(para.text)
    spans, colours = [], {}
    labels = load_labels()
    for mention in para.mentions:
        span = mention_span(mention, para.text)
        if span is None:
            continue
        inside = [i for i, (s, e) in enumerate(tokens) if s < span[1] and e > span[0]]
        if not inside:
            continue
        label = html.escape(f"{mention.category}/{mention.role}")
        cat_index = labels.agencies.index(mention.category) if mention.category in labels.agencies else 0
        colours[label] = CATEGORY_COLOURS[cat_index % len(CATEGORY_COLOURS)]
        spans.append({"start_token": inside[0], "end_token": inside[-1] + 1, "label": label})
    doc = {"text": para.text, "tokens": [para.text[s:e] for s, e in tokens], "spans": spans}
    return displacy.render(doc, style="span", manual=True, page=False, options={"colors": colours})


def _label_chips(mine: list[str], other: list[str] | None, mark: str) -> str:
    if not mine:
        return "<span class='muted'>none</span>"
    chips = []
    for label in mine:
        cls = f" class='{mark}'" if other is not None and label not in other else ""
        chips.append(f"<span{cls}>{html.escape(label)}</span>")
    return "".join(chips)


def _side(para: Paragraph | None, other: Paragraph | None, title: str, mark: str) -> str:
    if para is None:
        return f"<div><h4>{title}</h4><p class='muted'>no paragraph</p></div>"
    other_actions = other.actions if other is not None else None
    other_agencies = other.agencies if other is not None else None
    return (
        f"<div><h4>{title} — item {html.escape(para.number or '•')}</h4>"
        f"<div class='labels'>actions: {_label_chips(para.actions, other_actions, mark)}</div>"
        f"<div class='labels'>agencies: {_label_chips(para.agencies, other_agencies, mark)}</div>"
        f"{render_mentions(para)}</div>"
    )


def unit_view(evaluation: Evaluation, unit: UnitResult) -> str:
    pair = evaluation.pairs[unit.doc]
    gold = pair.gold.paragraphs[unit.pair.gold] if unit.pair.gold is not None else None
    pred = pair.pred.paragraphs[unit.pair.pred] if unit.pair.pred is not None and pair.pred else None
    errors = ", ".join(f"{k} {v}" for k, v in unit.errors.items() if v)
    caption = (f"<p><b>{html.escape(pair.gold.id)}</b> ({html.escape(pair.gold.source)}) — {unit.pair.kind}"
               + (f", similarity {unit.pair.ratio:.2f}" if unit.pair.kind == "fuzzy" else "")
               + f" — errors: {html.escape(errors or 'none')}</p>")
    return (caption + "<div class='pair'>" + _side(gold, pred, "gold", "missed")
            + _side(pred, gold, "predicted", "extra") + "</div>")


def paragraphs_section(evaluation: Evaluation, limit: int) -> str:
    aligned = [u for u in evaluation.units if u.pair.kind in ("exact", "fuzzy") and u.total_errors]
    aligned.sort(key=lambda u: (-u.total_errors, u.doc, u.pair.gold or 0))
    segmentation = [u for u in evaluation.units if u.pair.kind in ("missed", "spurious")]
    failed = [p for p in evaluation.pairs if p.status != "ok"]
    parts = [f"<h2>Worst aligned paragraphs ({min(limit, len(aligned))} of {len(aligned)} with errors)</h2>",
             "<p>Labels in red are missed (gold only), in orange extra (predicted only); mentions are "
             "underlined with <code>category/role</code>.</p>"]
    parts += [unit_view(evaluation, u) for u in aligned[:limit]]
    parts.append(f"<h2>Segmentation errors ({min(limit, len(segmentation))} of {len(segmentation)})</h2>")
    parts.append("<p>Missed gold paragraphs and spurious predicted ones (documents with no prediction are listed "
                 "separately below).</p>")
    shown = [u for u in segmentation if evaluation.pairs[u.doc].status == "ok"][:limit]
    parts += [unit_view(evaluation, u) for u in shown]
    if failed:
        rows = [[html.escape(p.gold.source or p.gold.id), p.status,
                 html.escape((p.error or {}).get("message", "no prediction for this document"))] for p in failed]
        parts.append("<h2>Documents without a prediction</h2>" + _table(["document", "status", "reason"], rows))
    return "".join(parts)


def render_report(evaluation: Evaluation, *, title: str = "vntasks evaluation", limit: int = 25) -> str:
    report = evaluation.report
    labels = load_labels()
    docs, paras = report["documents"], report["paragraphs"]
    summary = (
        f"<p>{docs['gold']} gold documents, {docs['scored']} with a prediction, {len(docs['failed'])} failed, "
        f"{len(docs['missing'])} missing ({html.escape(docs['note'])}). {paras['gold']} gold paragraphs, "
        f"{paras['predicted']} predicted: {paras['aligned_exact']} aligned exactly, {paras['aligned_fuzzy']} "
        f"fuzzily, {paras['missed']} missed, {paras['spurious']} spurious.</p>"
        f"<p class='muted'>Alignment: {html.escape(report['alignment']['method'])}. Intervals: "
        f"{report['bootstrap']['replicates']} bootstrap replicates over documents, seed {report['bootstrap']['seed']}."
        "</p>"
    )
    inputs = report.get("inputs", {})
    input_rows = [[html.escape(k), html.escape(str(v))] for k, v in inputs.items()]
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='scope'><b>Scope:</b> {html.escape(report.get('scope', 'not stated'))}</p>",
        summary,
        _table(["input", "value"], input_rows) if input_rows else "",
        "<h2>Headline figures</h2>", headline_table(report),
        "<h2>Action types</h2>", label_table(report, "actions", labels.actions),
        label_bar_chart(report, "actions", labels.actions, "Action types per label"),
        heatmap(report["confusion"]["actions"], "Action types on aligned paragraphs"),
        "<h2>Core action types</h2>", label_table(report, "core_actions", labels.core_actions),
        "<h2>Responsible agencies (paragraph categories)</h2>", label_table(report, "agencies", labels.agencies),
        label_bar_chart(report, "agencies", labels.agencies, "Agency categories per label"),
        heatmap(report["confusion"]["agencies"], "Agency categories on aligned paragraphs"),
        "<h2>Agency mentions</h2>", mention_table(report),
        heatmap(report["confusion"]["mentions"]["categories"], "Categories of overlapping mentions"),
        heatmap(report["confusion"]["mentions"]["roles"], "Roles of overlapping mentions"),
        "<h2>Header fields</h2>", header_table(report),
        "<h2>Breakdowns</h2>" + groups_section(report) if report["groups"] else "",
        cv_section(report),
        paragraphs_section(evaluation, limit),
    ]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            + "".join(body) + "</body></html>")


def write_report(evaluation: Evaluation, path: str | Path, **kwargs) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(evaluation, **kwargs), encoding="utf-8")
