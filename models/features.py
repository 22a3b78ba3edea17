"""Paragraph features for the linear action model.

A paragraph enters the scikit-learn pipeline as a small dict (`as_record`):
the printed text, its underthesea words (syllables of a word joined by `_`)
and the categories of the agencies tagged in it, all in `match_key` spelling.
Two custom transformers pick fields out of it and turn the cue words of
GUIDELINE §2 into counts; they are the only custom types a saved model holds,
so `TRUSTED_TYPES` lists exactly them (and one scikit-learn type skops does
not trust by default) for skops.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from vntasks.pipeline.normalise import match_key

# Types a saved linear model may hold beyond those skops trusts by default: our two
# transformers, and scikit-learn's constant predictor (a label absent from the training data).
TRUSTED_TYPES = [
    "vntasks.models.features.ParagraphField",
    "vntasks.models.features.CueFeatures",
    "sklearn.multiclass._ConstantPredictor",
]


def words_text(tokens: Sequence[str]) -> str:
    """`["Sở Y tế", "chủ trì"]` → `"Sở_Y_tế chủ_trì"`: one whitespace-free token per word."""
    return " ".join(t.strip().replace(" ", "_") for t in tokens if t.strip())


def as_record(paragraph) -> dict[str, str]:
    """The model's view of a Paragraph (which must already have `.tokens`)."""
    if paragraph.tokens is None:
        raise ValueError("paragraph has no tokens: run the tokenizer stage before the action model")
    return {
        "text": match_key(paragraph.text),
        "words": match_key(words_text(paragraph.tokens)),
        "agencies": " ".join(sorted(set(paragraph.agencies or []))),
    }


class ParagraphField(BaseEstimator, TransformerMixin):
    """Selects one field of the paragraph records, as a list of strings."""

    def __init__(self, field: str = "text"):
        self.field = field

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [record[self.field] for record in X]

    def get_feature_names_out(self, input_features=None):
        return np.asarray([self.field], dtype=object)


class CueFeatures(BaseEstimator, TransformerMixin):
    """Guideline cue words as features: one column per cue, one per label, and per label its cues
    heard only in passing.

    `cues` is a list of (label, name, regex) triples and `contexts` maps a
    context name to a regex (see `vntasks.models.cues.CONTEXTS`); both are
    stored in the model, so a saved model keeps the cues it was trained with.
    Values are log(1 + count). The per-label columns sum a label's cues; the
    context columns count, per label, the cues that fall inside a context
    span (a cited document's title, or what a communication clause tells
    people to do), which GUIDELINE §2 says do not make the label by
    themselves. `scale` multiplies every value: with an L2-regularised model
    a larger scale means a weaker penalty on these few trusted features than
    on the many n-grams.
    """

    def __init__(self, cues: Sequence[tuple[str, str, str]] = (), labels: Sequence[str] = (), scale: float = 1.0,
                 contexts: dict[str, str] | None = None):
        self.cues = cues
        self.labels = labels
        self.scale = scale
        self.contexts = contexts

    def fit(self, X, y=None):
        self.n_features_out_ = len(self.cues) + len(self.labels) * (1 + len(self.contexts or {}))
        return self

    def transform(self, X):
        count = _cue_counter(tuple(map(tuple, self.cues)), tuple(self.labels), tuple((self.contexts or {}).items()))
        rows = np.array([count(text) for text in X], dtype=np.float64).reshape(len(X), self.n_features_out_)
        return sparse.csr_matrix(np.log1p(rows) * self.scale)

    def get_feature_names_out(self, input_features=None):
        names = [f"cue:{label}:{name}" for label, name, _ in self.cues]
        names += [f"cues:{label}" for label in self.labels]
        for context in self.contexts or {}:
            names += [f"cues_in_{context}:{label}" for label in self.labels]
        return np.asarray(names, dtype=object)


@lru_cache(maxsize=8)
def _cue_counter(cues: tuple[tuple[str, str, str], ...], labels: tuple[str, ...],
                 contexts: tuple[tuple[str, str], ...]) -> Callable[[str], np.ndarray]:
    """The raw counts of `CueFeatures` for one text, memoised per cue set: threshold CV transforms every
    training paragraph once per fold, and its counts do not depend on the fold."""
    from vntasks.models.cues import cue_key

    patterns = [_pattern(regex) for _, _, regex in cues]
    context_patterns = [re.compile(regex) for _, regex in contexts]
    label_index = {label: i for i, label in enumerate(labels)}
    n_cues, n_labels = len(cues), len(labels)

    @lru_cache(maxsize=4096)
    def count(text: str) -> np.ndarray:
        row = np.zeros(n_cues + n_labels * (1 + len(contexts)), dtype=np.float64)
        key = cue_key(text)
        spans = [[m.span(m.lastindex or 0) for m in context.finditer(key)] for context in context_patterns]
        for c, ((label, _, _), pattern) in enumerate(zip(cues, patterns)):
            for start in cue_starts(pattern, key):
                row[c] += 1
                if label not in label_index:
                    continue
                j = label_index[label]
                row[n_cues + j] += 1
                for k, context_spans in enumerate(spans):
                    if any(a <= start < b for a, b in context_spans):
                        row[n_cues + n_labels * (k + 1) + j] += 1
        row.flags.writeable = False  # shared by every later call with the same text
        return row

    return count


_WORD = re.compile(r"\w")


@lru_cache(maxsize=1024)
def _pattern(regex: str) -> re.Pattern[str]:
    """A cue regex compiled with its right word boundary (kept out of the saved model); `cue_starts`
    checks the left one."""
    return re.compile(rf"(?:{regex})(?!\w)")


def cue_starts(pattern: re.Pattern[str], key: str):
    """Start of every match of `(?<!\\w)(?:REGEX)(?!\\w)` in `key`, exactly as `finditer` would give them,
    for `pattern` = `_pattern(REGEX)`.

    A leading lookbehind keeps the regex engine from skipping ahead to where the cue's literal prefix
    occurs, so every cue would be tried at every position; searching without it and rejecting a match
    that follows a word character (then searching again one position further, where the lookbehind
    pattern would also have gone on) is several times faster. Cue regexes never match the empty string.
    """
    pos = 0
    while (match := pattern.search(key, pos)) is not None:
        start = match.start()
        if start and _WORD.match(key, start - 1):
            pos = start + 1
            continue
        yield start
        pos = match.end()


def cue_triples(include_settled: bool = True) -> list[tuple[str, str, str]]:
    """The guideline cues as (label, name, regex), ready for `CueFeatures`."""
    from vntasks.models.cues import SETTLED, TABLE

    tables = (TABLE, SETTLED) if include_settled else (TABLE,)
    return [(label, name, regex) for table in tables for label, cues in table.items() for name, regex in cues]


def records(paragraphs: Sequence[Any]) -> list[dict[str, str]]:
    return [as_record(p) for p in paragraphs]
