"""A fine-tuned transformer as action model (optional backend: needs torch and transformers).

`fit` fine-tunes `AutoModelForSequenceClassification` with
`problem_type="multi_label_classification"` from a *local* checkpoint
directory (PhoBERT or any other; nothing is downloaded), on CPU or on a GPU
when one is present. Models trained on word-segmented Vietnamese (PhoBERT)
get the underthesea words with syllables joined by `_`; others get the
printed text. Whether to segment comes from the `segmented` option, else the
checkpoint's config (`vntasks_segmented`), else its tokenizer's class.
Inputs are cut at the model's maximum length.

The model directory keeps the fine-tuned model and tokenizer in
`transformer/`, weights as safetensors only (no pickle is ever loaded).
This module imports torch at module level; `vntasks.models` imports it only
when a transformer model is trained or loaded, so the linear path never does.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vntasks.models.base import ActionModel
from vntasks.models.features import words_text
from vntasks.pipeline.errors import ModelError

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # checkpoints are local directories; never reach for the hub

SUBDIR = "transformer"
DEFAULT_PARAMS: dict[str, Any] = {
    "epochs": 4.0,
    "max_steps": None,  # overrides epochs when set
    "batch_size": 16,
    "learning_rate": 3e-5,
    "weight_decay": 0.01,
    "warmup_ratio": 0.1,
    "max_length": None,  # None: the checkpoint's limit
    "segmented": None,  # None: from the checkpoint
    "device": "auto",
    "balance": True,  # weight positives of rare labels up (capped), like class_weight="balanced"
}
_ROBERTA_LIKE = ("roberta", "xlm-roberta", "camembert", "bartpho", "phobert")


def pick_device(name: str = "auto") -> torch.device:
    """`auto`: the first CUDA GPU when present, else Apple MPS, else the CPU."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ValueError(f"unknown device {name!r}: {exc}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} asked for, but no CUDA GPU is available")
    return device


def _load_checkpoint(path: Path, num_labels: int | None, labels: Sequence[str] | None):
    """Tokenizer and classification network from a local directory; a new head when `labels` are given."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the load report of a fresh classification head is expected
    hf_logging.disable_progress_bar()

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        if labels is not None:
            config.num_labels = num_labels
            config.id2label = dict(enumerate(labels))
            config.label2id = {label: i for i, label in enumerate(labels)}
            config.problem_type = "multi_label_classification"
        model = AutoModelForSequenceClassification.from_pretrained(
            path, config=config, local_files_only=True, use_safetensors=True, ignore_mismatched_sizes=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{path}: cannot load the transformer checkpoint (safetensors weights, config and "
                         f"tokenizer files are needed): {exc}") from None
    return tokenizer, model


def _detect_segmented(tokenizer, config) -> bool:
    flag = getattr(config, "vntasks_segmented", None)
    if flag is not None:
        return bool(flag)
    return "phobert" in type(tokenizer).__name__.lower() or "phobert" in str(getattr(config, "_name_or_path", "")).lower()


def _max_length(tokenizer, config, wanted: int | None) -> int:
    limit = tokenizer.model_max_length if 0 < tokenizer.model_max_length < 100_000 else None
    positions = getattr(config, "max_position_embeddings", None)
    if positions:
        positions -= 2 if getattr(config, "model_type", "") in _ROBERTA_LIKE else 0
        limit = min(limit, positions) if limit else positions
    limit = limit or 512
    return min(wanted, limit) if wanted else limit


class TransformerActionModel(ActionModel):
    backend = "transformer"

    def __init__(self, *, base_model: str | Path | None = None, params: dict[str, Any] | None = None, seed: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.base_model = Path(base_model) if base_model is not None else None
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        self.seed = seed
        self.tokenizer = None
        self.network = None
        self.segmented = bool(self.params["segmented"]) if self.params["segmented"] is not None else False
        self.max_length = self.params["max_length"] or 0

    # -- inputs ---------------------------------------------------------------
    def _texts(self, paragraphs: Sequence[Any]) -> list[str]:
        if self.segmented:
            self.ensure_tokens(paragraphs)
            return [words_text(p.tokens) for p in paragraphs]
        return [p.text for p in paragraphs]

    def _encode(self, texts: list[str], device: torch.device) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(texts, truncation=True, max_length=self.max_length, padding=True, return_tensors="pt")
        return {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask", "token_type_ids")}

    # -- fitting --------------------------------------------------------------
    def _fit(self, paragraphs: list[Any], y: np.ndarray) -> None:
        from transformers import get_linear_schedule_with_warmup, set_seed

        if self.base_model is None:
            raise ValueError("the transformer backend needs a base model directory")
        set_seed(self.seed)
        self.tokenizer, self.network = _load_checkpoint(self.base_model, len(self.labels), self.labels)
        config = self.network.config
        self.segmented = (bool(self.params["segmented"]) if self.params["segmented"] is not None
                          else _detect_segmented(self.tokenizer, config))
        self.max_length = _max_length(self.tokenizer, config, self.params["max_length"])
        config.vntasks_segmented = self.segmented
        device = pick_device(self.params["device"])
        self.network.to(device)
        texts = self._texts(paragraphs)
        targets = torch.tensor(y, dtype=torch.float32)
        batch_size = int(self.params["batch_size"])
        per_epoch = math.ceil(len(texts) / batch_size)
        steps = int(self.params["max_steps"] or math.ceil(per_epoch * float(self.params["epochs"])))
        pos_weight = None
        if self.params["balance"]:
            positives = targets.sum(0).clamp(min=1)
            pos_weight = ((len(texts) - positives) / positives).clamp(min=1.0, max=10.0).to(device)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        decay = [p for n, p in self.network.named_parameters() if not any(k in n for k in ("bias", "LayerNorm", "norm"))]
        no_decay = [p for n, p in self.network.named_parameters() if any(k in n for k in ("bias", "LayerNorm", "norm"))]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": self.params["weight_decay"]},
                                       {"params": no_decay, "weight_decay": 0.0}], lr=self.params["learning_rate"])
        scheduler = get_linear_schedule_with_warmup(optimizer, int(steps * self.params["warmup_ratio"]), steps)
        generator = torch.Generator().manual_seed(self.seed)
        self.network.train()
        step = 0
        while step < steps:
            order = torch.randperm(len(texts), generator=generator).tolist()
            for start in range(0, len(order), batch_size):
                if step >= steps:
                    break
                index = order[start:start + batch_size]
                batch = self._encode([texts[i] for i in index], device)
                logits = self.network(**batch).logits
                loss = loss_fn(logits, targets[index].to(device))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.network.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                step += 1
        self.network.eval()
        self.network.to("cpu")
        self.params["steps_done"] = step

    # -- predicting -------------------------------------------------------------
    def predict_proba(self, paragraphs: Sequence[Any]) -> np.ndarray:
        if self.network is None:
            raise ModelError("the transformer model is not fitted")
        if not paragraphs:
            return np.zeros((0, len(self.labels)))
        device = pick_device(self.params.get("device", "auto"))
        self.network.to(device)
        texts = self._texts(paragraphs)
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), 32):
                logits = self.network(**self._encode(texts[start:start + 32], device)).logits
                out.append(torch.sigmoid(logits.float()).cpu().numpy())
        return np.concatenate(out).astype(float)

    # -- model directory --------------------------------------------------------
    def _config(self) -> dict[str, Any]:
        params = {k: v for k, v in self.params.items() if k != "device"}
        return {"params": params, "seed": self.seed, "segmented": self.segmented, "max_length": self.max_length,
                "base_model": self.base_model.name if self.base_model else None, "dir": SUBDIR}

    def _save_files(self, model_dir: Path) -> list[str]:
        if self.network is None:
            raise ModelError("cannot save an unfitted transformer model")
        target = model_dir / SUBDIR
        target.mkdir(parents=True, exist_ok=True)
        self.network.save_pretrained(target, safe_serialization=True)
        self.tokenizer.save_pretrained(target)
        return sorted(str(p.relative_to(model_dir)) for p in target.rglob("*") if p.is_file())

    def _load_files(self, model_dir: Path, config: dict[str, Any]) -> None:
        self.params = {**DEFAULT_PARAMS, **config.get("params", {})}
        self.seed = config.get("seed", 0)
        self.base_model = None
        self.tokenizer, self.network = _load_checkpoint(model_dir / SUBDIR, None, None)
        id2label = [self.network.config.id2label[i] for i in range(self.network.config.num_labels)]
        if id2label != list(self.labels):
            raise ModelError(f"{model_dir}: the network's labels {id2label} differ from model.json's {list(self.labels)}")
        self.segmented = bool(config.get("segmented", False))
        self.max_length = int(config.get("max_length") or _max_length(self.tokenizer, self.network.config, None))
        self.network.eval()
