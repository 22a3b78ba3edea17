"""Word segmentation with underthesea behind one small interface.

underthesea's first call is not thread-safe (its model global is set before
the model has loaded), so the tokenizer warms itself once per process under a
lock. Agency names from the lexicon are passed as `fixed_words` so that
"Lao động - Thương binh và Xã hội" stays one word.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

_WARM_LOCK = threading.Lock()
_WARMED = False


def _warm() -> None:
    global _WARMED
    if _WARMED:
        return
    with _WARM_LOCK:
        if not _WARMED:
            from underthesea import word_tokenize

            word_tokenize("Sở Y tế chủ trì.")
            _WARMED = True


class Tokenizer:
    """`tokenize(text) -> list[str]` of words; multi-syllable words joined by spaces."""

    def __init__(self, fixed_words: Iterable[str] = ()):
        self.fixed_words = sorted(set(fixed_words), key=len, reverse=True)

    def tokenize(self, text: str) -> list[str]:
        if not text.strip():
            return []
        _warm()
        from underthesea import word_tokenize

        return word_tokenize(text, fixed_words=self.fixed_words or None)


class TokenizeStage:
    """Fills `Paragraph.tokens` for every paragraph."""

    name = "tokenize"
    requires = frozenset({"paragraphs"})
    provides = frozenset({"tokens"})

    def __init__(self, fixed_words: Iterable[str] = ()):
        self.tokenizer = Tokenizer(fixed_words)

    def __call__(self, doc):
        for paragraph in doc.paragraphs:
            paragraph.tokens = self.tokenizer.tokenize(paragraph.text)
        return doc
