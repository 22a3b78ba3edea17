"""Training an action model from gold documents: the library entry point.

`train_model(docs, backend=..., seed=...)` returns a fitted model, ready for
`Pipeline.from_model` or `.save(dir)`. The model sees training paragraphs
exactly as it will see paragraphs at prediction time: the gold texts are
word-segmented by the pipeline's tokenizer and tagged by its agency tagger
(predicted mentions, never the gold ones). Decision thresholds are chosen on
out-of-fold probabilities of a group k-fold *inside* the training documents,
so the training documents' own fit never sets them. Synthetic documents
(`meta.synthetic`) are used for fitting only, never for choosing thresholds
or scoring.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vntasks.pipeline.document import Dispatch, Header, Paragraph

Log = Callable[[str], None]


def no_log(message: str) -> None:
    pass


def is_synthetic(doc: Dispatch) -> bool:
    return bool((doc.meta or {}).get("synthetic"))


def prepare_documents(docs: Sequence[Dispatch], lexicon_path: str | Path | None = None,
                      progress: Callable | None = None) -> list[list[Paragraph]]:
    """Per document, fresh copies of its paragraphs as the pipeline would hand them to the action model:
    text, number and section kept; tokens from the tokenizer stage; mentions and agencies from the
    agency tagger (so the gold labels, mentions and agencies are not visible)."""
    from vntasks.pipeline.agencies import AgencyTagger, Lexicon
    from vntasks.pipeline.tokenize import TokenizeStage

    lexicon = Lexicon.load(lexicon_path)
    tokenize, tag = TokenizeStage(lexicon.names()), AgencyTagger(lexicon)
    out = []
    for doc in (progress or (lambda it: it))(docs):
        fresh = Dispatch(
            id=doc.id, source=doc.source, header=copy.deepcopy(doc.header or Header()),
            paragraphs=[Paragraph(number=p.number, text=p.text, section=p.section, start=p.start, end=p.end)
                        for p in doc.paragraphs],
        )
        out.append(tag(tokenize(fresh)).paragraphs)
    return out


def new_model(backend: str = "linear", *, seed: int = 0, params: dict[str, Any] | None = None,
              base_model: str | Path | None = None, lexicon_path: str | Path | None = None):
    """An unfitted model of the given backend."""
    from vntasks.models import model_class

    cls = model_class(backend)
    if backend == "linear":
        return cls(params=params, seed=seed, lexicon_path=lexicon_path)
    if backend == "rules":
        return cls(settled_cues=(params or {}).get("settled_cues", True), lexicon_path=lexicon_path)
    if backend == "transformer":
        if base_model is None:
            raise ValueError("the transformer backend needs a base model directory (--base-model DIR)")
        return cls(base_model=base_model, params=params, seed=seed, lexicon_path=lexicon_path)
    raise ValueError(f"unknown backend {backend!r}")


def default_threshold_folds(backend: str) -> int:
    """Inner folds for threshold tuning: 5 for the linear model; none for rules (0/1 scores) and for the
    transformer (each fold is a fine-tuning run: ask for them with threshold_folds=K)."""
    return 5 if backend == "linear" else 0


def train_model(
    docs: Sequence[Dispatch],
    backend: str = "linear",
    base_model: str | Path | None = None,
    seed: int = 0,
    *,
    params: dict[str, Any] | None = None,
    threshold_folds: int | None = None,
    group_by: str = "document",
    lexicon_path: str | Path | None = None,
    prepared: Sequence[list[Paragraph]] | None = None,
    log: Log = no_log,
):
    """A model fitted on all paragraphs of `docs`, thresholds tuned by inner group CV.

    `prepared` (from `prepare_documents`, aligned with `docs`) saves re-tokenising in cross-validation.
    """
    from vntasks.training.crossval import out_of_fold
    from vntasks.training.thresholds import tune_thresholds

    docs = list(docs)
    if prepared is None:
        log(f"tokenising and tagging {sum(len(d.paragraphs) for d in docs)} paragraphs of {len(docs)} documents")
        prepared = prepare_documents(docs, lexicon_path)
    if len(prepared) != len(docs):
        raise ValueError("`prepared` must hold one paragraph list per document")

    def make():
        return new_model(backend, seed=seed, params=params, base_model=base_model, lexicon_path=lexicon_path)

    model = make()
    folds = default_threshold_folds(backend) if threshold_folds is None else threshold_folds
    real = [i for i, d in enumerate(docs) if not is_synthetic(d)]
    thresholds_how = "0.5 for every label (no threshold tuning)"
    if folds >= 2 and len(real) >= folds:
        log(f"choosing thresholds: {folds}-fold group CV inside the training data")
        oof = out_of_fold(docs, prepared, make, folds=folds, seed=seed, group_by=group_by, log=log)
        model.set_thresholds(tune_thresholds(oof.probabilities, oof.gold))
        thresholds_how = f"tuned on out-of-fold probabilities, {folds}-fold group CV by {group_by} inside the training data"
    paragraphs = [p for ps in prepared for p in ps]
    label_sets = [p.actions for d in docs for p in d.paragraphs]
    log(f"fitting the {backend} model on {len(paragraphs)} paragraphs")
    model.fit(paragraphs, label_sets)
    model.card["thresholds_how"] = thresholds_how
    model.card["params"] = getattr(model, "params", params or {})
    return model
