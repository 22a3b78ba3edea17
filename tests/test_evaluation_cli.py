"""`vntasks evaluate` as a command: inputs, outputs and clear errors."""
from __future__ import annotations

import json

import pytest

from vntasks.pipeline.cli import main
from vntasks.pipeline.document import Dispatch, Header, Mention, Paragraph


def write(path, records):
    path.write_text("".join(json.dumps(r.to_json() if isinstance(r, Dispatch) else r, ensure_ascii=False) + "\n"
                            for r in records), encoding="utf-8")
    return str(path)


def doc(doc_id, topic, actions):
    return Dispatch(doc_id, f"{doc_id}.txt", Header(issuer="UBND tỉnh"), [
        Paragraph("1", f"Sở Y tế thực hiện nhiệm vụ {doc_id}.", actions, ["health"],
                  [Mention("Sở Y tế", "health", "lead")])], meta={"topic": topic})


@pytest.fixture
def files(tmp_path):
    gold = [doc("a", "covid", ["testing"]), doc("b", "sởi", ["vaccination"]), doc("c", "covid", ["planning"])]
    pred = [doc("a", "covid", ["testing"]), doc("b", "sởi", ["testing"])]
    return write(tmp_path / "gold.jsonl", gold), write(tmp_path / "pred.jsonl", pred), tmp_path


def test_scores_predictions_and_writes_json_html_and_a_table(files, capsys):
    gold, pred, tmp = files
    code = main(["evaluate", "--gold", gold, "--pred", pred, "--json", str(tmp / "r.json"), "--html",
                 str(tmp / "r.html"), "--group-by", "topic", "--scope", "unit test"])
    assert code == 0
    captured = capsys.readouterr()
    assert "actions.micro.f1" in captured.out and "scope: unit test" in captured.out
    assert "c.txt" in captured.err  # the missing document is named
    report = json.loads((tmp / "r.json").read_text(encoding="utf-8"))
    assert report["scope"] == "unit test" and report["documents"]["missing"] == ["c.txt"]
    assert set(report["groups"]["meta.topic"]) == {"covid", "sởi"}
    assert report["groups"]["meta.topic"]["covid"]["documents"] == 2
    assert report["inputs"]["gold"][0]["sha256"] and report["inputs"]["pred"][0]["path"] == pred
    # the report carries figures and references, never document text
    assert "Sở Y tế thực hiện" not in (tmp / "r.json").read_text(encoding="utf-8")
    assert (tmp / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_several_gold_files_give_a_per_file_breakdown(files, tmp_path):
    gold, pred, tmp = files
    extra = write(tmp_path / "more.jsonl", [doc("d", "covid", ["testing"])])
    assert main(["evaluate", "--gold", gold, extra, "--pred", pred, "--json", str(tmp / "r.json"), "--quiet"]) == 0
    report = json.loads((tmp / "r.json").read_text(encoding="utf-8"))
    assert set(report["groups"]["gold file"]) == {"gold.jsonl", "more.jsonl"}
    assert report["documents"]["gold"] == 4


@pytest.mark.parametrize("args, message", [
    ([], "no gold files"),
    (["--gold", "{gold}"], "nothing to score"),
    (["--gold", "{gold}", "--pred", "{pred}", "--model", "m"], "only one of"),
    (["--gold", "{gold}", "--cv", "1"], "at least 2 folds"),
    (["--gold", "{tmp}/nosuch.jsonl", "--pred", "{pred}"], "nosuch.jsonl"),
    (["--gold", "{gold}", "--pred", "{tmp}/nosuch.jsonl"], "nosuch.jsonl"),
    (["--gold", "{gold}", "--raw", "{tmp}/nodir"], "nodir"),
])
def test_unusable_inputs_exit_2_with_a_reason(files, capsys, args, message):
    gold, pred, tmp = files
    args = [a.format(gold=gold, pred=pred, tmp=tmp) for a in args]
    assert main(["evaluate", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_prediction_with_an_unknown_label_is_named_by_file_and_line(files, capsys):
    gold, _, tmp = files
    bad = doc("a", "covid", ["testing"]).to_json()
    bad["paragraphs"][0]["actions"] = ["teleportation"]
    path = tmp / "bad.jsonl"
    path.write_text(json.dumps(doc("b", "x", []).to_json()) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert main(["evaluate", "--gold", gold, "--pred", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2" in err and "teleportation" in err


def test_an_inconsistent_prediction_is_scored_not_refused(files, tmp_path):
    gold, _, _ = files
    odd = doc("a", "covid", ["testing"]).to_json()
    odd["paragraphs"][0]["agencies"] = ["police"]  # disagrees with its lead mention: fine for a prediction
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps(odd, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["evaluate", "--gold", gold, "--pred", str(path), "--quiet"]) == 0


def test_model_mode_runs_the_pipeline_and_flags_a_model_trained_on_the_gold(seeds_gold, seeds_dir, tmp_path, capsys):
    """End to end on one seed with a saved rules model; its card claims the gold file as training data."""
    import hashlib

    from vntasks.models.rules import RuleActionModel

    line = seeds_gold.read_text(encoding="utf-8").splitlines()[1]
    gold = tmp_path / "one.jsonl"
    gold.write_text(line + "\n", encoding="utf-8")
    model = RuleActionModel()
    model.card["training"] = {"data": [{"file": "one.jsonl", "sha256": hashlib.sha256(gold.read_bytes()).hexdigest(),
                                        "documents": 1, "paragraphs": 1}]}
    model.save(tmp_path / "model")
    out = tmp_path / "r.json"
    code = main(["evaluate", "--gold", str(gold), "--raw", str(seeds_dir), "--model", str(tmp_path / "model"),
                 "--json", str(out), "--quiet", "--bootstrap", "50"])
    assert code == 0
    assert "training-data figures, not accuracy" in capsys.readouterr().err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["scope"].startswith("training-data figures, not accuracy")
    assert report["documents"]["scored"] == 1 and report["inputs"]["documents_from_raw"] == 1
    assert report["inputs"]["model"]["backend"] == "rules"
    assert report["figures"]["segmentation.f1"] > 0.5  # the seed's items were found from its raw file


def test_synthetic_records_are_never_scored(files, tmp_path, capsys):
    gold, pred, _ = files
    synthetic = doc("s", "covid", ["testing"])
    synthetic.meta = {"synthetic": True}
    extra = write(tmp_path / "synthetic.jsonl", [synthetic])
    out = tmp_path / "r.json"
    assert main(["evaluate", "--gold", gold, extra, "--pred", pred, "--json", str(out), "--quiet"]) == 0
    assert "1 synthetic records" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["documents"]["gold"] == 3
    assert main(["evaluate", "--gold", extra, "--pred", pred]) == 2
