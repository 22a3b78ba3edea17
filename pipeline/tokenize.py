r"""Word segmentation with underthesea behind one small interface.

underthesea's first call is not thread-safe (its model global is set before
the model has loaded), so the tokenizer warms itself once per process under a
lock. Agency names from the lexicon are kept as one word each ("Lao động -
Thương binh và Xã hội"), as underthesea's `fixed_words` does. But
`word_tokenize(text, fixed_words=...)` rebuilds and recompiles its regex from
the ~1,000 names on every call (half of the tokenize stage's time), so the
tokenizer builds that same regex once and runs underthesea's own steps with
it: the same tokens (checked in tests/test_benchmarks_tokenizer.py), in a
third of the time. If underthesea's internals ever change, it falls back to
the public call.

underthesea's fixed-words group is a flat `\bname\b|\bname\b|...`, longest
name first, which `re` cannot prefix-optimise: every position tries every
name. The tokenizer writes the same group as a trie (`\b(?:S(?:ở\ (?:Y\ tế\b|
...)))`) that tries longer continuations before a name's closing `\b`, so at
each position it matches the same (longest) name while trying only the names
that share the text's next characters.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

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


# Characters that underthesea leaves unescaped but that are not literals in a verbose regex.
_NOT_LITERAL = set(".^$*+?{}[]()|\\#") | {c for c in map(chr, range(0x80)) if c.isspace() and c != " "}


def _trie_alternation(words: list[str]) -> str:
    """`\\bw1\\b|\\bw2\\b|...` (longest first) as a trie: at any position it matches the same word."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a word

    def branch(node: dict) -> str:
        # The next characters differ, so at most one continuation can match; the word ending here comes last.
        options = [(r"\ " if char == " " else char) + branch(child) for char, child in node.items() if char]
        if "" in node:
            options.append(r"\b")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    return r"\b" + branch(trie)


def _fixed_words_pattern(fixed_words: list[str]):
    """underthesea's regex with the fixed words first, matching exactly as the one its `tokenize` builds per call."""
    from underthesea.pipeline.word_tokenize import regex_tokenize

    if any(char in _NOT_LITERAL for word in fixed_words for char in word):
        fixed = r"\b" + r"\b|\b".join(word.replace(" ", r"\ ") for word in fixed_words) + r"\b"
    else:
        fixed = _trie_alternation(fixed_words)
    fixed = "(?P<fixed_words>" + fixed + ")"
    return re.compile(r"(" + "|".join([fixed, *regex_tokenize.regex_patterns]) + ")", re.VERBOSE | re.UNICODE)


@lru_cache(maxsize=1 << 14)
def _token_normalize(token: str) -> str:
    """underthesea's token normalisation: a pure function, and most tokens recur."""
    from underthesea.pipeline.word_tokenize import regex_tokenize

    return regex_tokenize.token_normalize(token, use_character_normalize=True)


def _word_tokenize_with(pattern, text: str) -> list[str]:
    """underthesea.word_tokenize(text, fixed_words=...) with the fixed-words regex compiled beforehand."""
    from underthesea.pipeline import word_tokenize as ws
    from underthesea.pipeline.word_tokenize import regex_tokenize as rt

    text = rt.normalize_characters_in_text(text)
    tokens = [_token_normalize(rt.extract_match(m)[0]) for m in pattern.finditer(text)]
    tags = ws.word_tokenize_model.predict([[token] for token in tokens])
    words: list[str] = []
    for position, (tag, token) in enumerate(zip(tags, tokens)):
        if tag == "I-W" and position > 0:
            words[-1] = words[-1] + " " + token
        else:
            words.append(token)
    return words


class Tokenizer:
    """`tokenize(text) -> list[str]` of words; multi-syllable words joined by spaces."""

    def __init__(self, fixed_words: Iterable[str] = ()):
        self.fixed_words = sorted(set(fixed_words), key=len, reverse=True)
        self._pattern = None
        self._fast = bool(self.fixed_words)

    def tokenize(self, text: str) -> list[str]:
        if not text.strip():
            return []
        _warm()
        if self._fast:
            try:
                if self._pattern is None:
                    self._pattern = _fixed_words_pattern(self.fixed_words)
                return _word_tokenize_with(self._pattern, text)
            except (ImportError, AttributeError):  # underthesea's internals moved: use its public call
                self._fast = False
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
