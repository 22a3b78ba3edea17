"""Document matching and paragraph alignment."""
from __future__ import annotations

from difflib import SequenceMatcher

from vntasks.evaluation.align import (
    FUZZY_THRESHOLD,
    OffsetMap,
    align_paragraphs,
    file_name,
    match_documents,
    text_key,
)
from vntasks.pipeline.document import Dispatch


def kinds(units):
    return [(u.gold, u.pred, u.kind) for u in units]


def test_exact_alignment_ignores_spacing_and_old_tone_marks():
    gold = ["Ủy ban nhân dân huyện chỉ đạo.", "Sở Y tế  chủ trì."]
    pred = ["Sở Y tế chủ trì.", "Uỷ ban nhân dân\nhuyện chỉ đạo."]
    assert kinds(align_paragraphs(gold, pred)) == [(0, 1, "exact"), (1, 0, "exact")]


def test_alignment_is_one_to_one():
    gold = ["Công an tỉnh tăng cường tuần tra."]
    pred = ["Công an tỉnh tăng cường tuần tra.", "Công an tỉnh tăng cường tuần tra."]
    assert kinds(align_paragraphs(gold, pred)) == [(0, 0, "exact"), (None, 1, "spurious")]


def test_fuzzy_alignment_respects_the_threshold():
    gold = "Trung tâm Y tế huyện tổ chức tiêm vắc xin cho người dân trên địa bàn."
    close = "Trung tâm Y tế huyện tổ chức tiêm vắc xin cho nhân dân trên địa bàn."
    far = "Trung tâm Y tế huyện họp."
    assert SequenceMatcher(None, gold, close).ratio() >= FUZZY_THRESHOLD > SequenceMatcher(None, gold, far).ratio()
    units = align_paragraphs([gold], [far, close])
    assert kinds(units) == [(0, 1, "fuzzy"), (None, 0, "spurious")]
    assert units[0].ratio == SequenceMatcher(None, text_key(gold), text_key(close), autojunk=False).ratio()
    assert kinds(align_paragraphs([gold], [close], threshold=0.999)) == [(0, None, "missed"), (None, 0, "spurious")]


def test_fuzzy_prefers_the_most_similar_pair():
    gold = ["Sở Y tế tổ chức xét nghiệm cho người dân.", "Sở Y tế tổ chức xét nghiệm cho học sinh."]
    pred = ["Sở Y tế tổ chức xét nghiệm cho học sinh nhé.", "Sở Y tế tổ chức xét nghiệm cho người dân nhé."]
    assert kinds(align_paragraphs(gold, pred)) == [(0, 1, "fuzzy"), (1, 0, "fuzzy")]


def test_a_merged_prediction_leaves_both_gold_paragraphs_missed():
    gold = ["Sở Y tế chủ trì xét nghiệm diện rộng.", "Công an tỉnh bảo đảm an ninh trật tự tại khu cách ly."]
    pred = [" ".join(gold)]
    assert [u.kind for u in align_paragraphs(gold, pred)] == ["missed", "missed", "spurious"]


def test_offset_map_carries_spans_across_small_edits():
    source = "Giao  Sở Y tế chủ trì, phối hợp Công an tỉnh."
    target = "Giao Sở Y tế chủ trì, phối hợp với Công an tỉnh."
    mapping = OffsetMap(source, target)
    for needle in ("Sở Y tế", "Công an tỉnh"):
        start = source.index(needle)
        new_start, new_end = mapping.span(start, start + len(needle))
        assert target[new_start:new_end] == needle


def test_file_name_handles_paths():
    assert file_name("/data/in/A005.txt") == "A005.txt"
    assert file_name("C:\\in\\A005.txt") == "A005.txt"
    assert file_name("A005.txt") == "A005.txt"


def test_documents_match_by_source_name_first_then_id():
    gold = [Dispatch("seed-000", "000_abc.txt"), Dispatch("A005", "A005.txt"), Dispatch("B1", "b1.txt")]
    preds = [
        Dispatch("000_abc", "/tmp/in/000_abc.txt"),  # by file name, id differs
        Dispatch("A005", "renamed.txt"),  # by id
        {"source": "b1.txt", "error": {"kind": "empty", "message": "the file is empty"}},
        Dispatch("A005", "A005.txt"),  # a second prediction for A005
        Dispatch("Z", "z.txt"),
    ]
    match = match_documents(gold, preds)
    assert match.pairs[0].pred is preds[0] and match.pairs[0].status == "ok"
    assert match.pairs[1].pred is preds[1]
    assert match.pairs[2].status == "error" and match.pairs[2].error["kind"] == "empty"
    assert match.duplicates == ["A005.txt"] and match.unmatched == ["z.txt"]


def test_duplicate_gold_sources_are_refused():
    import pytest

    with pytest.raises(ValueError, match="a.txt"):
        match_documents([Dispatch("x", "a.txt"), Dispatch("y", "dir/a.txt")], [])
