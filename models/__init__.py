"""vntasks.models: action classifiers behind one interface, and `load_model`.

Backends: `linear` (the bundled default, scikit-learn), `rules` (the
keyword baseline) and `transformer` (a fine-tuned sequence classifier; its
module, and torch, are imported only when such a model is loaded).
"""
from __future__ import annotations

import json
from importlib import import_module, resources
from pathlib import Path

from vntasks.pipeline.errors import ModelError

BACKENDS = {
    "linear": ("vntasks.models.linear", "LinearActionModel"),
    "rules": ("vntasks.models.rules", "RuleActionModel"),
    "transformer": ("vntasks.models.transformer", "TransformerActionModel"),
}
# Backends that import torch; a command running none of them can keep torch out (vntasks.pipeline.torch_guard).
TORCH_BACKENDS = frozenset({"transformer"})


def default_model_dir() -> Path:
    """The bundled model directory (package data)."""
    return Path(str(resources.files("vntasks.models").joinpath("default")))


def model_class(backend: str):
    if backend not in BACKENDS:
        raise ModelError(f"unknown backend {backend!r} (known: {', '.join(BACKENDS)})")
    module_name, class_name = BACKENDS[backend]
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise ModelError(f"the {backend!r} backend needs a library that is not installed: {exc}") from None
    return getattr(module, class_name)


def needs_torch(model_dir: str | Path | None = None) -> bool:
    """Whether loading this model imports torch: the backend its card names. False when the card cannot be
    read; load_model will say why."""
    from vntasks.models.base import CARD_FILE

    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    try:
        card = json.loads((model_dir / CARD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(card, dict) and card.get("backend") in TORCH_BACKENDS


def load_model(model_dir: str | Path | None = None):
    """The action model in `model_dir` (None → the bundled default); ModelError when it cannot be trusted."""
    from vntasks.models.base import read_card

    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    card = read_card(model_dir)
    return model_class(card.get("backend", "")).load(model_dir)


__all__ = ["BACKENDS", "TORCH_BACKENDS", "default_model_dir", "load_model", "model_class", "needs_torch"]
