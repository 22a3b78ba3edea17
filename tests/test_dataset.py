"""Corpus JSONL → datasets.Dataset: rows, multi-hot labels, groups, and refusal of malformed records."""
from __future__ import annotations

import json

import pytest

from vntasks.corpus.dataset import load_dataset
from vntasks.corpus.jsonl import read_corpus
from vntasks.pipeline.errors import CorpusError
from vntasks.pipeline.labels import load_labels

LABELS = load_labels().actions


def _record(doc_id: str, text: str = "Sở Y tế tổ chức xét nghiệm.", actions=("testing",)) -> dict:
    return {"id": doc_id, "source": f"{doc_id}.txt", "header": {},
            "paragraphs": [{"number": "1", "text": text, "actions": list(actions), "agencies": ["all_units"],
                            "mentions": []}]}


def _write(path, records, raw_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_seed_rows_have_multi_hot_labels_and_document_ids(seeds_gold):
    docs = read_corpus(seeds_gold)
    ds = load_dataset(seeds_gold)
    assert ds.num_rows == sum(len(d.paragraphs) for d in docs)
    assert set(ds["doc_id"]) == {d.id for d in docs}
    row = ds[0]
    gold = docs[0].paragraphs[0]
    assert row["text"] == gold.text and row["corpus_file"] == "seeds.jsonl"
    assert row["labels"] == [1.0 if x in gold.actions else 0.0 for x in LABELS]
    assert [row[x] for x in LABELS] == [int(v) for v in row["labels"]]
    assert row["actions"] == [x for x in LABELS if x in gold.actions]
    assert not any(ds["synthetic"])


def test_web_corpus_and_synthetic_paragraphs(shared_corpus, repo):
    ds = load_dataset([shared_corpus / "web.jsonl", repo / "corpus" / "synthetic" / "actions.jsonl"])
    web = ds.filter(lambda r: not r["synthetic"])
    assert len(set(web["doc_id"])) == len(read_corpus(shared_corpus / "web.jsonl"))
    assert all(web["province"])
    assert ds.filter(lambda r: r["synthetic"]).num_rows > 0


@pytest.mark.parametrize("records, raw, message", [
    ([_record("a", actions=["disinfection"])], [], ":1: .*unknown label 'disinfection'"),
    ([_record("a")], ['{"id": "b", "paragraphs": '], ":2: invalid JSON"),
    ([_record("a"), _record("a")], [], ":2: document id 'a' already used at .*:1"),
    ([_record("a", text="   ")], [], r":1: paragraphs\[0\].text: required"),
    ([{"id": "a"}], [], ":1: .*paragraphs: required"),
])
def test_malformed_records_are_refused_with_file_and_line(tmp_path, records, raw, message):
    path = _write(tmp_path / "bad.jsonl", records, raw)
    with pytest.raises(CorpusError, match=f"bad.jsonl{message}"):
        load_dataset(path)
