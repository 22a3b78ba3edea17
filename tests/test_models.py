"""Action models: fit/predict/save/load, what loading refuses, the actions stage, the bundled default."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vntasks.corpus.jsonl import read_corpus
from vntasks.models import default_model_dir, load_model
from vntasks.models.base import CARD_FILE, sha256_file
from vntasks.models.cues import cue_key
from vntasks.models.features import _pattern, cue_starts, cue_triples
from vntasks.models.linear import MODEL_FILE, LinearActionModel
from vntasks.models.rules import RuleActionModel
from vntasks.pipeline.actions import ActionStage
from vntasks.pipeline.document import Dispatch, Paragraph
from vntasks.pipeline.errors import ModelError
from vntasks.pipeline.labels import load_labels
from vntasks.training.trainer import prepare_documents

LABELS = load_labels().actions


@pytest.fixture(scope="module")
def seeds(seeds_gold):
    docs = read_corpus(seeds_gold)
    prepared = prepare_documents(docs)
    paragraphs = [p for ps in prepared for p in ps]
    return docs, prepared, paragraphs, [p.actions for d in docs for p in d.paragraphs]


@pytest.fixture(scope="module")
def linear_dir(seeds, tmp_path_factory):
    _, _, paragraphs, label_sets = seeds
    model = LinearActionModel(params={"min_df": 1}, seed=3).fit(paragraphs, label_sets)
    model.set_thresholds([0.4] * len(LABELS))
    return model, model.save(tmp_path_factory.mktemp("linear"))


def _rewrite_card(model_dir: Path, change) -> None:
    card = json.loads((model_dir / CARD_FILE).read_text("utf-8"))
    change(card)
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_linear_round_trip_gives_the_same_probabilities(seeds, linear_dir):
    _, _, paragraphs, _ = seeds
    model, model_dir = linear_dir
    loaded = load_model(model_dir)
    assert isinstance(loaded, LinearActionModel)
    assert loaded.labels == LABELS
    np.testing.assert_allclose(loaded.predict_proba(paragraphs), model.predict_proba(paragraphs))
    assert loaded.thresholds.tolist() == [0.4] * len(LABELS)
    predicted = loaded.predict(paragraphs)
    assert all(labels == [x for x in LABELS if x in labels] for labels in predicted)  # labels.json order
    assert any(predicted)
    card = json.loads((model_dir / CARD_FILE).read_text("utf-8"))
    assert card["files"][MODEL_FILE] == sha256_file(model_dir / MODEL_FILE)
    assert (model_dir / "MODEL_CARD.md").read_text("utf-8").startswith("# vntasks-actions-linear")
    with zipfile.ZipFile(model_dir / MODEL_FILE) as archive:  # skops, deflated; never a pickle
        assert "schema.json" in archive.namelist()
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_linear_probabilities_are_the_scikit_learn_pipeline_s(seeds, linear_dir):
    from vntasks.models.features import records

    _, _, paragraphs, label_sets = seeds
    model, _ = linear_dir
    np.testing.assert_allclose(model.predict_proba(paragraphs), model.pipeline.predict_proba(records(paragraphs)),
                               rtol=0, atol=1e-12)
    no_vaccination = [[x for x in labels if x != "vaccination"] for labels in label_sets]  # a constant predictor
    partial = LinearActionModel(params={"min_df": 1}).fit(paragraphs, no_vaccination)
    np.testing.assert_allclose(partial.predict_proba(paragraphs),
                               partial.pipeline.predict_proba(records(paragraphs)), rtol=0, atol=1e-12)


def test_predictions_depend_on_the_words(seeds, linear_dir):
    model, _ = linear_dir
    vaccination = Paragraph("1", "Trung tâm Y tế tổ chức tiêm vắc xin cho người dân.")
    propaganda = Paragraph("2", "Đài Truyền thanh tăng cường tuyên truyền, vận động người dân.")
    probs = model.predict_proba([vaccination, propaganda])  # tokens are filled in when missing
    v, p = LABELS.index("vaccination"), LABELS.index("propaganda")
    assert probs[0, v] > probs[1, v]
    assert probs[1, p] > probs[0, p]


def test_rules_model_follows_the_guideline_cues(tmp_path):
    model = RuleActionModel()
    paragraphs = [Paragraph("1", "Tổ chức tiêm chủng vắc xin cho trẻ em."),
                  Paragraph("2", "Tuyên truyền người dân; xử lý nghiêm các trường hợp vi phạm."),
                  Paragraph("3", "Thu gom rác thải đúng nơi quy định.")]
    assert model.predict(paragraphs) == [["vaccination"], ["propaganda", "inspection"], []]
    loaded = load_model(model.save(tmp_path / "rules"))
    assert isinstance(loaded, RuleActionModel)
    assert loaded.predict(paragraphs) == model.predict(paragraphs)
    table_only = RuleActionModel(settled_cues=False)
    assert len(table_only.cues) < len(model.cues)


CUE_REGEXES = [regex for _, _, regex in cue_triples(True)]


def _lookbehind_starts(regex: str, key: str) -> list[int]:
    """The cue matching `cue_starts` replaces: both word boundaries as lookarounds, finditer."""
    import re

    return [m.start() for m in re.finditer(rf"(?<!\w)(?:{regex})(?!\w)", key)]


def test_cue_starts_match_the_lookbehind_formulation_on_the_gold(seeds):
    docs = seeds[0]
    keys = [cue_key(p.text) for d in docs for p in d.paragraphs]
    for regex in CUE_REGEXES:
        pattern = _pattern(regex)
        assert not any(m.end() == m.start() for key in keys for m in pattern.finditer(key))  # never empty
        assert [list(cue_starts(pattern, key)) for key in keys] == [_lookbehind_starts(regex, key) for key in keys]


_FRAGMENTS = ["xét nghiệm", "f1", "f0", "5k", "cách ly", "cách", "ly", "thực phẩm", "an toàn", "vệ sinh",
              "tiêm", "vắc xin", "vaccine", "phòng", "kế hoạch", "hạn chế", "tập trung", "người", "về từ",
              "vùng", "dịch", "thuốc", "khử", "chó", "nhốt", "giám sát", "việc", "thực hiện", "a", "đ", "1", "_"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_FRAGMENTS), st.sampled_from(["", " ", "  ", ".", ",", ";", "-", "x"])),
                max_size=25))
def test_cue_starts_match_the_lookbehind_formulation_on_made_up_text(parts):
    key = "".join(fragment + separator for fragment, separator in parts)
    for regex in CUE_REGEXES:
        assert list(cue_starts(_pattern(regex), key)) == _lookbehind_starts(regex, key)


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(labels=[*c["labels"][:-1], "disinfection"]), "labels not in labels.json: disinfection"),
    (lambda c: c.update(labels=c["labels"][:-1]), "labels.json labels the model lacks: planning"),
    (lambda c: c.update(label_set_version=99), "label set version 99"),
    (lambda c: c.update(format="something-else"), "not a vntasks action model card"),
    (lambda c: c["thresholds"].update(testing=1.5), "thresholds"),
])
def test_untrustworthy_cards_are_refused(linear_dir, tmp_path, change, message):
    model_dir = _copy(linear_dir[1], tmp_path / "m")
    _rewrite_card(model_dir, change)
    with pytest.raises(ModelError) as error:
        load_model(model_dir)
    assert str(model_dir) in str(error.value) and message in str(error.value)


def test_changed_model_file_is_refused(linear_dir, tmp_path):
    model_dir = _copy(linear_dir[1], tmp_path / "m")
    with open(model_dir / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="does not match its sha256"):
        load_model(model_dir)


def test_missing_directory_and_card_are_refused(tmp_path):
    with pytest.raises(ModelError, match="no such model directory"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="model.json is missing"):
        load_model(tmp_path / "empty")


def shout(texts):  # a function inside a model file is code skops must not trust unasked
    return [t.upper() for t in texts]


def test_skops_file_with_untrusted_types_is_refused(linear_dir, tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    model_dir = _copy(linear_dir[1], tmp_path / "m")
    model = load_model(model_dir)
    model.pipeline.steps.insert(0, ("shout", FunctionTransformer(shout)))
    sio.dump(model.pipeline, model_dir / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
    _rewrite_card(model_dir, lambda c: c["files"].update({MODEL_FILE: sha256_file(model_dir / MODEL_FILE)}))
    with pytest.raises(ModelError, match=r"refusing to load untrusted types: .*test_models\.shout"):
        load_model(model_dir)


def test_action_stage_sets_actions_and_scores_for_every_label(seeds, linear_dir):
    docs, prepared, _, _ = seeds
    model, _ = linear_dir
    stage = ActionStage(model)
    assert stage.requires == {"paragraphs", "tokens", "mentions"} and stage.provides == {"actions"}
    doc = stage(Dispatch(id=docs[0].id, source="x", paragraphs=prepared[0]))
    probs = model.predict_proba(prepared[0])
    for paragraph, row in zip(doc.paragraphs, probs):
        assert list(paragraph.scores["actions"]) == list(LABELS)
        assert paragraph.actions == [label for label, p in zip(LABELS, row) if p >= 0.4]
    assert stage(Dispatch(id="empty", source="")).paragraphs == []


def test_linear_model_runs_where_torch_cannot_be_imported(linear_dir):
    code = (
        "from vntasks.pipeline.torch_guard import block_heavy_imports; block_heavy_imports()\n"
        "import sys\n"
        "from vntasks.models import load_model\n"
        "from vntasks.pipeline.document import Paragraph\n"
        f"model = load_model({str(linear_dir[1])!r})\n"
        "p = Paragraph('1', 'Tổ chức xét nghiệm.', tokens=['Tổ chức', 'xét nghiệm', '.'])\n"
        "print(model.predict_proba([p]).shape, 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"(1, {len(LABELS)}) False"


def test_bundled_default_model(seeds, report):
    _, prepared, _, _ = seeds
    model_dir = default_model_dir()
    model = load_model(None)
    assert model.info()["backend"] == "linear" and model.labels == LABELS
    assert model.lexicon_path is None  # the package lexicon
    size = sum(p.stat().st_size for p in model_dir.iterdir() if p.is_file())
    assert size < 5 * 1024 * 1024
    card = json.loads((model_dir / CARD_FILE).read_text("utf-8"))
    files = {item["file"] for item in card["training"]["data"]}
    assert {"seeds.jsonl", "web.jsonl"} <= files
    assert all(len(item["sha256"]) == 64 for item in card["training"]["data"])
    cv, baseline, rules = card["cv"], card["baseline_cv"], card["rules_cv"]
    assert set(cv["per_label"]) == set(LABELS) and cv["setup"]["grouping"] == "document"
    for other in (baseline, rules):  # held-out figures, same folds
        assert cv["macro"]["f1"] > other["macro"]["f1"] and cv["micro"]["f1"] > other["micro"]["f1"]
    assert card["cv_by_province"]["macro"]["f1"] > card["baseline_cv_by_province"]["macro"]["f1"]
    report("bundled model, group CV by document (macro / micro / core-four F1)",
           f"{cv['macro']['f1']:.3f} / {cv['micro']['f1']:.3f} / {cv['core_macro_f1']:.3f}; "
           f"keyword baseline {baseline['macro']['f1']:.3f} / {baseline['micro']['f1']:.3f} / "
           f"{baseline['core_macro_f1']:.3f}")
    predicted = model.predict(prepared[4])
    assert len(predicted) == len(prepared[4]) and any(predicted)
