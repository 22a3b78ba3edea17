"""A Vietnamese spaCy Language whose tokens are underthesea words.

spaCy's own `vi` tokenizer needs pyvi (not installed) or splits syllables and
leaves punctuation attached. This one wraps `underthesea.word_tokenize` and
aligns the words back onto the text, so every token is an exact slice of the
printed text (character offsets hold) and `token.norm_` is the spelling-
insensitive match key (lower case, modern tone marks; see
`vntasks.pipeline.normalise.match_key`).

Fixed phrases (the agency lexicon's multi-word names) are kept whole whatever
their case, tone-mark placement or separators. underthesea's own `fixed_words`
cannot do that (it matches exactly and case-sensitively), so the tokenizer
takes a `fixed` callable returning phrase spans and cuts or merges words at
their edges.

The tokenizer is registered as `vntasks.underthesea_tokenizer.v1`, so a
pipeline saved with it loads again once this module is imported.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from vntasks.pipeline.normalise import match_key

Spans = list[tuple[int, int]]
FixedPhrases = Callable[[str], Spans]

TOKENIZER_NAME = "vntasks.underthesea_tokenizer.v1"
_SYLLABLE_OR_MARK = re.compile(r"\w+|[^\w\s]")


def align_words(text: str, words: Sequence[str]) -> Spans:
    """Character spans of `words` (underthesea output) in `text`, in order.

    underthesea may respell a word ("nghành" -> "ngành", "Uỷ" -> "Ủy"), so a
    word that is not found verbatim (on the match key) is aligned piece by
    piece: one run of letters per syllable, one character per mark.
    """
    key = match_key(text).lower()
    spans: Spans = []
    pos = 0
    for word in words:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        word_key = match_key(word).lower()
        if key.startswith(word_key, pos):
            spans.append((pos, pos + len(word_key)))
            pos += len(word_key)
            continue
        start = pos
        for piece in _SYLLABLE_OR_MARK.findall(word_key):
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            run = re.match(r"\w+", text[pos:]) if piece[0].isalnum() or piece[0] == "_" else None
            pos += len(run.group()) if run else 1
        if pos > start:
            spans.append((start, pos))
    return spans


def fix_phrases(text: str, spans: Spans, fixed: Spans) -> Spans:
    """Word spans with every fixed-phrase span made one token.

    Words inside a phrase are dropped; a word that straddles a phrase edge is
    cut there (its remainder kept as a token, stripped of spaces).
    """
    if not fixed:
        return spans
    out = list(fixed)
    for start, end in spans:
        pieces = [(start, end)]
        for f_start, f_end in fixed:
            if f_start < end and f_end > start:  # a phrase that misses the word misses its pieces
                pieces = _cut(pieces, f_start, f_end)
        for p_start, p_end in pieces:
            piece = text[p_start:p_end]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                out.append((p_start + lead, p_start + lead + len(stripped)))
    return sorted(out)


def _cut(pieces: Spans, f_start: int, f_end: int) -> Spans:
    """`pieces` less the characters of [f_start, f_end)."""
    out: Spans = []
    for p_start, p_end in pieces:
        if f_end <= p_start or f_start >= p_end:
            out.append((p_start, p_end))
            continue
        if p_start < f_start:
            out.append((p_start, f_start))
        if f_end < p_end:
            out.append((f_end, p_end))
    return out


def spans_to_doc(vocab: Vocab, text: str, spans: Spans) -> Doc:
    """A Doc whose text is exactly `text`: the given tokens, any uncovered
    non-space characters as tokens of their own, and spaCy-style whitespace
    tokens for runs of spaces or line breaks."""
    tokens: Spans = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:  # overlapping span from a bad alignment: skip it
            continue
        for gap in re.finditer(r"\S+", text[pos:start]):
            tokens.append((pos + gap.start(), pos + gap.end()))
        tokens.append((start, end))
        pos = end
    for gap in re.finditer(r"\S+", text[pos:]):
        tokens.append((pos + gap.start(), pos + gap.end()))

    words: list[str] = []
    spaces: list[bool] = []
    if tokens and tokens[0][0] > 0:
        words.append(text[: tokens[0][0]])
        spaces.append(False)
    elif not tokens and text:
        words.append(text)
        spaces.append(False)
    for i, (start, end) in enumerate(tokens):
        words.append(text[start:end])
        following = text[end : tokens[i + 1][0] if i + 1 < len(tokens) else len(text)]
        if following == "":
            spaces.append(False)
        elif following[0] == " ":
            spaces.append(True)
            if len(following) > 1:
                words.append(following[1:])
                spaces.append(False)
        else:
            spaces.append(False)
            words.append(following)
            spaces.append(False)
    doc = Doc(vocab, words=words, spaces=spaces)
    key = match_key(text).lower()
    for token in doc:
        token.norm_ = key[token.idx : token.idx + len(token.text)]
    return doc


class UndertheseaTokenizer:
    """text -> Doc of underthesea words, fixed phrases whole."""

    def __init__(self, vocab: Vocab, fixed: FixedPhrases | None = None):
        self.vocab = vocab
        self.fixed = fixed

    def __call__(self, text: str) -> Doc:
        from vntasks.pipeline.tokenize import Tokenizer

        return self.from_words(text, Tokenizer().tokenize(text))

    def from_words(self, text: str, words: Sequence[str]) -> Doc:
        """The Doc for words already segmented (e.g. `Paragraph.tokens`)."""
        spans = align_words(text, words)
        # underthesea respells some words ("nghành" -> "ngành"): look those up by its spelling
        respelled = {
            span: match_key(word).lower()
            for span, word in zip(spans, words)
            if match_key(text[span[0]:span[1]]).lower() != match_key(word).lower()
        }
        if self.fixed is not None:
            spans = fix_phrases(text, spans, self.fixed(text))
        doc = spans_to_doc(self.vocab, text, spans)
        for (start, end), norm in respelled.items():
            span = doc.char_span(start, end)  # the word's token, if it still is one after fix_phrases
            if span is not None and len(span) == 1:
                span[0].norm_ = norm
        return doc

    # spaCy calls these when a pipeline is saved or loaded; nothing to store.
    def to_bytes(self, **_kwargs) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_kwargs) -> UndertheseaTokenizer:
        return self

    def to_disk(self, _path, **_kwargs) -> None:
        return None

    def from_disk(self, _path, **_kwargs) -> UndertheseaTokenizer:
        return self


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_underthesea_tokenizer() -> Callable[[spacy.Language], UndertheseaTokenizer]:
    def create(nlp: spacy.Language) -> UndertheseaTokenizer:
        return UndertheseaTokenizer(nlp.vocab)

    return create


def vietnamese(fixed: FixedPhrases | None = None) -> spacy.Language:
    """A blank Vietnamese Language with the underthesea tokenizer."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    nlp.tokenizer.fixed = fixed
    return nlp
