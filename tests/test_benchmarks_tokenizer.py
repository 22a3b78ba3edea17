"""The tokenizer's precompiled fixed-words path (a hot spot found by benchmarks/extraction.py) gives exactly the
tokens of underthesea's own `word_tokenize(text, fixed_words=...)`."""
from __future__ import annotations

import json

import pytest

from vntasks.pipeline.agencies import Lexicon
from vntasks.pipeline.tokenize import Tokenizer


@pytest.fixture(scope="module")
def names():
    return Lexicon.load(None).names()


def gold_texts(*paths) -> list[str]:
    texts = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts += [p["text"] for p in record["paragraphs"]]
            texts += [v for v in (record.get("header") or {}).values() if isinstance(v, str) and v]
    return texts


def test_same_tokens_as_underthesea_fixed_words(names, seeds_gold, shared_corpus):
    from underthesea import word_tokenize

    tokenizer = Tokenizer(names)
    texts = gold_texts(seeds_gold, shared_corpus / "web.jsonl") + [
        "Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với UBND các huyện.",
        "  Công an tỉnh;   Bộ Chỉ huy Quân sự tỉnh \t phối hợp.  ",
        "1. ...",
    ]
    differ = [t for t in texts if tokenizer.tokenize(t) != word_tokenize(t, fixed_words=tokenizer.fixed_words)]
    assert not differ, differ[:3]
    assert tokenizer._fast, "the precompiled path fell back to the public call"


def test_agency_names_stay_one_word(names):
    tokens = Tokenizer(names).tokenize("Sở Lao động - Thương binh và Xã hội chủ trì thực hiện.")
    assert "Lao động - Thương binh và Xã hội" in tokens


def test_blank_text_and_no_fixed_words():
    assert Tokenizer(["Sở Y tế"]).tokenize("  \n ") == []
    assert Tokenizer().tokenize("Sở Y tế chủ trì.")[-1] == "."
