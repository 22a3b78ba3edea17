"""Counting errors per document, and turning summed counts into figures.

Scoring is done in two steps so that confidence intervals are cheap: every
gold document yields a vector of counts (true/false positives and negatives
per label, aligned paragraphs, header fields ...), and every figure is a
function of the *summed* counts. The point estimate sums all documents; a
bootstrap replicate sums a resample of them (see `bootstrap.py`).

Conventions (those of scikit-learn with `zero_division=0`):
- a *unit* is an aligned paragraph pair, a missed gold paragraph or a
  spurious predicted one; a missed paragraph counts all its labels and
  mentions as false negatives, a spurious one all of its own as false
  positives, and neither is ever an exact (subset) match;
- precision is 0 when nothing was predicted, recall 0 when there is nothing
  to find; a label absent from both gold and predictions has no figures and
  is left out of the macro average (macro = mean of per-label figures over
  labels with any gold or predicted occurrence);
- `aligned` figures score labels on aligned pairs only (labelling quality
  given the paragraphs that were found).
"""
from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from vntasks.evaluation.align import DocumentPair, OffsetMap, ParagraphPair, align_paragraphs, text_key
from vntasks.pipeline.document import HEADER_FIELDS, Mention, Paragraph
from vntasks.pipeline.labels import LabelSet
from vntasks.pipeline.normalise import match_key

MENTION_VARIANTS = {
    "exact": "same text (after whitespace and tone-mark normalisation) and category",
    "role": "same text, category and role",
    "partial": "character spans overlap (predicted span mapped onto the gold text) and same category",
}


def label_tasks(labels: LabelSet) -> dict[str, tuple[tuple[str, ...], Callable[[Paragraph], list[str]]]]:
    """Multi-label tasks scored per paragraph: name -> (label set, labels of a paragraph)."""
    return {
        "actions": (labels.actions, lambda p: p.actions),
        "core_actions": (labels.core_actions, lambda p: p.actions),
        "agencies": (labels.agencies, lambda p: p.agencies),
    }


@dataclass
class UnitResult:
    """One scored unit, kept for the report's error listing."""

    doc: int  # index of the DocumentPair
    pair: ParagraphPair
    errors: Counter = field(default_factory=Counter)  # actions, agencies, mentions

    @property
    def total_errors(self) -> int:
        return sum(self.errors.values())


@dataclass
class DocumentScore:
    counts: Counter
    units: list[UnitResult]


def mention_span(mention: Mention, text: str) -> tuple[int, int] | None:
    """The mention's character span in its paragraph: given offsets, else its first occurrence."""
    if mention.start is not None:
        end = mention.end if mention.end is not None else mention.start + len(mention.text)
        return mention.start, end
    at = text.find(mention.text)
    if at < 0:  # the same words with other tone-mark placement (match_key keeps lengths)
        at = match_key(text).find(match_key(mention.text))
    return (at, at + len(mention.text)) if at >= 0 else None


def overlap_matches(
    gold: Sequence[tuple[int, int] | None],
    pred: Sequence[tuple[int, int] | None],
    compatible: Callable[[int, int], bool],
) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs of overlapping spans, largest overlap first."""
    candidates = []
    for gi, gs in enumerate(gold):
        for pi, ps in enumerate(pred):
            if gs is None or ps is None or not compatible(gi, pi):
                continue
            overlap = min(gs[1], ps[1]) - max(gs[0], ps[0])
            if overlap > 0:
                candidates.append((-overlap, gi, pi))
    used_g: set[int] = set()
    used_p: set[int] = set()
    matches = []
    for _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            matches.append((gi, pi))
    return matches


def pred_spans_on_gold(gold: Paragraph, pred: Paragraph) -> list[tuple[int, int] | None]:
    """Predicted mention spans, in the gold paragraph's character offsets."""
    mapping = OffsetMap(pred.text, gold.text)
    spans = []
    for m in pred.mentions:
        span = mention_span(m, pred.text)
        spans.append(mapping.span(*span) if span is not None else None)
    return spans


def _multiset_tp(gold: list[tuple], pred: list[tuple]) -> int:
    return sum((Counter(gold) & Counter(pred)).values())


def count_mentions(gold: Paragraph | None, pred: Paragraph | None, counts: Counter) -> int:
    """Adds mention counts for one unit; returns its mention errors (role variant)."""
    gold_m = gold.mentions if gold is not None else []
    pred_m = pred.mentions if pred is not None else []
    if gold is None or pred is None:
        for variant in MENTION_VARIANTS:
            counts[f"mentions.{variant}.fn"] += len(gold_m)
            counts[f"mentions.{variant}.fp"] += len(pred_m)
        return len(gold_m) + len(pred_m)
    keys = {
        "exact": ([(text_key(m.text), m.category) for m in gold_m], [(text_key(m.text), m.category) for m in pred_m]),
        "role": (
            [(text_key(m.text), m.category, m.role) for m in gold_m],
            [(text_key(m.text), m.category, m.role) for m in pred_m],
        ),
    }
    tps = {variant: _multiset_tp(g, p) for variant, (g, p) in keys.items()}
    gold_spans = [mention_span(m, gold.text) for m in gold_m]
    tps["partial"] = len(
        overlap_matches(gold_spans, pred_spans_on_gold(gold, pred), lambda gi, pi: gold_m[gi].category == pred_m[pi].category)
    )
    for variant, tp in tps.items():
        counts[f"mentions.{variant}.tp"] += tp
        counts[f"mentions.{variant}.fp"] += len(pred_m) - tp
        counts[f"mentions.{variant}.fn"] += len(gold_m) - tp
    return len(gold_m) + len(pred_m) - 2 * tps["role"]


def header_value(value) -> object:
    if isinstance(value, list):
        return sorted(text_key(v) for v in value)
    return text_key(value) if isinstance(value, str) else value


def count_header(pair: DocumentPair, counts: Counter) -> None:
    """Fields present in the gold header: correct when equal after normalisation."""
    for name in HEADER_FIELDS:
        gold_value = getattr(pair.gold.header, name)
        if gold_value is None:
            continue
        counts[f"header.{name}.present"] += 1
        if pair.pred is not None and header_value(getattr(pair.pred.header, name)) == header_value(gold_value):
            counts[f"header.{name}.correct"] += 1


def score_document(index: int, pair: DocumentPair, labels: LabelSet, threshold: float) -> DocumentScore:
    """Counts and units for one gold document and its prediction (possibly none)."""
    counts: Counter = Counter()
    gold_paras = pair.gold.paragraphs
    pred_paras = pair.pred.paragraphs if pair.pred is not None else []
    units = align_paragraphs([p.text for p in gold_paras], [p.text for p in pred_paras], threshold)
    tasks = label_tasks(labels)
    results = []
    for unit in units:
        gold = gold_paras[unit.gold] if unit.gold is not None else None
        pred = pred_paras[unit.pred] if unit.pred is not None else None
        aligned = gold is not None and pred is not None
        result = UnitResult(index, unit)
        if aligned:
            counts["segmentation.tp"] += 1
            counts[f"segmentation.{unit.kind}"] += 1
            counts["segmentation.number_ok"] += text_key(gold.number) == text_key(pred.number)
        else:
            counts["segmentation.fn" if gold is not None else "segmentation.fp"] += 1
        for task, (names, get) in tasks.items():
            g = set(get(gold)) & set(names) if gold is not None else set()
            p = set(get(pred)) & set(names) if pred is not None else set()
            scopes = ("all", "aligned") if aligned else ("all",)
            for scope in scopes:
                counts[f"{task}.{scope}.units"] += 1
                counts[f"{task}.{scope}.exact"] += aligned and g == p
                for label in g & p:
                    counts[f"{task}.{scope}.{label}.tp"] += 1
                for label in p - g:
                    counts[f"{task}.{scope}.{label}.fp"] += 1
                for label in g - p:
                    counts[f"{task}.{scope}.{label}.fn"] += 1
            if task != "core_actions":
                result.errors[task] = len(g ^ p)
        result.errors["mentions"] = count_mentions(gold, pred, counts)
        results.append(result)
    count_header(pair, counts)
    return DocumentScore(counts, results)


# ---------------------------------------------------------------- figures


def _div(num, den, empty=0.0):
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), empty)


def prf(tp, fp, fn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1; NaN where there is nothing in gold or predictions."""
    tp, fp, fn = (np.asarray(x, dtype=float) for x in (tp, fp, fn))
    absent = (tp + fp + fn) == 0
    p = np.where(absent, np.nan, _div(tp, tp + fp))
    r = np.where(absent, np.nan, _div(tp, tp + fn))
    f = np.where(absent, np.nan, _div(2 * tp, 2 * tp + fp + fn))
    return p, r, f


def figures_from_totals(totals: Mapping[str, np.ndarray], labels: LabelSet) -> dict[str, np.ndarray]:
    """Every figure (higher is better), from summed counts (scalars or one value per replicate)."""
    zero = np.zeros_like(next(iter(totals.values()))) if totals else np.zeros(())

    def get(key: str) -> np.ndarray:
        return totals.get(key, zero)

    out: dict[str, np.ndarray] = {}
    p, r, f = prf(get("segmentation.tp"), get("segmentation.fp"), get("segmentation.fn"))
    out.update({"segmentation.precision": p, "segmentation.recall": r, "segmentation.f1": f})
    out["segmentation.number_accuracy"] = _div(get("segmentation.number_ok"), get("segmentation.tp"), np.nan)

    for task, (names, _) in label_tasks(labels).items():
        for scope in ("all", "aligned"):
            prefix = task if scope == "all" else f"{task}.aligned"
            tp = np.stack([get(f"{task}.{scope}.{n}.tp") for n in names])
            fp = np.stack([get(f"{task}.{scope}.{n}.fp") for n in names])
            fn = np.stack([get(f"{task}.{scope}.{n}.fn") for n in names])
            lp, lr, lf = prf(tp, fp, fn)
            mp, mr, mf = prf(tp.sum(0), fp.sum(0), fn.sum(0))
            out.update({f"{prefix}.micro.precision": mp, f"{prefix}.micro.recall": mr, f"{prefix}.micro.f1": mf})
            with warnings.catch_warnings():  # a replicate where no label occurs gives NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                out[f"{prefix}.macro.precision"] = np.nanmean(lp, axis=0)
                out[f"{prefix}.macro.recall"] = np.nanmean(lr, axis=0)
                out[f"{prefix}.macro.f1"] = np.nanmean(lf, axis=0)
            out[f"{prefix}.subset_accuracy"] = _div(get(f"{task}.{scope}.exact"), get(f"{task}.{scope}.units"), np.nan)
            if scope == "all":
                for i, name in enumerate(names):
                    out[f"{task}.label.{name}.precision"] = lp[i]
                    out[f"{task}.label.{name}.recall"] = lr[i]
                    out[f"{task}.label.{name}.f1"] = lf[i]

    for variant in MENTION_VARIANTS:
        p, r, f = prf(*(get(f"mentions.{variant}.{c}") for c in ("tp", "fp", "fn")))
        out.update({f"mentions.{variant}.precision": p, f"mentions.{variant}.recall": r, f"mentions.{variant}.f1": f})

    present = sum((get(f"header.{n}.present") for n in HEADER_FIELDS), zero)
    correct = sum((get(f"header.{n}.correct") for n in HEADER_FIELDS), zero)
    out["header.accuracy"] = _div(correct, present, np.nan)
    for name in HEADER_FIELDS:
        out[f"header.field.{name}.accuracy"] = _div(get(f"header.{name}.correct"), get(f"header.{name}.present"), np.nan)
    return out


def label_support(totals: Mapping[str, float], labels: LabelSet) -> dict[str, dict[str, dict[str, int]]]:
    """Per task and label: tp, fp, fn, tn, gold and predicted counts over all units."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for task, (names, _) in label_tasks(labels).items():
        units = int(totals.get(f"{task}.all.units", 0))
        table = {}
        for name in names:
            tp, fp, fn = (int(totals.get(f"{task}.all.{name}.{c}", 0)) for c in ("tp", "fp", "fn"))
            table[name] = {"gold": tp + fn, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn, "tn": units - tp - fp - fn}
        out[task] = table
    return out
