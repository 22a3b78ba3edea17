"""Group k-fold cross-validation of the action models on gold paragraphs.

Paragraphs of one dispatch share issuer, wording and layout, so a fold holds
whole documents (`group_by="document"`), or whole provinces
(`group_by="province"`: closer to the hidden test of unseen provinces).
Folds are seeded and balanced by paragraph count. Each fold trains with
`train_model` — which tunes its thresholds by an inner CV on the fold's own
training documents — and predicts the held-out documents' gold paragraphs,
so every reported figure is held-out (segmentation is the gold one: these
figures score labelling alone; `vntasks evaluate --cv` scores the whole
pipeline). Synthetic documents always train and are never scored.
"""
from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vntasks.pipeline.document import Dispatch, Paragraph
from vntasks.pipeline.labels import load_labels
from vntasks.training.trainer import (Log, default_threshold_folds, is_synthetic, no_log, prepare_documents,
                                      train_model)

GROUPINGS = ("document", "province")


def group_of(doc: Dispatch, group_by: str, corpus_file: str = "") -> str:
    """The CV group of a document. Documents without a province in `meta` form one group per corpus file."""
    if group_by == "document":
        return f"{corpus_file}#{doc.id}"
    if group_by == "province":
        meta = doc.meta or {}
        return meta.get("province") or meta.get("province_or_body") or f"unknown province ({corpus_file or 'no file'})"
    raise ValueError(f"unknown grouping {group_by!r} (use one of {', '.join(GROUPINGS)})")


def assign_folds(groups: Sequence[str], sizes: Sequence[int], k: int, seed: int) -> list[int]:
    """Fold of each item: groups shuffled with `seed`, then the largest groups first into the lightest fold."""
    totals: dict[str, int] = {}
    for group, size in zip(groups, sizes):
        totals[group] = totals.get(group, 0) + size
    names = sorted(totals)
    if len(names) < k:
        raise ValueError(f"{k} folds need at least {k} groups, got {len(names)}")
    random.Random(seed).shuffle(names)
    names.sort(key=lambda g: -totals[g])  # stable: equal sizes keep the shuffled order
    load = [0] * k
    fold_of: dict[str, int] = {}
    for name in names:
        fold = min(range(k), key=lambda f: (load[f], f))
        fold_of[name] = fold
        load[fold] += totals[name]
    return [fold_of[g] for g in groups]


@dataclass
class OutOfFold:
    """Held-out probabilities of the scored (non-synthetic) paragraphs, in document order."""

    doc_index: list[int]  # for every scored document: its index in the input list
    folds: list[int]  # fold of every scored document
    probabilities: np.ndarray  # (n_paragraphs, n_labels)
    gold: np.ndarray  # multi-hot, same shape
    thresholds: np.ndarray  # per fold: (k, n_labels) thresholds of that fold's model
    paragraph_folds: np.ndarray  # fold of every scored paragraph


def out_of_fold(docs: Sequence[Dispatch], prepared: Sequence[list[Paragraph]], make_model: Callable | None = None,
                *, folds: int, seed: int = 0, group_by: str = "document", corpus_files: Sequence[str] | None = None,
                train: Callable[[list[Dispatch], list[list[Paragraph]]], Any] | None = None,
                progress: Callable | None = None, log: Log = no_log) -> OutOfFold:
    """Fit on k-1 folds, predict the k-th, for every fold.

    `make_model()` gives an unfitted model fitted with 0.5 thresholds (inner CV for threshold tuning);
    `train(docs, prepared)` instead runs the full training procedure (outer CV of `cross_validate`).
    """
    from vntasks.models.base import label_matrix

    labels = load_labels().actions
    corpus_files = list(corpus_files) if corpus_files is not None else [""] * len(docs)
    scored = [i for i, d in enumerate(docs) if not is_synthetic(d) and d.paragraphs]
    synthetic = [i for i, d in enumerate(docs) if is_synthetic(d)]
    groups = [group_of(docs[i], group_by, corpus_files[i]) for i in scored]
    fold_of = assign_folds(groups, [len(docs[i].paragraphs) for i in scored], folds, seed)
    starts = np.cumsum([0] + [len(docs[i].paragraphs) for i in scored])
    probabilities = np.zeros((int(starts[-1]), len(labels)))
    gold = label_matrix([p.actions for i in scored for p in docs[i].paragraphs], labels)
    paragraph_folds = np.zeros(int(starts[-1]), dtype=int)
    thresholds = np.zeros((folds, len(labels)))
    for fold in (progress or (lambda it: it))(range(folds)):
        train_idx = [i for i, f in zip(scored, fold_of) if f != fold] + synthetic
        test_pos = [n for n, f in enumerate(fold_of) if f == fold]
        log(f"fold {fold + 1}/{folds}: {len(train_idx)} training documents, {len(test_pos)} held out")
        if train is not None:
            model = train([docs[i] for i in train_idx], [prepared[i] for i in train_idx])
        else:
            model = make_model()
            model.fit([p for i in train_idx for p in prepared[i]], [p.actions for i in train_idx for p in docs[i].paragraphs])
        column = [list(model.labels).index(label) for label in labels]
        test_paragraphs = [p for n in test_pos for p in prepared[scored[n]]]
        probs = model.predict_proba(test_paragraphs)[:, column]
        thresholds[fold] = np.asarray(model.thresholds)[column]
        row = 0
        for n in test_pos:
            size = int(starts[n + 1] - starts[n])
            probabilities[starts[n]:starts[n + 1]] = probs[row:row + size]
            paragraph_folds[starts[n]:starts[n + 1]] = fold
            row += size
    return OutOfFold(scored, fold_of, probabilities, gold, thresholds, paragraph_folds)


def action_metrics(gold: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, micro and macro averages, core-four macro F1
    (scikit-learn conventions, zero_division=0; macro over the labels of labels.json)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = load_labels()
    p, r, f, s = precision_recall_fscore_support(gold, predicted, average=None, zero_division=0)
    micro = precision_recall_fscore_support(gold, predicted, average="micro", zero_division=0)
    per_label = {label: {"precision": round(float(p[j]), 4), "recall": round(float(r[j]), 4),
                         "f1": round(float(f[j]), 4), "support": int(s[j])}
                 for j, label in enumerate(labels.actions)}
    core = [labels.actions.index(x) for x in labels.core_actions]
    return {
        "per_label": per_label,
        "micro": {"precision": round(float(micro[0]), 4), "recall": round(float(micro[1]), 4),
                  "f1": round(float(micro[2]), 4)},
        "macro": {"precision": round(float(p.mean()), 4), "recall": round(float(r.mean()), 4),
                  "f1": round(float(f.mean()), 4)},
        "core_macro_f1": round(float(f[core].mean()), 4),
        "exact_match": round(float(np.mean(np.all(gold == predicted, axis=1))), 4),
    }


@dataclass
class CVResult:
    """Cross-validation of the whole training procedure."""

    predictions: list[Dispatch]  # every scored gold document, its paragraphs' actions/scores replaced by held-out ones
    folds: list[int]  # fold of each document in `predictions`
    probabilities: np.ndarray
    gold: np.ndarray
    predicted: np.ndarray
    metrics: dict[str, Any]  # action_metrics + "setup"


def cross_validate(
    docs: Sequence[Dispatch],
    backend: str = "linear",
    base_model: str | Path | None = None,
    seed: int = 0,
    *,
    folds: int = 5,
    group_by: str = "document",
    params: dict[str, Any] | None = None,
    threshold_folds: int | None = None,
    lexicon_path: str | Path | None = None,
    prepared: Sequence[list[Paragraph]] | None = None,
    corpus_files: Sequence[str] | None = None,
    progress: Callable | None = None,
    log: Log = no_log,
) -> CVResult:
    """Group k-fold CV of `train_model` on gold paragraphs; per-document held-out predictions and figures."""
    docs = list(docs)
    if prepared is None:
        prepared = prepare_documents(docs, lexicon_path)

    def train(train_docs, train_prepared):
        return train_model(train_docs, backend, base_model, seed, params=params, threshold_folds=threshold_folds,
                           group_by=group_by, lexicon_path=lexicon_path, prepared=train_prepared)

    oof = out_of_fold(docs, prepared, folds=folds, seed=seed, group_by=group_by, corpus_files=corpus_files,
                      train=train, progress=progress, log=log)
    thresholds = oof.thresholds[oof.paragraph_folds]
    predicted = (oof.probabilities >= thresholds).astype(int)
    labels = load_labels().actions
    predictions, row = [], 0
    for i in oof.doc_index:
        doc = copy.deepcopy(docs[i])
        for paragraph in doc.paragraphs:
            paragraph.actions = [label for label, hit in zip(labels, predicted[row]) if hit]
            paragraph.scores = {**(paragraph.scores or {}),
                                "actions": {label: round(float(x), 4) for label, x in zip(labels, oof.probabilities[row])}}
            row += 1
        predictions.append(doc)
    metrics = action_metrics(oof.gold, predicted)
    inner = default_threshold_folds(backend) if threshold_folds is None else threshold_folds
    metrics["setup"] = {
        "backend": backend, "folds": folds, "grouping": group_by, "seed": seed,
        "documents": len(oof.doc_index), "paragraphs": int(oof.gold.shape[0]),
        "synthetic_training_documents": sum(1 for d in docs if is_synthetic(d)),
        "thresholds": "chosen inside each training fold" if inner >= 2 else "0.5 for every label",
    }
    return CVResult(predictions, oof.folds, oof.probabilities, oof.gold, predicted, metrics)


def format_metrics(metrics: dict[str, Any], title: str = "") -> str:
    """A plain-text table of `action_metrics` output."""
    lines = [title] if title else []
    lines.append(f"{'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for label, row in metrics["per_label"].items():
        lines.append(f"{label:<16}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}{row['support']:>6}")
    for name in ("micro", "macro"):
        row = metrics[name]
        lines.append(f"{name:<16}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}")
    lines.append(f"{'core-four macro':<16}{'':>14}{metrics['core_macro_f1']:>7.3f}")
    return "\n".join(lines)
