"""Scoring a set of predictions against gold: the evaluation report.

`evaluate(gold, predictions)` aligns documents and paragraphs, counts errors
per document, computes every figure with a bootstrap interval and returns an
`Evaluation`: the JSON-ready `report` (figures, intervals, support,
confusions, breakdowns, references to the worst paragraphs — never any
document text, so a report on third-party passages can be committed) plus
the aligned documents and units the HTML report renders.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np

from vntasks.evaluation.align import ALIGNMENT_METHOD, FUZZY_THRESHOLD, DocumentPair, match_documents
from vntasks.evaluation.bootstrap import DEFAULT_REPLICATES, DEFAULT_SEED, CountMatrix, percentile_intervals
from vntasks.evaluation.metrics import (
    MENTION_VARIANTS,
    UnitResult,
    figures_from_totals,
    label_support,
    label_tasks,
    mention_span,
    overlap_matches,
    pred_spans_on_gold,
    score_document,
)
from vntasks.pipeline.document import HEADER_FIELDS, Dispatch
from vntasks.pipeline.labels import LabelSet, load_labels

SCHEMA = "vntasks-evaluation/1"
HEADLINE = (
    "segmentation.f1",
    "actions.micro.f1",
    "actions.macro.f1",
    "actions.subset_accuracy",
    "actions.aligned.macro.f1",
    "core_actions.micro.f1",
    "core_actions.macro.f1",
    "agencies.micro.f1",
    "agencies.macro.f1",
    "agencies.subset_accuracy",
    "agencies.aligned.macro.f1",
    "mentions.exact.f1",
    "mentions.role.f1",
    "mentions.partial.f1",
    "header.accuracy",
)
MISSING_NOTE = (
    "a gold document whose prediction is missing or an error record counts all its paragraphs, "
    "labels and mentions as missed and its header fields as wrong"
)
NONE = "(none)"


@dataclass
class Evaluation:
    report: dict[str, Any]
    pairs: list[DocumentPair]
    units: list[UnitResult]


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _figures_and_intervals(matrix: CountMatrix, labels: LabelSet, replicates: int, seed: int):
    def figures(totals):
        return figures_from_totals(totals, labels)

    point = {k: _number(v) for k, v in figures(matrix.totals()).items()}
    intervals = percentile_intervals(matrix, figures, replicates=replicates, seed=seed)
    figures_out = {k: v for k, v in point.items() if v is not None}
    ci = {}
    for key, interval in intervals.items():
        if key in figures_out and interval is not None:
            ci[key] = [round(interval[0], 4), round(interval[1], 4)]
    return figures_out, ci


def label_confusion(pairs: list[DocumentPair], units: list[UnitResult], task: str, labels: LabelSet) -> dict[str, Any]:
    """Aligned paragraphs: how often gold label i came with predicted label j ("(none)" = empty set)."""
    names, get = label_tasks(labels)[task]
    axis = [*names, NONE]
    index = {n: i for i, n in enumerate(axis)}
    matrix = np.zeros((len(axis), len(axis)), dtype=int)
    for unit in units:
        if unit.pair.gold is None or unit.pair.pred is None:
            continue
        pair = pairs[unit.doc]
        gold = [x for x in get(pair.gold.paragraphs[unit.pair.gold]) if x in index] or [NONE]
        pred = [x for x in get(pair.pred.paragraphs[unit.pair.pred]) if x in index] or [NONE]
        for g in gold:
            for p in pred:
                matrix[index[g], index[p]] += 1
    return {"gold": axis, "predicted": axis, "matrix": matrix.tolist()}


def mention_confusion(pairs: list[DocumentPair], units: list[UnitResult], labels: LabelSet) -> dict[str, Any]:
    """Gold vs predicted category (and role) of overlapping mentions; unmatched ones as missed/spurious."""
    cats = list(labels.agencies)
    rows, cols = [*cats, "(spurious)"], [*cats, "(missed)"]
    matrix = np.zeros((len(rows), len(cols)), dtype=int)
    roles = list(labels.roles)
    role_matrix = np.zeros((len(roles), len(roles)), dtype=int)
    for unit in units:
        pair = pairs[unit.doc]
        gold = pair.gold.paragraphs[unit.pair.gold] if unit.pair.gold is not None else None
        pred = pair.pred.paragraphs[unit.pair.pred] if unit.pair.pred is not None else None
        gold_m = gold.mentions if gold is not None else []
        pred_m = pred.mentions if pred is not None else []
        matches = []
        if gold is not None and pred is not None:
            spans = [mention_span(m, gold.text) for m in gold_m]
            matches = overlap_matches(spans, pred_spans_on_gold(gold, pred), lambda gi, pi: True)
        for gi, pi in matches:
            matrix[cats.index(gold_m[gi].category), cats.index(pred_m[pi].category)] += 1
            role_matrix[roles.index(gold_m[gi].role), roles.index(pred_m[pi].role)] += 1
        matched_g = {gi for gi, _ in matches}
        matched_p = {pi for _, pi in matches}
        for gi, m in enumerate(gold_m):
            if gi not in matched_g:
                matrix[cats.index(m.category), len(cols) - 1] += 1
        for pi, m in enumerate(pred_m):
            if pi not in matched_p:
                matrix[len(rows) - 1, cats.index(m.category)] += 1
    return {
        "categories": {"gold": rows, "predicted": cols, "matrix": matrix.tolist()},
        "roles": {"gold": roles, "predicted": roles, "matrix": role_matrix.tolist()},
    }


def worst_units(pairs: list[DocumentPair], units: list[UnitResult], limit: int) -> list[dict[str, Any]]:
    """References (no text) to the units with the most errors."""
    ranked = sorted((u for u in units if u.total_errors), key=lambda u: (-u.total_errors, u.doc, u.pair.gold or 0))
    out = []
    for unit in ranked[:limit]:
        gold = pairs[unit.doc].gold
        out.append({
            "document": gold.id,
            "source": gold.source,
            "gold_paragraph": unit.pair.gold,
            "pred_paragraph": unit.pair.pred,
            "alignment": unit.pair.kind,
            "errors": dict(unit.errors),
        })
    return out


def group_breakdown(
    groups: dict[str, list[int]], matrix: CountMatrix, labels: LabelSet, replicates: int, seed: int
) -> dict[str, Any]:
    out = {}
    for name, indices in sorted(groups.items()):
        figures, ci = _figures_and_intervals(matrix.subset(indices), labels, replicates, seed)
        out[name] = {
            "documents": len(indices),
            "figures": {k: figures[k] for k in HEADLINE if k in figures},
            "ci95": {k: ci[k] for k in HEADLINE if k in ci},
        }
    return out


def evaluate(
    gold: Sequence[Dispatch],
    predictions: Sequence[Dispatch | dict[str, Any]],
    *,
    threshold: float = FUZZY_THRESHOLD,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    gold_files: dict[str, str] | None = None,
    group_by: str | None = None,
    worst: int = 30,
    labels: LabelSet | None = None,
) -> Evaluation:
    """Scores predictions (Dispatches or error records) against gold documents.

    `gold_files` maps gold document ids to the file they came from (for the
    per-file breakdown); `group_by` names a `meta` field to break down by too.
    """
    labels = labels or load_labels()
    match = match_documents(list(gold), list(predictions))
    scores = [score_document(i, pair, labels, threshold) for i, pair in enumerate(match.pairs)]
    matrix = CountMatrix.from_counters([s.counts for s in scores])
    units = [u for s in scores for u in s.units]
    figures, ci = _figures_and_intervals(matrix, labels, replicates, seed)
    totals = {k: float(v) for k, v in matrix.totals().items()}

    groups: dict[str, dict[str, Any]] = {}
    if gold_files:
        by_file: dict[str, list[int]] = {}
        for i, pair in enumerate(match.pairs):
            by_file.setdefault(gold_files.get(pair.gold.id, "?"), []).append(i)
        if len(by_file) > 1:
            groups["gold file"] = group_breakdown(by_file, matrix, labels, replicates, seed)
    if group_by:
        by_meta: dict[str, list[int]] = {}
        for i, pair in enumerate(match.pairs):
            value = (pair.gold.meta or {}).get(group_by)
            by_meta.setdefault(str(value) if value is not None else "(not given)", []).append(i)
        groups[f"meta.{group_by}"] = group_breakdown(by_meta, matrix, labels, replicates, seed)

    kinds = Counter(u.pair.kind for u in units)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "alignment": {
            "method": ALIGNMENT_METHOD.format(threshold=threshold),
            "fuzzy_threshold": threshold,
            "similarity": "difflib.SequenceMatcher.ratio",
        },
        "documents": {
            "gold": len(match.pairs),
            "scored": sum(p.status == "ok" for p in match.pairs),
            "failed": [
                {"document": p.gold.id, "source": p.gold.source, **(p.error or {})}
                for p in match.pairs if p.status == "error"
            ],
            "missing": [p.gold.source or p.gold.id for p in match.pairs if p.status == "missing"],
            "unmatched_predictions": match.unmatched,
            "duplicate_predictions": match.duplicates,
            "note": MISSING_NOTE,
        },
        "paragraphs": {
            "gold": int(totals.get("segmentation.tp", 0) + totals.get("segmentation.fn", 0)),
            "predicted": int(totals.get("segmentation.tp", 0) + totals.get("segmentation.fp", 0)),
            "aligned_exact": kinds["exact"],
            "aligned_fuzzy": kinds["fuzzy"],
            "missed": kinds["missed"],
            "spurious": kinds["spurious"],
        },
        "mention_matching": MENTION_VARIANTS,
        "headline": [k for k in HEADLINE if k in figures],
        "figures": figures,
        "ci95": ci,
        "bootstrap": {"replicates": replicates, "seed": seed, "resampled": "documents", "method": "percentile",
                      "level": 0.95},
        "support": label_support(totals, labels),
        "header_support": {n: int(totals.get(f"header.{n}.present", 0)) for n in HEADER_FIELDS},
        "confusion": {
            "actions": label_confusion(match.pairs, units, "actions", labels),
            "agencies": label_confusion(match.pairs, units, "agencies", labels),
            "mentions": mention_confusion(match.pairs, units, labels),
        },
        "groups": groups,
        "worst": worst_units(match.pairs, units, worst),
    }
    return Evaluation(report, match.pairs, units)
