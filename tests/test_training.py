"""Training: thresholds, folds, cross-validation, reproducibility, `vntasks train` and `extract --model`."""
from __future__ import annotations

import json

import numpy as np
import pytest

from vntasks.corpus.jsonl import read_corpus
from vntasks.models import load_model
from vntasks.pipeline.cli import main
from vntasks.pipeline.document import Dispatch, Paragraph
from vntasks.pipeline.labels import load_labels
from vntasks.training.crossval import action_metrics, assign_folds, cross_validate, group_of
from vntasks.training.thresholds import tune_thresholds
from vntasks.training.trainer import prepare_documents, train_model

LABELS = load_labels().actions


@pytest.fixture(scope="module")
def seeds(seeds_gold):
    docs = read_corpus(seeds_gold)
    return docs, prepare_documents(docs)


def test_thresholds_follow_the_out_of_fold_optimum_but_stay_tame():
    y = np.array([[1, 0], [1, 0], [0, 0], [0, 0], [0, 0], [0, 0]])
    probs = np.array([[0.30, 0.9], [0.28, 0.1], [0.10, 0.2], [0.05, 0.3], [0.12, 0.4], [0.2, 0.1]])
    thresholds = tune_thresholds(probs, y)
    assert 0.2 < thresholds[0] < 0.5  # lowered towards the positives' 0.28–0.30 ...
    assert thresholds[0] >= 0.5 - 0.5 * (0.5 - 0.2)  # ... but only halfway from 0.5
    assert thresholds[1] == 0.5  # no positives: nothing to learn
    with pytest.raises(ValueError):
        tune_thresholds(probs[:, :1], y)


def test_folds_keep_groups_whole_and_depend_on_the_seed():
    groups = [f"d{i // 3}" for i in range(30)]  # 10 documents of 3 paragraphs
    folds = assign_folds(groups, [1] * 30, 5, seed=1)
    assert folds == assign_folds(groups, [1] * 30, 5, seed=1)
    for group in set(groups):
        assert len({f for g, f in zip(groups, folds) if g == group}) == 1
    assert sorted(np.bincount(folds).tolist()) == [6, 6, 6, 6, 6]
    assert any(assign_folds(groups, [1] * 30, 5, seed=s) != folds for s in range(2, 6))
    with pytest.raises(ValueError, match="at least 5 groups"):
        assign_folds(["a", "b"], [1, 1], 5, seed=0)


def test_province_grouping_falls_back_to_the_corpus_file():
    doc = Dispatch(id="x", source="", meta={"province": "Lào Cai"})
    assert group_of(doc, "province", "web.jsonl") == "Lào Cai"
    assert group_of(Dispatch(id="y", source=""), "province", "seeds.jsonl") == "unknown province (seeds.jsonl)"
    assert group_of(doc, "document", "web.jsonl") == "web.jsonl#x"


def test_metrics_follow_scikit_learn_conventions():
    gold = np.zeros((4, len(LABELS)), dtype=int)
    predicted = gold.copy()
    gold[0, 0] = gold[1, 0] = predicted[0, 0] = predicted[2, 0] = 1  # testing: tp 1, fp 1, fn 1
    metrics = action_metrics(gold, predicted)
    assert metrics["per_label"]["testing"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert metrics["per_label"]["planning"]["f1"] == 0.0
    assert metrics["macro"]["f1"] == pytest.approx(0.5 / len(LABELS), abs=1e-4)
    assert metrics["micro"]["f1"] == 0.5


def test_cross_validation_holds_out_whole_documents_and_never_scores_synthetic(seeds):
    docs, prepared = seeds
    synthetic = Dispatch(id="syn", source="", meta={"synthetic": True},
                         paragraphs=[Paragraph("1", "Tổ chức tiêm vắc xin cho người dân.", actions=["vaccination"])])
    result = cross_validate(docs + [synthetic], "linear", folds=2, threshold_folds=0, params={"min_df": 1},
                            prepared=prepared + prepare_documents([synthetic]))
    assert [d.id for d in result.predictions] == [d.id for d in docs]
    assert result.metrics["setup"]["paragraphs"] == sum(len(d.paragraphs) for d in docs)
    assert result.metrics["setup"]["synthetic_training_documents"] == 1
    for gold, predicted in zip(docs, result.predictions):
        assert [p.text for p in predicted.paragraphs] == [p.text for p in gold.paragraphs]
        for p in predicted.paragraphs:
            assert list(p.scores["actions"]) == list(LABELS)
            assert p.actions == [x for x in LABELS if p.scores["actions"][x] >= 0.5]
    assert docs[0].paragraphs[0].scores == {}  # the gold documents are left untouched


def test_training_is_reproducible(seeds, tmp_path):
    docs, prepared = seeds
    paragraphs = [p for ps in prepared for p in ps]
    models = [train_model(docs, "linear", seed=7, threshold_folds=2, prepared=prepared, params={"min_df": 1})
              for _ in range(2)]
    np.testing.assert_array_equal(models[0].thresholds, models[1].thresholds)
    np.testing.assert_array_equal(models[0].predict_proba(paragraphs), models[1].predict_proba(paragraphs))
    cards = []
    for i, model in enumerate(models):
        model.card["created"] = "fixed"
        card = json.loads((model.save(tmp_path / f"m{i}") / "model.json").read_text("utf-8"))
        card.pop("files")
        cards.append(card)
    assert cards[0] == cards[1]
    np.testing.assert_array_equal(load_model(tmp_path / "m0").predict_proba(paragraphs),
                                  load_model(tmp_path / "m1").predict_proba(paragraphs))


def test_train_command_end_to_end_then_extract_with_the_model(seeds_gold, seeds_dir, tmp_path, capsys):
    out = tmp_path / "model"
    code = main(["train", "--data", str(seeds_gold), "--out", str(out), "--folds", "2", "--threshold-folds", "2",
                 "--seed", "1", "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "held-out documents (2-fold group CV)" in printed and "keyword baseline" in printed
    card = json.loads((out / "model.json").read_text("utf-8"))
    assert card["cv"]["setup"]["folds"] == 2 and card["cv"]["setup"]["documents"] == 5
    assert set(card["cv"]["per_label"]) == set(LABELS) and "baseline_cv" in card
    assert card["training"]["data"][0]["file"] == "seeds.jsonl" and card["training"]["seed"] == 1
    assert "Cross-validated figures" in (out / "MODEL_CARD.md").read_text("utf-8")

    result = tmp_path / "tasks.jsonl"
    source = sorted(seeds_dir.glob("*.txt"))[0]
    code = main(["extract", str(source), "-o", str(result), "--model", str(out), "--quiet"])
    assert code == 0
    record = json.loads(result.read_text("utf-8").splitlines()[0])
    assert record["paragraphs"] and record["provenance"]["model"] == "vntasks-actions-linear"
    for paragraph in record["paragraphs"]:
        assert list(paragraph["scores"]["actions"]) == list(LABELS)
        assert set(paragraph["actions"]) <= set(LABELS)


def test_train_command_rejects_bad_data_and_options(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "paragraphs": [{"text": "x", "actions": ["disinfection"]}]}\n', encoding="utf-8")
    assert main(["train", "--data", str(bad), "--out", str(tmp_path / "m"), "--quiet"]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert main(["train", "--data", str(bad), "--out", str(tmp_path / "m"), "--backend", "transformer"]) == 2
    assert "--base-model" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
