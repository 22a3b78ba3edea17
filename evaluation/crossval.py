"""Group k-fold cross-validation by document, end to end.

Paragraphs of one dispatch share issuer, wording and layout, so folds are
made of whole documents: each fold trains an action classifier on the other
folds' documents, runs the full pipeline on its own documents (from their raw
files where found, else from their gold paragraphs joined into a numbered
text) and all held-out predictions are scored together. Synthetic records
(`meta.synthetic`) only ever train. Folds are balanced by paragraph count
after a seeded shuffle.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from vntasks.evaluation.align import FUZZY_THRESHOLD
from vntasks.evaluation.predict import RawIndex, predict_gold
from vntasks.evaluation.score import HEADLINE, Evaluation, evaluate
from vntasks.pipeline.document import Dispatch


def is_synthetic(doc: Dispatch) -> bool:
    return bool((doc.meta or {}).get("synthetic"))


def assign_folds(docs: Sequence[Dispatch], k: int, seed: int) -> list[int]:
    """Fold number of each document: seeded shuffle, then the largest documents first into the lightest fold."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda i: -len(docs[i].paragraphs))  # stable: ties keep the shuffled order
    load = [(0, 0)] * k  # (paragraphs, documents) per fold
    folds = [0] * len(docs)
    for i in order:
        fold = min(range(k), key=lambda f: (load[f], f))
        folds[i] = fold
        load[fold] = (load[fold][0] + len(docs[i].paragraphs), load[fold][1] + 1)
    return folds


def trainer() -> Callable:
    """The training entry point of vntasks.training."""
    from vntasks.training.trainer import train_model

    return train_model


def cross_validate(
    docs: Sequence[Dispatch],
    k: int,
    *,
    backend: str = "linear",
    base_model: str | Path | None = None,
    raw_dirs: Sequence[str | Path] = (),
    seed: int = 0,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
    train: Callable | None = None,
    **scoring: Any,
) -> Evaluation:
    """Scores held-out predictions of every fold together; the report gains a `cv` section."""
    from vntasks.pipeline.core import Pipeline

    train = train or trainer()
    scored = [d for d in docs if not is_synthetic(d)]
    synthetic = [d for d in docs if is_synthetic(d)]
    if len(scored) < k:
        raise ValueError(f"{k} folds need at least {k} annotated (non-synthetic) documents, got {len(scored)}")
    folds = assign_folds(scored, k, seed)
    raw = RawIndex.build(raw_dirs)
    predictions: list = []
    fold_reports = []
    reconstructed: list[str] = []
    for fold in progress(range(k)):
        test = [d for d, f in zip(scored, folds) if f == fold]
        train_docs = [d for d, f in zip(scored, folds) if f != fold] + synthetic
        started = time.perf_counter()
        model = train(train_docs, backend=backend, base_model=base_model, seed=seed)
        pipeline = Pipeline.from_model(model)
        run = predict_gold(pipeline, test, raw, reconstruct=True)
        predictions.extend(run.predictions)
        reconstructed.extend(run.reconstructed)
        fold_eval = evaluate(test, run.predictions, replicates=0,
                             threshold=scoring.get("threshold", FUZZY_THRESHOLD))
        fold_reports.append({
            "fold": fold,
            "train_documents": len(train_docs),
            "test_documents": len(test),
            "test_paragraphs": sum(len(d.paragraphs) for d in test),
            "seconds": round(time.perf_counter() - started, 1),
            "figures": {key: fold_eval.report["figures"][key] for key in HEADLINE if key in fold_eval.report["figures"]},
        })
    evaluation = evaluate(scored, predictions, seed=seed, **scoring)
    evaluation.report["cv"] = {
        "folds_count": k,
        "grouping": "document",
        "backend": backend,
        "base_model": str(base_model) if base_model else None,
        "seed": seed,
        "synthetic_training_documents": len(synthetic),
        "documents_from_text_rebuilt_from_gold": reconstructed,
        "folds": fold_reports,
    }
    return evaluation
