"""Legacy Vietnamese encodings → Unicode: Windows-1258, TCVN3 (ABC) and VNI.

Government files older than the Unicode switch (and many .docx files still
typed in the `.VnTime` or `VNI-Times` fonts) carry one of three encodings:

- Windows-1258: a Python codec; tones are combining bytes, so the result is
  put in NFC.
- TCVN3 (TCVN 5712:1993 VN3, "ABC"): one byte per precomposed letter. It
  has no upper-case toned letters: headings typed in `.VnTimeH` use the
  lower-case codes, so all-capital words are upper-cased back.
- VNI: a base letter followed by a byte for its marks (`Vieät` = `Việt`);
  ơ, ư, đ and the toned i letters are single bytes.

The tables below are data, keyed by the byte value (identical in the
Latin-1 and Windows-1252 views of those bytes, which is how the text shows
up when a font-encoded file was saved as "Unicode").

Detection scores each candidate decoding by the share of its accented words
that are valid Vietnamese syllables; valid UTF-8 Vietnamese is never
converted, because a conversion must beat the text as it stands by a wide
margin.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# TCVN3 byte -> letter. Bytes not listed (ASCII, and 0x80-0xA0 etc.) keep their Latin-1 meaning.
TCVN3: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}

# VNI: letters written as one byte.
VNI_SINGLE: dict[int, str] = {
    0xF4: "ơ", 0xF6: "ư", 0xF1: "đ", 0xED: "í", 0xEC: "ì", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị", 0xEE: "ỵ",
    0xD4: "Ơ", 0xD6: "Ư", 0xD1: "Đ", 0xCD: "Í", 0xCC: "Ì", 0xC6: "Ỉ", 0xD3: "Ĩ", 0xD2: "Ị", 0xCE: "Ỵ",
}
# VNI: mark byte following a base letter -> the marks it adds (lower-case letters; upper-case in VNI_MARKS_UPPER).
# Marks are named by their Unicode combining characters: circumflex U+0302, breve U+0306, and the five tones.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
VNI_MARKS_LOWER: dict[int, str] = {
    0xF9: _ACUTE, 0xF8: _GRAVE, 0xFB: _HOOK, 0xF5: _TILDE, 0xEF: _DOT,
    0xE2: _CIRC, 0xE1: _CIRC + _ACUTE, 0xE0: _CIRC + _GRAVE, 0xE5: _CIRC + _HOOK, 0xE3: _CIRC + _TILDE,
    0xE4: _CIRC + _DOT,
    0xEA: _BREVE, 0xE9: _BREVE + _ACUTE, 0xE8: _BREVE + _GRAVE, 0xFA: _BREVE + _HOOK, 0xFC: _BREVE + _TILDE,
    0xEB: _BREVE + _DOT,
}
VNI_MARKS_UPPER: dict[int, str] = {
    0xD9: _ACUTE, 0xD8: _GRAVE, 0xDB: _HOOK, 0xD5: _TILDE, 0xCF: _DOT,
    0xC2: _CIRC, 0xC1: _CIRC + _ACUTE, 0xC0: _CIRC + _GRAVE, 0xC5: _CIRC + _HOOK, 0xC3: _CIRC + _TILDE,
    0xC4: _CIRC + _DOT,
    0xCA: _BREVE, 0xC9: _BREVE + _ACUTE, 0xC8: _BREVE + _GRAVE, 0xDA: _BREVE + _HOOK, 0xDC: _BREVE + _TILDE,
    0xCB: _BREVE + _DOT,
}

_TONES = frozenset(_ACUTE + _GRAVE + _HOOK + _TILDE + _DOT)
# Letters only Vietnamese uses (outside Latin-1): their presence means the text is already Unicode Vietnamese.
_VIETNAMESE_UNICODE = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
_HIGH_LATIN = re.compile("[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")
# Spelling of a toneless syllable: onset, then a rhyme. Rhymes ending in a glide take no final consonant;
# ă, â and the diphthongs iê/yê/uô/ươ must have one.
_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnpqrstvx])?"
_GLIDE_RHYMES = ("iêu yêu oai oay oao oeo uây uôi uya uyu ươi ươu "
                 "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu")
_OPEN_OR_CLOSED = "oa oe uê uy uơ a e ê i o ô ơ u ư y"
_CLOSED_ONLY = "uyê iê yê uô ươ oă uâ ă â"
_FINAL = r"(?:ch|ng|nh|[cmnpt])"
_SYLLABLE = re.compile(
    _ONSET
    + "(?:" + "|".join(_GLIDE_RHYMES.split())
    + "|(?:" + "|".join(_OPEN_OR_CLOSED.split()) + ")" + _FINAL + "?"
    + "|(?:" + "|".join(_CLOSED_ONLY.split()) + ")" + _FINAL + ")"
)
_WORD = re.compile(r"[^\W\d_]+")
# Words for scoring: split at spaces and ASCII punctuation only, so that the Latin-1 symbols
# mis-decoded text is full of (`Sá»Ÿ`, `x·`) stay inside the word and make it invalid.
_TOKEN_SPLIT = re.compile(r"[\s!-/:-@\[-`{-~“”‘’…–—•]+")


def _cp1252_view() -> dict[str, int]:
    """Character -> byte for the Windows-1252 view (Latin-1 for the five bytes it leaves undefined)."""
    view = {chr(b): b for b in range(256)}
    for b in range(0x80, 0xA0):
        try:
            view[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            pass
    return view


_CHAR_TO_BYTE = _cp1252_view()


def is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` is spelled like a Vietnamese syllable (at most one tone, legal onset/nucleus/coda)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if not all(ch.isalpha() or unicodedata.combining(ch) for ch in decomposed):
        return False
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return _SYLLABLE.fullmatch(base) is not None


def vietnamese_score(text: str) -> tuple[float, int]:
    """(share of accented words that are valid syllables, number of accented words)."""
    words = (w.strip("«»") for w in _TOKEN_SPLIT.split(text))
    accented = [w for w in words if w and not w.isascii()]
    if not accented:
        return 0.0, 0
    valid = sum(is_vietnamese_syllable(w) for w in accented)
    return valid / len(accented), len(accented)


def _restore_capitals(text: str) -> str:
    """TCVN3 headings are typed in an all-capitals font over lower-case codes: restore the capitals.

    A word goes upper-case when it has two capitals and no ASCII lower-case
    letter (`CéNG` → `CỘNG`); a whole line does when it has no ASCII lower-case
    letter, three words or more and two such words (`CéNG HOµ X· HéI`). A
    capitalised word alone (`Së`, `Sè:`) stays as it is.
    """

    def all_caps(word: str) -> bool:
        return sum(ch.isupper() for ch in word) >= 2 and not any(ch.islower() and ch.isascii() for ch in word)

    lines = []
    for line in text.split("\n"):
        words = _WORD.findall(line)
        if (len(words) >= 3 and sum(all_caps(w) for w in words) >= 2
                and not any(ch.islower() and ch.isascii() for ch in line)):
            lines.append(line.upper())
        else:
            lines.append(_WORD.sub(lambda m: m.group(0).upper() if all_caps(m.group(0)) else m.group(0), line))
    return "\n".join(lines)


def tcvn3_to_unicode(text: str) -> str:
    """TCVN3 text seen through Latin-1/Windows-1252 → Unicode NFC."""
    out = []
    for ch in text:
        code = _CHAR_TO_BYTE.get(ch)
        out.append(TCVN3.get(code, ch) if code is not None else ch)
    return unicodedata.normalize("NFC", _restore_capitals("".join(out)))


def _vni_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over every VNI sequence (longest first) and what each sequence means."""
    table: dict[str, str] = {}
    bases_lower = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y",
                   chr(0xF4): "ơ", chr(0xF6): "ư"}
    for base_char, base in bases_lower.items():
        for code, marks in VNI_MARKS_LOWER.items():
            table[base_char + chr(code)] = base + marks
        upper_char = "Ô" if base_char == chr(0xF4) else "Ö" if base_char == chr(0xF6) else base_char.upper()
        for code, marks in VNI_MARKS_UPPER.items():
            table[upper_char + chr(code)] = base.upper() + marks
    for code, letter in VNI_SINGLE.items():
        table[chr(code)] = letter
    # Only combinations that make a real letter: circumflex on a/e/o, breve on a, tones anywhere.
    valid = {}
    for seq, letters in table.items():
        composed = unicodedata.normalize("NFC", letters)
        if len(composed) == 1:
            valid[seq] = composed
    keys = sorted(valid, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), valid


_VNI_RE, _VNI_TABLE = _vni_pattern()


def vni_to_unicode(text: str) -> str:
    """VNI text seen through Latin-1/Windows-1252 → Unicode NFC."""
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: _VNI_TABLE[m.group(0)], text))


def _double_utf8_to_unicode(text: str) -> str:
    """UTF-8 bytes once decoded as Windows-1252 (`Sá»Ÿ`) → the original text; unchanged if it is not that."""
    try:
        raw = bytes(_CHAR_TO_BYTE[ch] for ch in text)
        return raw.decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return text


# Conversions tried on text that decoded (or was stored) as Unicode but shows no Vietnamese letters.
_TEXT_REPAIRS: dict[str, Callable[[str], str]] = {
    "tcvn3": tcvn3_to_unicode,
    "vni": vni_to_unicode,
    "utf-8 read as windows-1252": _double_utf8_to_unicode,
}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-16", "windows-1258", "tcvn3", "vni", ...


def _suspect_lines(text: str) -> list[int]:
    """Lines with Latin-1 letters but no Vietnamese-only letters: where font-encoded text hides."""
    return [
        i for i, line in enumerate(text.split("\n"))
        if _HIGH_LATIN.search(line) and not _VIETNAMESE_UNICODE.search(line)
    ]


def repair_font_encoding(text: str) -> Decoded | None:
    """The text with its TCVN3/VNI/double-UTF-8 lines converted, or None when no conversion is clearly better.

    Only lines without any Vietnamese-only letter are candidates, so a document
    that mixes Unicode and `.VnTime` paragraphs is repaired line by line. A
    conversion is taken when at least three accented words decide it, nine in
    ten of them become valid syllables, and that beats the text as it stands by
    at least 0.3.
    """
    lines = text.split("\n")
    suspects = _suspect_lines(text)
    if not suspects:
        return None
    sample = "\n".join(lines[i] for i in suspects)
    before, _ = vietnamese_score(sample)
    best: tuple[float, str] | None = None
    for name, convert in _TEXT_REPAIRS.items():
        score, n = vietnamese_score(convert(sample))
        if n >= 3 and score >= 0.9 and score - before >= 0.3 and (best is None or score > best[0]):
            best = (score, name)
    if best is None:
        return None
    convert = _TEXT_REPAIRS[best[1]]
    for i in suspects:
        lines[i] = convert(lines[i])
    return Decoded("\n".join(lines), best[1])


def _windows_view(data: bytes) -> str:
    """Bytes as a Windows font shows them: Windows-1252 punctuation at 0x80-0x9F, Latin-1 elsewhere."""
    return "".join(_WINDOWS_VIEW[b] for b in data)


_WINDOWS_VIEW = {byte: char for char, byte in _CHAR_TO_BYTE.items() if byte < 0x80 or byte >= 0xA0 or ord(char) > 0xFF}
_WINDOWS_VIEW.update({b: chr(b) for b in range(0x80, 0xA0) if b not in _WINDOWS_VIEW})


def decode_legacy(data: bytes) -> Decoded | None:
    """Bytes that are not UTF-8 → the best of Windows-1258/TCVN3/VNI, or None when none reads as Vietnamese."""
    latin = _windows_view(data)
    candidates: dict[str, str] = {}
    try:
        candidates["windows-1258"] = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        pass
    candidates["tcvn3"] = tcvn3_to_unicode(latin)
    candidates["vni"] = vni_to_unicode(latin)
    scored = {name: vietnamese_score(text) for name, text in candidates.items()}
    best = max(scored, key=lambda name: scored[name][0])
    score, n = scored[best]
    if n >= 1 and score >= 0.8:
        return Decoded(candidates[best], best)
    if all(count == 0 for _, count in scored.values()) and "windows-1258" in candidates:
        # No accented letters at all, only punctuation such as curly quotes: every reading agrees.
        return Decoded(candidates["windows-1258"], "windows-1258")
    return None


def best_guess(data: bytes) -> str:
    """For error messages: which legacy reading came closest, and how close."""
    latin = _windows_view(data)
    readings = {
        "windows-1258": unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")),
        "tcvn3": tcvn3_to_unicode(latin),
        "vni": vni_to_unicode(latin),
    }
    name, (score, n) = max(((k, vietnamese_score(v)) for k, v in readings.items()), key=lambda kv: kv[1][0])
    return f"best guess {name}: {score:.0%} of {n} accented words are Vietnamese"
