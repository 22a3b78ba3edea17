"""Transformer fine-tuning on a tiny local BERT (built here: no hub, no download), real training and prediction."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from vntasks.corpus.jsonl import read_corpus  # noqa: E402
from vntasks.models import load_model  # noqa: E402
from vntasks.models.base import CARD_FILE, sha256_file  # noqa: E402
from vntasks.pipeline.cli import main  # noqa: E402
from vntasks.pipeline.document import Paragraph  # noqa: E402
from vntasks.pipeline.errors import ModelError  # noqa: E402
from vntasks.pipeline.labels import load_labels  # noqa: E402
from vntasks.training.trainer import prepare_documents  # noqa: E402

LABELS = load_labels().actions


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory, seeds_gold) -> Path:
    """A 1-layer BERT with a WordPiece vocabulary trained on the seed texts; diacritics and case kept."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    texts = [p.text for d in read_corpus(seeds_gold) for p in d.paragraphs]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=1500, special_tokens=specials))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[(t, tokenizer.token_to_id(t)) for t in ("[CLS]", "[SEP]")])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=48)
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("tiny-bert")
    BertModel(config).save_pretrained(out)
    fast.save_pretrained(out)
    # the BERT normaliser's defaults would give "so y te"
    assert fast.decode(fast("Sở Y tế chủ trì")["input_ids"], skip_special_tokens=True) == "Sở Y tế chủ trì"
    return out


@pytest.fixture(scope="module")
def seeds(seeds_gold):
    docs = read_corpus(seeds_gold)
    paragraphs = [p for ps in prepare_documents(docs) for p in ps]
    return paragraphs, [p.actions for d in docs for p in d.paragraphs]


@pytest.fixture(scope="module")
def fitted(tiny_checkpoint, seeds):
    from vntasks.models.transformer import TransformerActionModel

    paragraphs, label_sets = seeds
    model = TransformerActionModel(base_model=tiny_checkpoint, seed=0,
                                   params={"max_steps": 4, "batch_size": 8, "learning_rate": 1e-3, "device": "cpu"})
    return model.fit(paragraphs, label_sets)


def test_fine_tuning_changes_the_network_and_round_trips(fitted, seeds, tmp_path):
    paragraphs, _ = seeds
    probs = fitted.predict_proba(paragraphs)
    assert probs.shape == (len(paragraphs), len(LABELS)) and np.all((probs >= 0) & (probs <= 1))
    assert fitted.params["steps_done"] == 4 and fitted.network.config.problem_type == "multi_label_classification"
    assert fitted.max_length == 48  # the tokenizer's limit
    assert not fitted.segmented
    model_dir = fitted.save(tmp_path / "model")
    files = {p.name for p in (model_dir / "transformer").iterdir()}
    assert "model.safetensors" in files and not any(f.endswith((".bin", ".pt", ".pkl")) for f in files)
    loaded = load_model(model_dir)
    assert loaded.info()["backend"] == "transformer"
    np.testing.assert_allclose(loaded.predict_proba(paragraphs), probs, atol=1e-5)
    assert len(loaded.predict(paragraphs)) == len(paragraphs)


def test_same_seed_same_model(fitted, tiny_checkpoint, seeds):
    from vntasks.models.transformer import TransformerActionModel

    paragraphs, label_sets = seeds
    again = TransformerActionModel(base_model=tiny_checkpoint, seed=0, params=dict(fitted.params, steps_done=None))
    again.fit(paragraphs, label_sets)
    np.testing.assert_allclose(again.predict_proba(paragraphs), fitted.predict_proba(paragraphs), atol=1e-6)


def test_long_inputs_are_cut_at_the_model_limit(fitted):
    batch = fitted._encode(["xét nghiệm " * 200], fitted.network.device)
    assert batch["input_ids"].shape[1] == 48


def test_segmented_input_is_kept_with_the_model(tiny_checkpoint, seeds, tmp_path):
    from vntasks.models.transformer import TransformerActionModel

    paragraphs, label_sets = seeds
    model = TransformerActionModel(base_model=tiny_checkpoint, params={"max_steps": 1, "segmented": True,
                                                                       "max_length": 32})
    model.fit(paragraphs[:8], label_sets[:8])
    assert model.max_length == 32
    text = model._texts([Paragraph("1", "Sở Y tế chủ trì.", tokens=["Sở Y tế", "chủ trì", "."])])
    assert text == ["Sở_Y_tế chủ_trì ."]
    loaded = load_model(model.save(tmp_path / "seg"))
    assert loaded.segmented and loaded.max_length == 32
    assert loaded.network.config.vntasks_segmented is True


def test_network_with_other_labels_is_refused(fitted, tmp_path):
    model_dir = fitted.save(tmp_path / "m")
    config_path = model_dir / "transformer" / "config.json"
    config = json.loads(config_path.read_text("utf-8"))
    config["id2label"] = {str(i): f"label{i}" for i in range(len(LABELS))}
    config_path.write_text(json.dumps(config), encoding="utf-8")
    card = json.loads((model_dir / CARD_FILE).read_text("utf-8"))
    card["files"]["transformer/config.json"] = sha256_file(config_path)
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="network's labels"):
        load_model(model_dir)


def test_device_selection():
    import torch

    from vntasks.models.transformer import pick_device

    assert pick_device("cpu").type == "cpu"
    if torch.cuda.is_available():
        assert pick_device("auto").type == "cuda"
    else:
        assert pick_device("auto").type in ("cpu", "mps")
        with pytest.raises(ValueError, match="no CUDA GPU"):
            pick_device("cuda")


def test_train_command_fine_tunes_a_local_checkpoint(tiny_checkpoint, seeds_gold, tmp_path, capsys):
    out = tmp_path / "model"
    code = main(["train", "--backend", "transformer", "--base-model", str(tiny_checkpoint), "--data", str(seeds_gold),
                 "--out", str(out), "--folds", "2", "--max-steps", "2", "--batch-size", "8", "--no-baseline",
                 "--quiet"])
    assert code == 0, capsys.readouterr().err
    card = json.loads((out / CARD_FILE).read_text("utf-8"))
    assert card["backend"] == "transformer" and card["cv"]["setup"]["folds"] == 2
    assert card["training"]["base_model"] == str(tiny_checkpoint)
    assert load_model(out).predict_proba([Paragraph("1", "Tổ chức xét nghiệm.")]).shape == (1, len(LABELS))
