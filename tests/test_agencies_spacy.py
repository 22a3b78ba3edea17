"""The Vietnamese spaCy Language of the agency tagger: underthesea words, exact offsets."""
from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from vntasks.pipeline.normalise import match_key
from vntasks.pipeline.spacy_vi import TOKENIZER_NAME, UndertheseaTokenizer, align_words, fix_phrases, spans_to_doc, vietnamese


def test_tokens_are_underthesea_words_and_text_is_kept():
    nlp = vietnamese()
    text = "  Uỷ ban nhân dân  tỉnh\nchỉ đạo."
    doc = nlp(text)
    assert doc.text == text
    assert "chỉ đạo" in [t.text for t in doc]  # a two-syllable word is one token
    assert all(t.norm_ == match_key(t.text).lower() for t in doc)  # NORM: lower case, modern tone marks
    assert any(t.norm_.startswith("ủy") for t in doc)


def test_fixed_phrases_are_whole_whatever_the_segmentation():
    text = "Sở Lao động - Thương binh và Xã hội chủ trì"
    start = text.index("Lao")
    phrase = (start, text.index(" chủ"))
    words = ["Sở Lao", "động", "-", "Thương binh", "và", "Xã", "hội chủ", "trì"]
    spans = fix_phrases(text, align_words(text, words), [phrase])
    assert [text[a:b] for a, b in spans] == ["Sở", "Lao động - Thương binh và Xã hội", "chủ", "trì"]


def test_respelled_words_are_aligned_on_the_printed_text():
    text = "Các nghành, Uỷ ban"
    spans = align_words(text, ["Các", "ngành", ",", "Ủy ban"])
    assert [text[a:b] for a, b in spans] == ["Các", "nghành", ",", "Uỷ ban"]


def test_the_tokenizer_is_registered_and_reloads(tmp_path):
    nlp = vietnamese()
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == TOKENIZER_NAME
    nlp.to_disk(tmp_path / "vi")
    again = spacy.load(tmp_path / "vi")
    assert isinstance(again.tokenizer, UndertheseaTokenizer)
    assert again("Sở Y tế chủ trì.").text == "Sở Y tế chủ trì."


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Sở", "Y tế", "  ", " ", "\n", "chủ trì", ",", "Uỷ ban", "(1)", "xã"]), max_size=12))
def test_any_text_round_trips_with_any_word_list(pieces):
    text = "".join(p if p.isspace() else p + " " for p in pieces)
    words = text.split()
    vocab = vietnamese().vocab
    doc = spans_to_doc(vocab, text, align_words(text, words))
    assert doc.text == text
    for token in doc:
        assert text[token.idx:token.idx + len(token.text)] == token.text
