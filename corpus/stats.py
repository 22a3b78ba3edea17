"""What an annotated corpus contains, and how far two annotations of the same documents agree.

Agreement is measured on paragraphs aligned by document id and paragraph
text (compared with `match_key` and collapsed whitespace, so old-style tone
marks or spacing do not break alignment). Per label: Cohen's kappa and F1
over the aligned paragraphs; mentions: F1 of exact spans, with and without
category and role. Paragraphs found in only one file are counted, not scored:
they are segmentation disagreements.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vntasks.corpus.validate import resolve_span
from vntasks.pipeline.document import Dispatch, Paragraph
from vntasks.pipeline.labels import load_labels
from vntasks.pipeline.normalise import match_key


def corpus_counts(docs: Sequence[Dispatch]) -> dict[str, Any]:
    """Documents, paragraphs, mentions and how often each label is used."""
    paragraphs = [p for d in docs for p in d.paragraphs]
    mentions = [m for p in paragraphs for m in p.mentions]
    return {
        "documents": len(docs),
        "documents_without_paragraphs": sum(not d.paragraphs for d in docs),
        "paragraphs": len(paragraphs),
        "paragraphs_without_actions": sum(not p.actions for p in paragraphs),
        "paragraphs_without_mentions": sum(not p.mentions for p in paragraphs),
        "mentions": len(mentions),
        "actions": Counter(a for p in paragraphs for a in p.actions),
        "agencies": Counter(a for p in paragraphs for a in p.agencies),
        "mention_categories": Counter(m.category for m in mentions),
        "roles": Counter(m.role for m in mentions),
    }


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two binary ratings; NaN when chance agreement is 1 (both raters constant and equal)."""
    n = len(a)
    if n == 0:
        return math.nan
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return math.nan if expected == 1 else (observed - expected) / (1 - expected)


def f1(a: Sequence[int], b: Sequence[int]) -> float:
    """F1 of one rater against the other (symmetric); NaN when neither uses the label."""
    both = sum(x and y for x, y in zip(a, b))
    either = sum(a) + sum(b)
    return math.nan if either == 0 else 2 * both / either


@dataclass
class Agreement:
    aligned: int = 0
    only_a: list[str] = field(default_factory=list)  # "doc-id: text start..."
    only_b: list[str] = field(default_factory=list)
    labels: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # kind -> label -> kappa, f1, a, b
    mentions: dict[str, float] = field(default_factory=dict)  # span / span+category / span+category+role -> F1

    def macro(self, kind: str, metric: str) -> float:
        values = [v[metric] for v in self.labels[kind].values() if not math.isnan(v[metric])]
        return sum(values) / len(values) if values else math.nan


def _align_key(text: str) -> str:
    return re.sub(r"\s+", " ", match_key(text)).strip()


def align(docs_a: Sequence[Dispatch],
          docs_b: Sequence[Dispatch]) -> tuple[list[tuple[Paragraph, Paragraph]], list[str], list[str]]:
    """Pairs of paragraphs with the same document id and text; the unpaired ones of each side."""

    def index(docs: Sequence[Dispatch]) -> dict[tuple[str, str, int], Paragraph]:
        out, seen = {}, Counter()
        for doc in docs:
            for para in doc.paragraphs:
                key = (doc.id, _align_key(para.text))
                out[(*key, seen[key])] = para  # a text repeated in one document pairs in order
                seen[key] += 1
        return out

    side_a, side_b = index(docs_a), index(docs_b)
    pairs = [(side_a[k], side_b[k]) for k in side_a if k in side_b]
    describe = lambda k: f"{k[0]}: {k[1][:60]}"  # noqa: E731
    return pairs, [describe(k) for k in side_a if k not in side_b], [describe(k) for k in side_b if k not in side_a]


def agreement(docs_a: Sequence[Dispatch], docs_b: Sequence[Dispatch]) -> Agreement:
    labels = load_labels()
    pairs, only_a, only_b = align(docs_a, docs_b)
    result = Agreement(aligned=len(pairs), only_a=only_a, only_b=only_b)
    for kind, names in (("actions", labels.actions), ("agencies", labels.agencies)):
        result.labels[kind] = {}
        for label in names:
            a = [int(label in getattr(pa, kind)) for pa, _ in pairs]
            b = [int(label in getattr(pb, kind)) for _, pb in pairs]
            result.labels[kind][label] = {"kappa": cohen_kappa(a, b), "f1": f1(a, b), "a": sum(a), "b": sum(b)}
    for name, fields in (("span", 0), ("span+category", 1), ("span+category+role", 2)):
        matched = total = 0
        for pa, pb in pairs:
            ma, mb = _mention_keys(pa, fields), _mention_keys(pb, fields)
            matched += sum((ma & mb).values())
            total += sum(ma.values()) + sum(mb.values())
        result.mentions[name] = 2 * matched / total if total else math.nan
    return result


def _mention_keys(para: Paragraph, fields: int) -> Counter:
    keys = Counter()
    for mention in para.mentions:
        span = resolve_span(para.text, mention.to_json())
        keys[(span, mention.category, mention.role)[: fields + 1]] += 1
    return keys


def format_counts(counts_by_file: dict[str, dict[str, Any]]) -> str:
    """A table with one column per file (name the total "all" to add one)."""
    labels = load_labels()
    columns = list(counts_by_file.values())
    lines = [f"[{i}] {name}" for i, name in enumerate(counts_by_file, start=1)]

    def row(title: str, values: list[Any]) -> None:
        lines.append(f"{title:<30}" + "".join(f"{v:>8}" for v in values))

    row("", [f"[{i}]" for i in range(1, len(columns) + 1)])
    for key in ("documents", "documents_without_paragraphs", "paragraphs", "paragraphs_without_actions",
                "paragraphs_without_mentions", "mentions"):
        row(key.replace("_", " "), [c[key] for c in columns])
    for kind, order in (("actions", labels.actions), ("agencies", labels.agencies),
                        ("mention_categories", labels.agencies), ("roles", labels.roles)):
        lines.append(kind.replace("_", " ") + ":")
        unknown = sorted(set().union(*(c[kind] for c in columns)) - set(order))
        for label in (*order, *unknown):
            row(f"  {label}" + (" (unknown)" if label in unknown else ""), [c[kind].get(label, 0) for c in columns])
    return "\n".join(lines)


def format_agreement(result: Agreement) -> str:
    fmt = lambda x: "  n/a" if math.isnan(x) else f"{round(x, 6) + 0.0:5.2f}"  # noqa: E731 (no "-0.00")
    lines = [f"aligned paragraphs: {result.aligned}; only in A: {len(result.only_a)}; only in B: {len(result.only_b)}"]
    for side, items in (("A", result.only_a), ("B", result.only_b)):
        lines += [f"  only in {side}: {item}" for item in items[:10]]
        if len(items) > 10:
            lines.append(f"  ... and {len(items) - 10} more only in {side}")
    for kind, per_label in result.labels.items():
        lines.append(f"{kind:<22}{'kappa':>7}{'F1':>7}{'A':>6}{'B':>6}")
        for label, v in per_label.items():
            lines.append(f"  {label:<20}{fmt(v['kappa']):>7}{fmt(v['f1']):>7}{v['a']:>6}{v['b']:>6}")
        lines.append(f"  {'macro':<20}{fmt(result.macro(kind, 'kappa')):>7}{fmt(result.macro(kind, 'f1')):>7}")
    lines.append("mentions F1: " + ", ".join(f"{k} {fmt(v).strip()}" for k, v in result.mentions.items()))
    return "\n".join(lines)
