"""Item markers at the start of a paragraph: `1.`, `a)`, `II.`, `Một là,`, `Điều 1.`, `-` ...

`read_marker(text)` recognises one marker and says what kind it is, the number
as GUIDELINE §1 wants it (`"1"`, `"a"`, `"Một"`, `"Thứ nhất"`, `"1"` for
`Điều 1`), and where the item's own text begins. Kinds, and the level each
usually has in a dispatch:

- `roman` (`I.`, `II.`) and `capital` (`A.`): section headings;
- `article` (`Điều 1.`), `arabic` (`1.`, `1)`, `1-`, `1/`) and `word`
  (`Một là,`, `Thứ nhất:`): top-level instructions;
- `letter` (`a)`, `a.`), `paren` (`(1)`, `(a)`), `decimal` (`1.1.`) and
  `bullet` (`-`, `+`, `•`): sub-items, or the top level when nothing above
  them is present.

`style` tells markers of one kind apart (`1.` vs `1)`), so a document that
numbers items `1.` and sub-items `1)` is read right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vntasks.pipeline.normalise import UPPER

_WORD_NUMBERS = "Một|Hai|Ba|Bốn|Tư|Năm|Sáu|Bảy|Tám|Chín|Mười một|Mười hai|Mười"
_ORDINALS = "nhất|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười|\\d{1,2}"
_ROMAN = "XIII|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I"

_ARTICLE = re.compile(r"Điều\s+(\d{1,3})\s*[.:]\s*")
_DECIMAL = re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\s*[.)]?\s+(?=\S)")
# `1.` may be glued to its text (`1.Giao`) but never to a digit (`22.10.2009`); `1 - ` needs a capital
# after it, so that a range (`10 - 15 người`) is not read as an item.
_ARABIC = re.compile(rf"(\d{{1,2}})(\.(?!\d)| ?\)|-(?=\s)|/(?=\s)| [-–](?= [{UPPER}]))[ \t]*(?=\S)")
_WORD = re.compile(rf"({_WORD_NUMBERS})\s+là\s*[,:.][ \t]*", re.IGNORECASE)
# `Thứ Sáu, 06-08-2021` is a weekday, not an ordinal: no digit may follow.
_ORDINAL = re.compile(rf"(Thứ\s+(?:{_ORDINALS}))\s*[,:.](?![ \t]*[\d(])[ \t]*", re.IGNORECASE)
_ROMAN_MARK = re.compile(rf"({_ROMAN})(?:\.(?!\d)| ?\)|[/-](?=\s))[ \t]*(?=\S)")
_CAPITAL = re.compile(rf"([A-DĐ])\s*[.)]\s+(?=[{UPPER}])")
_LETTER = re.compile(r"([a-zđ])\s*[).]\s*(?=\S)")
_PAREN = re.compile(r"\((\d{1,2}|[a-zđ])\)\s*(?=\S)")
_BULLET = re.compile(r"([-–—+•·●▪◦*])\s*(?=\S)")

TOP_KINDS = ("article", "arabic", "word")
SECTION_KINDS = ("roman", "capital")


@dataclass(frozen=True)
class Marker:
    kind: str  # article, arabic, word, roman, capital, letter, paren, decimal, bullet
    number: str  # as GUIDELINE §1 keeps it; "" for bullets
    style: str  # the punctuation or bullet sign, to tell levels of one kind apart
    end: int  # where the item's own text starts


def read_marker(text: str) -> Marker | None:
    """The marker `text` starts with, or None."""
    if not text:
        return None
    first = text[0]
    if first == "Đ" and (m := _ARTICLE.match(text)):
        return Marker("article", m.group(1), "Điều", m.end())
    if first.isdigit():
        if m := _DECIMAL.match(text):
            return Marker("decimal", m.group(1), ".", m.end())
        if m := _ARABIC.match(text):
            return Marker("arabic", m.group(1), m.group(2).strip().replace("–", "-"), m.end())
        return None
    if first == "(":
        if m := _PAREN.match(text):
            return Marker("paren", m.group(1), "()", m.end())
        return None
    if m := _WORD.match(text):
        number = m.group(1)
        return Marker("word", number[0].upper() + number[1:], "là", m.end())
    if m := _ORDINAL.match(text):
        number = " ".join(m.group(1).split())
        return Marker("word", number[0].upper() + number[1:], "ordinal", m.end())
    if m := _ROMAN_MARK.match(text):
        return Marker("roman", m.group(1), m.group(0).strip()[-1], m.end())
    if m := _CAPITAL.match(text):
        return Marker("capital", m.group(1), m.group(0).strip()[-1], m.end())
    if m := _LETTER.match(text):
        rest = text[m.end():]
        # `a.` must be followed by a capital or a space, not an abbreviation (`v.v`).
        if m.group(0).rstrip().endswith(".") and not (rest[:1].isupper() and m.group(0).endswith(" ")):
            return None
        return Marker("letter", m.group(1), m.group(0).strip()[-1], m.end())
    if m := _BULLET.match(text):
        sign = m.group(1)
        if sign == "*" and text.startswith("**"):
            return None
        return Marker("bullet", "", "-" if sign in "-–—" else sign, m.end())
    return None
