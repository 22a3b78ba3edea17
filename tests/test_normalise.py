"""Normalisation: the document text stages share, and same-length keys for matching."""
from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from vntasks.pipeline.normalise import LOWER, UPPER, fold, match_key, normalise_tone_marks, normalise_text


def test_normalise_text_line_ends_spaces_and_invisibles():
    assert normalise_text("a\r\nb\rc\u00a0d\u200be\tf") == "a\nb\nc de f"


def test_normalise_text_composes_nfc():
    decomposed = unicodedata.normalize("NFD", "Thành phố Hòa Bình")
    assert normalise_text(decomposed) == "Thành phố Hòa Bình"


def test_old_style_tone_marks_move_but_printed_text_stays():
    assert normalise_tone_marks("Thành uỷ hoà") == "Thành ủy hòa"
    assert match_key("Uỷ ban") == "Ủy ban"
    # `qu` is a consonant: "quý" keeps its mark on y.
    assert match_key("quý") == "quý"


def test_fold_is_lower_case_key_of_the_same_length():
    text = "Ủy ban nhân dân TỈNH Hoà Bình"
    key = fold(text)
    assert key == "ủy ban nhân dân tỉnh hòa bình"
    assert len(key) == len(text)


def test_case_classes_cover_vietnamese_letters():
    assert len(UPPER) == len(LOWER) == 93
    assert all(c.islower() for c in LOWER) and all(c.isupper() for c in UPPER)
    assert "Đ" in UPPER and "đ" in LOWER and "Ỹ" in UPPER


@given(st.text())
def test_fold_and_match_key_keep_offsets(text):
    text = unicodedata.normalize("NFC", text)
    assert len(fold(text)) == len(text)
    assert len(match_key(text)) == len(text)
