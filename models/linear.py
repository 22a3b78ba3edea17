"""The default action model: word and character n-grams plus guideline cues, one logistic regression per label.

Features (see `vntasks.models.features`):
- TF-IDF of underthesea words, unigrams and bigrams;
- TF-IDF of character 2–5-grams within word boundaries, robust to spelling
  and segmentation slips;
- the cue words of GUIDELINE §2 and its settled cases, one count per cue and
  one per label, so that knowledge the gold is too small to teach (rare
  labels, unseen provinces' wording) enters as features whose weights the
  regression still learns.

Each label gets its own L2-regularised logistic regression with balanced
class weights (rare labels are not drowned by the frequent "no"). The whole
scikit-learn pipeline is saved with skops (`actions.skops`, zip-deflated) and
loaded with an explicit list of trusted types; pickle is never used.
"""
from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vntasks.models.base import ActionModel
from vntasks.models.cues import CONTEXTS
from vntasks.models.features import TRUSTED_TYPES, CueFeatures, ParagraphField, cue_triples, records
from vntasks.pipeline.errors import ModelError

MODEL_FILE = "actions.skops"
DEFAULT_PARAMS: dict[str, Any] = {
    "C": 3.0,  # inverse L2 strength; chosen by group CV (see MODEL_CARD.md), not tuned per label
    "word_ngrams": [1, 2],
    "char_ngrams": [2, 5],
    "min_df": 2,
    "cue_scale": 1.0,
    "settled_cues": True,
    "cue_contexts": True,
    "agency_features": False,  # categories of the tagged agencies (see MODEL_CARD.md for the measurement)
}


def build_pipeline(labels: Sequence[str], params: dict[str, Any], seed: int = 0):
    """The unfitted scikit-learn pipeline (records in, per-label probabilities out)."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    branches = [
        ("words", Pipeline([
            ("field", ParagraphField("words")),
            ("tfidf", TfidfVectorizer(token_pattern=r"\S+", ngram_range=tuple(params["word_ngrams"]),
                                      sublinear_tf=True, min_df=params["min_df"], dtype=np.float64)),
        ])),
        ("chars", Pipeline([
            ("field", ParagraphField("text")),
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(params["char_ngrams"]),
                                      sublinear_tf=True, min_df=params["min_df"], dtype=np.float64)),
        ])),
        ("cues", Pipeline([
            ("field", ParagraphField("text")),
            ("cues", CueFeatures(cue_triples(params["settled_cues"]), list(labels), params["cue_scale"],
                                 dict(CONTEXTS) if params["cue_contexts"] else None)),
        ])),
    ]
    if params.get("agency_features"):
        branches.append(("agencies", Pipeline([
            ("field", ParagraphField("agencies")),
            ("onehot", CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False, dtype=np.float64)),
        ])))
    classifier = LogisticRegression(C=params["C"], class_weight="balanced", max_iter=5000, random_state=seed)
    return Pipeline([("features", FeatureUnion(branches)), ("classifier", OneVsRestClassifier(classifier))])


class LinearActionModel(ActionModel):
    backend = "linear"

    def __init__(self, *, params: dict[str, Any] | None = None, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        self.seed = seed
        self.pipeline = None

    def _fit(self, paragraphs: list[Any], y: np.ndarray) -> None:
        """Fit the pipeline with one BLAS thread: lbfgs on a few hundred rows makes only vector-sized
        BLAS calls, which threads slow down (about 3x the time, 5x the CPU, measured on 2 cores)."""
        import warnings

        from threadpoolctl import threadpool_limits

        self.ensure_tokens(paragraphs)
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            # a label absent from a small training fold gets a constant 0 (scikit-learn's _ConstantPredictor)
            warnings.filterwarnings("ignore", message="Label not .* present in all training examples")
            self.pipeline = build_pipeline(self.labels, self.params, self.seed).fit(records(paragraphs), y)

    def predict_proba(self, paragraphs: Sequence[Any]) -> np.ndarray:
        if self.pipeline is None:
            raise ModelError("the linear model is not fitted")
        if not paragraphs:
            return np.zeros((0, len(self.labels)))
        import sklearn

        self.ensure_tokens(paragraphs)
        features, classifier = self.pipeline[:-1], self.pipeline[-1]
        # the fitted pipeline's own output is finite and its parameters were checked at fit time:
        # skipping those checks saves about a tenth of a document's prediction time
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return one_vs_rest_proba(classifier, features.transform(records(paragraphs)))

    def _config(self) -> dict[str, Any]:
        return {"params": self.params, "seed": self.seed, "file": MODEL_FILE}

    def _save_files(self, model_dir: Path) -> list[str]:
        import skops.io as sio

        if self.pipeline is None:
            raise ModelError("cannot save an unfitted linear model")
        sio.dump(self.pipeline, model_dir / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
        return [MODEL_FILE]

    def _load_files(self, model_dir: Path, config: dict[str, Any]) -> None:
        self.params = {**DEFAULT_PARAMS, **config.get("params", {})}
        self.seed = config.get("seed", 0)
        self.pipeline = load_skops(model_dir / MODEL_FILE)
        n_outputs = len(self.pipeline.classes_) if hasattr(self.pipeline, "classes_") else None
        if n_outputs is not None and n_outputs != len(self.labels):
            raise ModelError(f"{model_dir}: {MODEL_FILE} predicts {n_outputs} labels, model.json lists "
                             f"{len(self.labels)}")


def one_vs_rest_proba(classifier, X) -> np.ndarray:
    """`classifier.predict_proba(X)` of a fitted multi-label OneVsRestClassifier.

    When every label has a logistic regression (no label was absent from the training data), the
    probabilities are one sparse product with the stacked coefficients: the same numbers as
    predict_proba, without its per-label input validation, which costs ten times the arithmetic on a
    document's few paragraphs.
    """
    from scipy.special import expit
    from sklearn.linear_model import LogisticRegression

    estimators = classifier.estimators_
    if not (classifier.multilabel_ and all(type(e) is LogisticRegression for e in estimators)):
        return np.asarray(classifier.predict_proba(X), dtype=float)
    coef = np.vstack([e.coef_ for e in estimators])
    intercept = np.concatenate([e.intercept_ for e in estimators])
    return expit(np.asarray(X @ coef.T) + intercept)


def load_skops(path: Path):
    """Load a skops file trusting only scikit-learn's own types and ours; anything else is refused."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # not a zip, or not a skops file
        raise ModelError(f"{path}: not a readable skops file ({type(exc).__name__}: {exc})") from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelError(f"{path}: refusing to load untrusted types: {', '.join(refused)}")
    try:
        return sio.load(path, trusted=[t for t in untrusted if t in TRUSTED_TYPES])
    except Exception as exc:
        raise ModelError(f"{path}: cannot load ({type(exc).__name__}: {exc})") from None
