"""Label Studio export/import: the gold survives a round trip exactly; a corrected export imports as corrected."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from vntasks.corpus.labelstudio import (
    NOT_A_UNIT,
    labelling_config,
    paragraph_result,
    records_to_tasks,
    tasks_to_records,
)
from vntasks.pipeline.cli import main
from vntasks.pipeline.labels import load_labels


def gold_lines(paths):
    return [line for path in paths for line in open(path, encoding="utf-8") if line.strip()]


@pytest.fixture(scope="module")
def gold_files(seeds_gold, shared_corpus):
    return [seeds_gold, shared_corpus / "web.jsonl"]


@pytest.mark.parametrize("mode", ["annotations", "predictions"])
def test_gold_round_trip_is_exact(gold_files, tmp_path, mode):
    """Every field, header and meta, mention order, repeated mention texts with `start`, byte for byte."""
    tasks_path, back = tmp_path / "tasks.json", tmp_path / "back.jsonl"
    assert main(["corpus", "export-labelstudio", *map(str, gold_files), "-o", str(tasks_path), "--as", mode]) == 0
    extra = ["--use-predictions"] if mode == "predictions" else []
    assert main(["corpus", "import-labelstudio", str(tasks_path), "-o", str(back), *extra]) == 0
    expected = gold_lines(gold_files)
    assert back.read_text(encoding="utf-8").splitlines(keepends=True) == expected
    records = [json.loads(line) for line in expected]
    assert any("header" not in r for r in records)  # the round trip kept absent headers absent
    assert any("start" in m for r in records for p in r["paragraphs"] for m in p["mentions"])


def test_without_a_flag_predictions_are_not_taken_as_annotations(gold_files):
    records = [json.loads(line) for line in gold_lines(gold_files[:1])]
    report = tasks_to_records(records_to_tasks(records))
    assert report.records == [] and report.errors == []
    assert report.warnings == ["5 document(s) left out, nothing annotated yet (--use-predictions takes their "
                               "pre-annotations): seed-000, seed-001, seed-002, seed-003, seed-004"]


def prediction_record():
    """What `vntasks extract` writes: offsets, scores, provenance; plus a document without paragraphs."""
    text = "Sở Y tế chủ trì, phối hợp Công an tỉnh tổ chức xét nghiệm cho người về từ vùng dịch."
    return {
        "id": "cv-9", "source": "cv-9.docx",
        "header": {"issuer": "UBND tỉnh X", "date": "2026-11"},
        "paragraphs": [
            {"number": "1", "text": text, "actions": ["testing"], "agencies": ["health"],
             "mentions": [{"text": "Sở Y tế", "category": "health", "role": "lead", "start": 0, "end": 7},
                          {"text": "Công an tỉnh", "category": "police", "role": "support", "start": 26, "end": 38}],
             "section": "I. NHIỆM VỤ", "start": 120, "end": 205,
             "scores": {"actions": {"testing": 0.91, "quarantine": 0.42}, "agencies": {"health": 0.8}}},
            {"number": "2", "text": "Báo cáo kết quả trước ngày 30.", "actions": ["planning"],
             "agencies": ["all_units"], "mentions": [], "start": 206, "end": 236},
        ],
        "provenance": {"path": "in/cv-9.docx", "model": "default", "model_version": "0.3.0"},
    }


def test_prediction_export_has_pre_annotations_model_version_and_confidence():
    empty = {"id": "cv-10", "source": "cv-10.txt", "header": {}, "paragraphs": []}
    tasks = records_to_tasks([prediction_record(), empty])
    assert len(tasks) == 3
    first = tasks[0]
    assert first["data"]["text"].startswith("Sở Y tế chủ trì")
    assert first["data"]["doc_id"] == "cv-9" and first["data"]["item"].startswith("Item 1 of 2 · number 1")
    [prediction] = first["predictions"]
    assert prediction["model_version"] == "default 0.3.0"
    assert prediction["score"] == pytest.approx(0.58)  # least certain decision: quarantine at 0.42
    by_name = {(r["from_name"], r["id"]): r["value"] for r in prediction["result"]}
    assert by_name[("mention", "m1")] == {"start": 26, "end": 38, "text": "Công an tỉnh", "labels": ["police"]}
    assert by_name[("role", "m1")]["choices"] == ["support"]
    assert by_name[("actions", "actions")] == {"choices": ["testing"]}
    assert tasks[2]["data"]["position"] == {"document": 1, "paragraph": None, "paragraphs": 0}
    # accepted as predicted: the record comes back without scores (they described the model, not the annotation)
    report = tasks_to_records(tasks, use_predictions=True)
    assert report.errors == []
    first, second = report.records
    assert second == empty
    expected = prediction_record()
    for p in expected["paragraphs"]:
        p.pop("scores", None)
        for m in p["mentions"]:
            m.pop("start"), m.pop("end")
    assert first == expected
    assert tasks_to_records(tasks, use_predictions=True, offsets="always").records[0]["paragraphs"][0]["mentions"] == \
        prediction_record()["paragraphs"][0]["mentions"]


def region(rid, start, end, text, category=None, role=None):
    items = []
    value = {"start": start, "end": end, "text": text}
    if category:
        items.append({"value": {**value, "labels": [category]}, "id": rid, "from_name": "mention", "to_name": "text",
                      "type": "labels", "origin": "manual"})
    if role:
        items.append({"value": {**value, "choices": [role]}, "id": rid, "from_name": "role", "to_name": "text",
                      "type": "choices", "origin": "manual"})
    return items


def choices(name, values):
    return {"value": {"choices": values}, "id": f"c-{name}", "from_name": name, "to_name": "text", "type": "choices",
            "origin": "manual"}


def annotation(ann_id, result, *, cancelled=False, updated="2026-11-21T09:00:00.000000Z"):
    return {"id": ann_id, "completed_by": 1, "result": result, "was_cancelled": cancelled, "ground_truth": False,
            "created_at": "2026-11-21T08:00:00.000000Z", "updated_at": updated, "draft_created_at": None,
            "lead_time": 41.2, "prediction": {}, "result_count": 0, "unique_id": f"u-{ann_id}", "import_id": None,
            "last_action": None, "bulk_created": False, "task": ann_id, "project": 1, "updated_by": 1,
            "parent_prediction": 7, "parent_annotation": None, "last_created_by": None}


def label_studio_export():
    """Tasks as Label Studio 1.23's JSON export writes them (same fields), after an annotator's corrections."""
    exported = records_to_tasks([prediction_record()])
    text = exported[0]["data"]["text"]
    tasks = []
    for n, task in enumerate(exported, start=1):
        tasks.append({"id": 100 + n, "annotations": [], "allow_skip": True, "drafts": [], "predictions": [7],
                      "data": task["data"], "meta": {}, "created_at": "2026-11-21T07:00:00.000000Z",
                      "updated_at": "2026-11-21T09:00:00.000000Z", "inner_id": n, "total_annotations": 1,
                      "cancelled_annotations": 0, "total_predictions": 1, "comment_count": 0,
                      "unresolved_comment_count": 0, "last_comment_updated_at": None, "project": 1,
                      "updated_by": 1, "comment_authors": []})
    police = text.index("Công an tỉnh")
    corrected = [
        *region("Xy12abCD34", 0, 7, "Sở Y tế", "health", "lead"),
        # the annotator made Công an tỉnh a lead too (selection included the space before it)
        *region("Zk98", police - 1, police + 12, " Công an tỉnh", "police", "lead"),
        choices("actions", ["testing", "quarantine"]),  # corrected: people from outbreak areas
        choices("agencies", ["health"]),  # not updated by the annotator: derived from the leads
    ]
    tasks[0]["annotations"] = [
        annotation(1, [choices("actions", ["planning"])], updated="2026-11-21T10:00:00.000000Z", cancelled=True),
        annotation(2, [choices("actions", ["testing"])], updated="2026-11-21T08:30:00.000000Z"),
        annotation(3, corrected, updated="2026-11-21T09:30:00.000000Z"),
    ]
    tasks[1]["annotations"] = [annotation(4, [choices("unit", [NOT_A_UNIT])])]
    return tasks


def test_import_of_a_label_studio_export_with_corrections(tmp_path, capsys):
    path, out = tmp_path / "export.json", tmp_path / "corrected.jsonl"
    path.write_text(json.dumps(label_studio_export(), ensure_ascii=False), encoding="utf-8")
    assert main(["corpus", "import-labelstudio", str(path), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    [para] = record["paragraphs"]  # item 2 was marked "not a task unit"
    assert para["actions"] == ["testing", "quarantine"]  # latest non-cancelled annotation
    assert para["mentions"] == [{"text": "Sở Y tế", "category": "health", "role": "lead"},
                                {"text": "Công an tỉnh", "category": "police", "role": "lead"}]
    assert para["agencies"] == ["health", "police"]
    assert "task 101 (cv-9 item 1): agencies ticked ['health'] replaced by the lead mentions' categories" in err
    assert "1 documents, 1 paragraphs written" in err and "1 items marked 'not a task unit' dropped" in err
    assert record["header"] == prediction_record()["header"] and record["provenance"]["model"] == "default"
    assert main(["corpus", "validate", str(out)]) == 0
    assert main(["corpus", "import-labelstudio", str(path), "-o", str(out), "--agencies", "annotated"]) == 1
    assert "do not match the lead mentions" in capsys.readouterr().err


def test_unreadable_annotations_are_errors_naming_the_task(tmp_path):
    tasks = label_studio_export()
    text = tasks[0]["data"]["text"]
    tasks[0]["annotations"] = [annotation(5, [*region("r1", 0, 7, "Sở Y tế", "health"),  # no role
                                              *region("r2", 40, 47, "Bộ Y tế", "health", "lead")])]
    report = tasks_to_records(tasks)
    assert report.records == []
    assert report.errors == [
        "task 101 (cv-9 item 1): mention 'Sở Y tế' needs exactly one role (lead/support), has none",
        "task 101 (cv-9 item 1): region 'Bộ Y tế' at [40:47] does not match the task text",
    ]
    assert "cv-9: left out because of the errors above" in report.warnings
    assert text[40:47] != "Bộ Y tế"


def test_partly_annotated_documents_wait_unless_asked():
    tasks = label_studio_export()
    tasks[1]["annotations"] = []
    assert tasks_to_records(tasks).records == []
    assert "cv-9: left out: item(s) 2 not annotated yet" in tasks_to_records(tasks).warnings[-1]
    [record] = tasks_to_records(tasks, partial=True).records
    assert len(record["paragraphs"]) == 1
    del tasks[1]
    assert "item(s) 2 not in the export" in tasks_to_records(tasks).warnings[-1]


def test_offsets_in_utf16_units_and_stale_offsets_are_resolved():
    text = "Đài Phát thanh 📻 và Sở Y tế tuyên truyền; Sở Y tế kiểm tra."
    record = {"id": "e1", "source": "e1.txt", "paragraphs": [
        {"number": "", "text": text, "actions": ["propaganda"], "agencies": ["health"], "mentions": []}]}
    [task] = records_to_tasks([record])
    second = text.rindex("Sở Y tế")
    utf16 = second + 1  # the radio emoji is two UTF-16 units
    task["annotations"] = [annotation(1, [*region("a", utf16, utf16 + 7, "Sở Y tế", "health", "lead"),
                                          choices("actions", ["propaganda", "inspection"])])]
    [out] = tasks_to_records([task]).records
    assert out["paragraphs"][0]["mentions"] == [{"text": "Sở Y tế", "category": "health", "role": "lead",
                                                 "start": second}]


def test_rejects_what_is_not_a_json_export():
    assert tasks_to_records({"text": "x"}).errors[0].startswith("expected Label Studio's JSON export")
    report = tasks_to_records([{"id": 3, "data": {"text": "x"}, "annotations": []}])
    assert report.errors == ["task 3: not made by `vntasks corpus export-labelstudio` "
                             "(no data.document / data.position)"]


def test_config_matches_the_result_names_and_the_label_set():
    labels = load_labels()
    root = ET.fromstring(labelling_config())
    controls = {el.get("name"): el for el in root.iter() if el.tag in ("Labels", "Choices")}
    assert {el.get("name") for el in root.iter("Text")} == {"text", "previous"}
    assert [c.get("value") for c in controls["mention"]] == list(labels.agencies)
    assert [c.get("value") for c in controls["actions"]] == list(labels.actions)
    assert [c.get("value") for c in controls["agencies"]] == list(labels.agencies)
    assert [c.get("value") for c in controls["role"]] == list(labels.roles)
    assert controls["role"].get("perRegion") == "true" and controls["role"].get("required") == "true"
    assert "xét nghiệm" in controls["actions"][0].get("hint")  # cue words from the guideline's table
    names = {r["from_name"] for r in paragraph_result(prediction_record()["paragraphs"][0])}
    assert names <= set(controls)


def test_predictions_from_the_tasks_file_fill_what_the_export_lacks(tmp_path, capsys):
    """Label Studio's plain export lists predictions by id and leaves out tasks nobody annotated."""
    empty = {"id": "cv-10", "source": "cv-10.txt", "header": {}, "paragraphs": []}
    tasks_file, export_file, out = tmp_path / "tasks.json", tmp_path / "export.json", tmp_path / "out.jsonl"
    tasks_file.write_text(json.dumps(records_to_tasks([prediction_record(), empty]), ensure_ascii=False), "utf-8")
    exported = label_studio_export()[:1]  # item 2 and the empty document were never opened
    export_file.write_text(json.dumps(exported, ensure_ascii=False), "utf-8")
    assert main(["corpus", "import-labelstudio", str(export_file), "-o", str(out), "--use-predictions"]) == 0
    assert "predictions by id only" in capsys.readouterr().err and out.read_text() == ""
    assert main(["corpus", "import-labelstudio", str(export_file), "-o", str(out),
                 "--predictions", str(tasks_file)]) == 0
    first, second = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [p["actions"] for p in first["paragraphs"]] == [["testing", "quarantine"], ["planning"]]
    assert second == empty
    assert "1 items taken from predictions" in capsys.readouterr().err
    # an item the annotator skipped is not filled from the predictions
    exported[0]["annotations"] = [annotation(9, [], cancelled=True)]
    report = tasks_to_records(exported, pre_annotated=json.loads(tasks_file.read_text("utf-8")))
    assert [r["id"] for r in report.records] == ["cv-10"]
    assert "cv-9: left out: item(s) 1 skipped in Label Studio" in report.warnings[0]
