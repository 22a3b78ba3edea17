"""The corrections loop for agency names: a missed name, added to a lexicon copy, is found."""
from __future__ import annotations

import json

from vntasks.corpus.lexicon_check import check_lexicon, format_check
from vntasks.pipeline.document import Dispatch

TEXT = "Hợp tác xã Tân Phú chủ trì, phối hợp với Trạm Thú y huyện tổ chức tiêm vắc xin cho đàn gia súc."
RECORD = {"id": "x1", "source": "x1.txt", "paragraphs": [{
    "number": "1", "text": TEXT, "actions": ["vaccination"], "agencies": ["agriculture"],
    "mentions": [{"text": "Hợp tác xã Tân Phú", "category": "agriculture", "role": "lead"},
                 {"text": "Trạm Thú y huyện", "category": "agriculture", "role": "support"}]}]}


def test_a_name_added_to_the_lexicon_is_found(repo, tmp_path):
    docs = [Dispatch.from_json(RECORD)]
    before = check_lexicon(docs)
    assert (before.found, before.total) == (1, 2)
    assert dict(before.missed) == {("Hợp tác xã Tân Phú", "agriculture"): 1}
    assert "1  agriculture          Hợp tác xã Tân Phú  (x1)" in format_check(before)
    lexicon = json.loads((repo / "corpus" / "lexicon" / "agencies.json").read_text("utf-8"))
    lexicon["bodies"].setdefault("agriculture", []).append("Hợp tác xã Tân Phú")
    edited = tmp_path / "agencies.json"
    edited.write_text(json.dumps(lexicon, ensure_ascii=False), "utf-8")
    after = check_lexicon(docs, edited)
    assert (after.found, after.total) == (2, 2) and not after.missed
