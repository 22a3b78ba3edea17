"""vntasks.models: action classifiers behind one interface, and `load_model`.

Backends: `linear` (the bundled default, scikit-learn), `rules` (the
keyword baseline) and `transformer` (a fine-tuned sequence classifier; its
module, and torch, are imported only when such a model is loaded).
"""
from __future__ import annotations

from importlib import import_module, resources
from pathlib import Path

from vntasks.pipeline.errors import ModelError

BACKENDS = {
    "linear": ("vntasks.models.linear", "LinearActionModel"),
    "rules": ("vntasks.models.rules", "RuleActionModel"),
    "transformer": ("vntasks.models.transformer", "TransformerActionModel"),
}


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


def load_model(model_dir: str | Path | None = None):
    """The action model in `model_dir` (None → the bundled default); ModelError when it cannot be trusted."""
    from vntasks.models.base import read_card

    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    card = read_card(model_dir)
    return model_class(card.get("backend", "")).load(model_dir)


__all__ = ["BACKENDS", "default_model_dir", "load_model", "model_class"]
