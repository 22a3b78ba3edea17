"""`vntasks corpus validate`: each rule of GUIDELINE §3.3/§4/§5 caught with file:line:reason; the gold passes."""
from __future__ import annotations

import copy
import json
import unicodedata

import pytest

from vntasks.corpus.jsonl import read_corpus
from vntasks.corpus.validate import ERROR, WARNING, check_record, record_problems, validate_files
from vntasks.pipeline.cli import main
from vntasks.pipeline.errors import CorpusError

TEXT = "Sở Y tế chủ trì, phối hợp với Công an tỉnh tổ chức xét nghiệm; Sở Y tế báo cáo kết quả."


def good_record(doc_id: str = "t-1") -> dict:
    return {
        "id": doc_id, "source": f"{doc_id}.txt",
        "header": {"issuer": "UBND tỉnh X", "number": "12/UBND-VX", "date": "2026-11-02",
                   "subject": "phòng, chống dịch", "recipients": ["Sở Y tế"], "signer": "Nguyễn Văn A"},
        "paragraphs": [
            {"number": "1", "text": TEXT, "actions": ["testing", "planning"], "agencies": ["health"],
             "mentions": [{"text": "Sở Y tế", "category": "health", "role": "lead"},
                          {"text": "Công an tỉnh", "category": "police", "role": "support"}]},
            {"number": "2", "text": "Tiếp tục thực hiện nghiêm các biện pháp.", "actions": [],
             "agencies": ["all_units"], "mentions": []},
        ],
    }


def write(tmp_path, name, records):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_good_record_has_no_finding():
    assert check_record(good_record()) == []


def _set(path, value):
    def mutate(record):
        target = record
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return mutate


_DELETE = object()
P0, M0, M1 = ("paragraphs", 0), ("paragraphs", 0, "mentions", 0), ("paragraphs", 0, "mentions", 1)

# (rule, mutation, where, words of the reason)
ERROR_CASES = [
    ("unknown action", _set((*P0, "actions"), ["testing", "cleaning"]), "paragraphs[0].actions",
     "unknown label 'cleaning'"),
    ("action twice", _set((*P0, "actions"), ["testing", "testing"]), "paragraphs[0].actions", "given twice"),
    ("unknown agency", _set((*P0, "agencies"), ["hospital"]), "paragraphs[0].agencies", "unknown label 'hospital'"),
    ("unknown category", _set((*M1, "category"), "army"), "paragraphs[0].mentions[1].category",
     "unknown category 'army'"),
    ("unknown role", _set((*M1, "role"), "helper"), "paragraphs[0].mentions[1].role", "unknown role 'helper'"),
    ("mention not in text", _set((*M1, "text"), "Công an huyện"), "paragraphs[0].mentions[1].text", "does not occur"),
    ("start elsewhere", _set((*M1, "start"), 3), "paragraphs[0].mentions[1].start", "does not point at 'Công an tỉnh'"),
    ("end inconsistent", _set((*M0, "end"), 9), "paragraphs[0].mentions[0].end", "does not end 'Sở Y tế' (expected 7)"),
    ("negative start", _set((*M0, "start"), -1), "paragraphs[0].mentions[0].start", "non-negative integer"),
    ("agencies disagree with leads", _set((*P0, "agencies"), ["health", "police"]), "paragraphs[0].agencies",
     "expected ['health']"),
    ("no lead but not all_units", _set(("paragraphs", 1, "agencies"), ["health"]), "paragraphs[1].agencies",
     "expected ['all_units']"),
    ("same span twice", lambda r: r["paragraphs"][0]["mentions"].append(
        {"text": "Sở Y tế", "category": "health", "role": "lead"}), "paragraphs[0].mentions[2]", "same span [0:7]"),
    ("not NFC", _set((*P0, "text"), unicodedata.normalize("NFD", TEXT)), "paragraphs[0].text", "not NFC"),
    ("missing id", _set(("id",), _DELETE), "id", "required"),
    ("missing source", _set(("source",), _DELETE), "source", "required"),
    ("missing paragraphs", _set(("paragraphs",), _DELETE), "paragraphs", "required"),
    ("paragraphs not a list", _set(("paragraphs",), {}), "paragraphs", "required: a list"),
    ("missing text", _set((*P0, "text"), _DELETE), "paragraphs[0].text", "required"),
    ("missing number", _set((*P0, "number"), _DELETE), "paragraphs[0].number", "required"),
    ("number with punctuation", _set((*P0, "number"), "1."), "paragraphs[0].number", "without punctuation"),
    ("actions not a list", _set((*P0, "actions"), "testing"), "paragraphs[0].actions", "a list of labels"),
    ("missing mentions", _set((*P0, "mentions"), _DELETE), "paragraphs[0].mentions", "required"),
    ("mention without role", _set((*M0, "role"), _DELETE), "paragraphs[0].mentions[0].role", "unknown role None"),
    ("bad date", _set(("header", "date"), "02/11/2026"), "header.date", "not YYYY-MM-DD or YYYY-MM"),
    ("no such month", _set(("header", "date"), "2026-13"), "header.date", "month 13 does not exist"),
    ("no such day", _set(("header", "date"), "2026-02-30"), "header.date", "day 30 does not exist"),
    ("recipients not a list", _set(("header", "recipients"), "Sở Y tế"), "header.recipients", "list of strings"),
    ("unknown header field", _set(("header", "place"), "Hà Nội"), "header", "unknown field(s) 'place'"),
    ("header not an object", _set(("header",), "UBND"), "header", "must be an object"),
    ("meta not an object", _set(("meta",), ["x"]), "meta", "must be an object"),
    ("scores with unknown label", _set((*P0, "scores"), {"actions": {"cleaning": 0.4}}), "paragraphs[0].scores.actions",
     "'cleaning'"),
]


@pytest.mark.parametrize("rule, mutate, where, reason", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_each_rule_is_reported_with_file_line_and_reason(tmp_path, rule, mutate, where, reason):
    bad = good_record("t-2")
    mutate(bad)
    path = write(tmp_path, "bad.jsonl", [good_record("t-1"), bad])
    problems, records = validate_files([path])
    assert records == 2
    errors = [p for p in problems if p.severity == ERROR]
    assert errors, f"{rule} not caught"
    assert all(p.line == 2 and p.path == str(path) for p in errors)
    assert any(p.where == where and reason in p.message for p in errors), [str(p) for p in errors]
    assert any(str(p).startswith(f"{path}:2: error: {where}: ") for p in errors)


def test_a_valid_start_on_a_repeated_string_is_accepted():
    record = good_record()
    second = TEXT.rindex("Sở Y tế")
    record["paragraphs"][0]["mentions"].append({"text": "Sở Y tế", "category": "health", "role": "lead",
                                                "start": second, "end": second + 7})
    assert check_record(record) == []


WARNING_CASES = [
    ("unknown top-level field", _set(("comment",), "x"), "record", "unknown field(s) 'comment'"),
    ("mention with spaces", _set((*M1, "text"), "Công an tỉnh "), "paragraphs[0].mentions[1].text", "whitespace"),
    ("null header field", _set(("header", "signer"), None), "header.signer", "null"),
]


@pytest.mark.parametrize("rule, mutate, where, reason", WARNING_CASES, ids=[c[0] for c in WARNING_CASES])
def test_warnings_do_not_fail_the_record(rule, mutate, where, reason):
    record = good_record()
    mutate(record)
    findings = check_record(record)
    assert [f.severity for f in findings] == [WARNING], findings
    assert findings[0].where == where and reason in findings[0].message
    assert record_problems(record) == []


def test_overlapping_mentions_warn():
    record = good_record()
    record["paragraphs"][0]["mentions"].append({"text": "Y tế", "category": "health", "role": "lead"})
    assert [(f.severity, f.where) for f in check_record(record)] == [(WARNING, "paragraphs[0].mentions[2]")]


def test_ids_must_be_unique_across_files(tmp_path):
    first = write(tmp_path, "a.jsonl", [good_record("t-1")])
    second = write(tmp_path, "b.jsonl", [good_record("t-2"), good_record("t-1")])
    problems, _ = validate_files([first, second])
    assert [str(p) for p in problems] == [f"{second}:2: error: id: 't-1' is already used at {first}:1"]


def test_unreadable_lines_are_reported_and_the_rest_still_checked(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(good_record("t-1"), ensure_ascii=False).encode()
    bad = good_record("t-3")
    bad["paragraphs"][0]["actions"] = ["cleaning"]
    path.write_bytes(good + b"\n{not json\n\xff\xfe\n\n" + json.dumps(bad).encode() + b"\n")
    problems, records = validate_files([path])
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (2, "invalid JSON: Expecting property name enclosed in double quotes"),
        (3, "not UTF-8"),
        (5, "unknown label 'cleaning'; labels.json has testing, quarantine, propaganda, social_support, "
            "vaccination, medical_care, inspection, planning"),
    ]
    assert records == 2


def test_extraction_error_records_are_warnings(tmp_path):
    path = write(tmp_path, "pred.jsonl", [{"source": "x.pdf", "error": {"kind": "empty", "message": "no text"}}])
    problems, _ = validate_files([path])
    assert [(p.severity, p.line) for p in problems] == [(WARNING, 1)]


def test_read_corpus_refuses_an_invalid_record_naming_file_and_line(tmp_path):
    bad = good_record("t-2")
    bad["paragraphs"][0]["agencies"] = ["police"]
    path = write(tmp_path, "bad.jsonl", [good_record(), bad])
    with pytest.raises(CorpusError, match=rf"^{path}:2: paragraphs\[0\]\.agencies: \['police'\] do not match"):
        read_corpus(path)


def test_cli_exit_codes_and_output(tmp_path, capsys):
    bad = good_record("t-2")
    bad["paragraphs"][0]["mentions"][0]["category"] = "army"
    path = write(tmp_path, "bad.jsonl", [good_record(), bad])
    assert main(["corpus", "validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{path}:2: error: paragraphs[0].mentions[0].category: unknown category 'army'")
    assert "2 records in 1 file(s): 2 errors, 0 warnings" in err  # the category, and agencies vs leads
    warn = copy.deepcopy(good_record())
    warn["comment"] = "x"
    path = write(tmp_path, "warn.jsonl", [warn])
    assert main(["corpus", "validate", str(path)]) == 0
    assert main(["corpus", "validate", "--strict", str(path)]) == 1


def test_the_gold_passes(seeds_gold, shared_corpus, capsys):
    files = [seeds_gold, shared_corpus / "web.jsonl"]
    problems, records = validate_files(files)
    assert problems == []
    assert records == 5 + sum(1 for _ in open(files[1], encoding="utf-8"))
    assert main(["corpus", "validate", *map(str, files)]) == 0
