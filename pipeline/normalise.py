"""Unicode and Vietnamese spelling normalisation.

Two levels, because the gold keeps text *as printed*:

- `normalise_text` makes the document text every stage works on: NFC, `\\n`
  line ends, no invisible characters, no-break spaces as spaces. Paragraph
  and mention texts are substrings of it (modulo page-break rejoining).
- `match_key` is for comparing and looking up words: it also moves old-style
  tone marks (`hoà`, `Thành uỷ`) to the modern place (`hòa`, `Thành ủy`).
  It never changes the length of NFC text, so offsets found on the key are
  offsets in the printed text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_COMBINING = "\u0300-\u036f"
# In NFD: o+a, o+e, u+y with the tone on the second vowel, closing the syllable
# (no letter or further mark after it), and not the `qu` consonant.
_OLD_STYLE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![\w{_COMBINING}])")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def _move_tone(match: re.Match[str]) -> str:
    pair, tone = match.group(1), match.group(2)
    return pair[0] + tone + pair[1]


def normalise_tone_marks(text: str) -> str:
    """`hoà` → `hòa`, `Thành uỷ` → `Thành ủy`; returns NFC text of the same length."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD_STYLE.sub(_move_tone, decomposed))


def normalise_text(text: str) -> str:
    """The document text stages work on: NFC, `\\n` line ends, plain spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1 << 14)  # stages key the same words and paragraphs again and again
def match_key(text: str) -> str:
    """Spelling-insensitive form for lookups and comparisons (same length as `text` in NFC)."""
    return normalise_tone_marks(unicodedata.normalize("NFC", text))


@lru_cache(maxsize=1 << 12)  # the segmenter folds the same lines and texts in several readers
def fold(text: str) -> str:
    """Lower-cased `match_key`, one character per character of NFC `text`, for regex cues."""
    key = match_key(text)
    if len(key) != len(text):  # exotic input; keep offsets aligned rather than the spelling
        key = text
    low = key.lower()
    if len(low) == len(key) and "Σ" not in key:  # str.lower lowers a final Σ by its context
        return low
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in key)


# Vietnamese letters by case, for regex character classes (`[{UPPER}]`): Python's
# `re` has no \p{Lu}, and ranges like `À-Ỹ` mix both cases.
LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvwxyỳýỷỹỵz"
UPPER = LOWER.upper()
