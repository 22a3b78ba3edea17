"""What every action model shares: labels, thresholds, the model directory.

An action model is a multi-label classifier over task paragraphs, in the
style of a scikit-learn estimator: `fit(paragraphs, label_sets)`,
`predict_proba(paragraphs)` (columns in `.labels` order) and `predict`
(per-label thresholds). A model directory holds `model.json` (the model card:
backend, label set, thresholds, training data, cross-validated figures,
library versions, sha256 of every file), a human-readable `MODEL_CARD.md`,
the backend's own files and, optionally, the agency lexicon it was trained
with. Loading refuses a directory whose label set, format or files it cannot
trust (`ModelError` naming the directory and the problem).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from vntasks.pipeline.errors import ModelError
from vntasks.pipeline.labels import load_labels

CARD_FILE = "model.json"
README_FILE = "MODEL_CARD.md"
FORMAT = "vntasks-action-model"
FORMAT_VERSION = 1
LEXICON_FILE = "agencies.json"  # the lexicon copied into a model directory
# model.json keys that `save` derives from the model itself; every other key is the trainer's card.
STRUCTURAL_KEYS = frozenset({"format", "format_version", "name", "version", "backend", "labels", "label_set_version",
                             "core_labels", "thresholds", "lexicon", "backend_config", "files"})


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def label_matrix(label_sets: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Multi-hot (n, n_labels) int matrix; unknown labels raise ValueError."""
    index = {label: j for j, label in enumerate(labels)}
    y = np.zeros((len(label_sets), len(labels)), dtype=np.int64)
    for i, label_set in enumerate(label_sets):
        for label in label_set:
            if label not in index:
                raise ValueError(f"unknown action label {label!r} (labels.json has {', '.join(labels)})")
            y[i, index[label]] = 1
    return y


class ActionModel:
    """Base class; subclasses set `backend` and implement `_fit`, `predict_proba`, `_save_files`, `_load_files`."""

    backend: ClassVar[str] = ""

    def __init__(self, *, labels: Sequence[str] | None = None, thresholds: Sequence[float] | None = None,
                 lexicon_path: str | Path | None = None, name: str | None = None, version: str = "0.1.0"):
        self.labels: tuple[str, ...] = tuple(labels) if labels is not None else load_labels().actions
        self.thresholds = np.asarray(thresholds if thresholds is not None else [0.5] * len(self.labels), dtype=float)
        self.lexicon_path = Path(lexicon_path) if lexicon_path is not None else None
        self.name = name or f"vntasks-actions-{self.backend}"
        self.version = version
        self.card: dict[str, Any] = {}  # training data, CV figures ... filled by the trainer
        self._tokenizer = None  # made on first need (paragraphs without tokens)

    # -- learning and predicting ----------------------------------------------
    def fit(self, paragraphs: Sequence[Any], label_sets: Sequence[Sequence[str]]) -> ActionModel:
        if len(paragraphs) != len(label_sets):
            raise ValueError(f"{len(paragraphs)} paragraphs but {len(label_sets)} label sets")
        if not paragraphs:
            raise ValueError("no training paragraphs")
        self._fit(list(paragraphs), label_matrix(label_sets, self.labels))
        return self

    def _fit(self, paragraphs: list[Any], y: np.ndarray) -> None:
        raise NotImplementedError

    def predict_proba(self, paragraphs: Sequence[Any]) -> np.ndarray:
        raise NotImplementedError

    def predict(self, paragraphs: Sequence[Any]) -> list[list[str]]:
        """Labels whose probability reaches their threshold, in `.labels` order."""
        if not paragraphs:
            return []
        hits = self.predict_proba(paragraphs) >= self.thresholds
        return [[label for label, hit in zip(self.labels, row) if hit] for row in hits]

    def set_thresholds(self, thresholds: Sequence[float]) -> None:
        thresholds = np.asarray(thresholds, dtype=float)
        if thresholds.shape != (len(self.labels),) or not np.all((thresholds > 0) & (thresholds < 1)):
            raise ValueError(f"need {len(self.labels)} thresholds in (0, 1), got {thresholds.tolist()}")
        self.thresholds = thresholds

    def info(self) -> dict[str, Any]:
        """Identity of the model, for provenance and reports."""
        out = {
            "name": self.name,
            "version": self.version,
            "backend": self.backend,
            "labels": list(self.labels),
            "label_set_version": load_labels().version,
            "thresholds": {label: round(float(t), 4) for label, t in zip(self.labels, self.thresholds)},
        }
        for key in ("created", "params", "cv_summary"):
            if key in self.card:
                out[key] = self.card[key]
        return out

    def ensure_tokens(self, paragraphs: Sequence[Any]) -> None:
        """Tokenise paragraphs that arrive without words, the way the pipeline's tokenizer stage would."""
        missing = [p for p in paragraphs if getattr(p, "tokens", None) is None]
        if missing:
            if self._tokenizer is None:
                from vntasks.pipeline.agencies import Lexicon
                from vntasks.pipeline.tokenize import Tokenizer

                self._tokenizer = Tokenizer(Lexicon.load(self.lexicon_path).names())
            for p in missing:
                p.tokens = self._tokenizer.tokenize(p.text)

    # -- the model directory ------------------------------------------------
    def save(self, model_dir: str | Path) -> Path:
        """Write the model directory (created if needed; files of an earlier model there are replaced)."""
        from vntasks.models.card import library_versions, write_model_card

        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        files = self._save_files(model_dir)
        lexicon_name = None
        if self.lexicon_path is not None:
            source = self.lexicon_path / LEXICON_FILE if self.lexicon_path.is_dir() else self.lexicon_path
            target = model_dir / LEXICON_FILE
            if source.resolve() != target.resolve():
                shutil.copyfile(source, target)
            files.append(LEXICON_FILE)
            lexicon_name = LEXICON_FILE
        labels = load_labels()
        card = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "version": self.version,
            "backend": self.backend,
            "labels": list(self.labels),
            "label_set_version": labels.version,
            "core_labels": list(labels.core_actions),
            "thresholds": {label: round(float(t), 4) for label, t in zip(self.labels, self.thresholds)},
            "lexicon": lexicon_name,
            "backend_config": self._config(),
            **{k: v for k, v in self.card.items() if k not in STRUCTURAL_KEYS | {"libraries"}},
            "libraries": self.card.get("libraries") or library_versions(self.backend),
            "files": {name: sha256_file(model_dir / name) for name in sorted(files)},
        }
        (model_dir / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_model_card(model_dir / README_FILE, card)
        return model_dir

    def _save_files(self, model_dir: Path) -> list[str]:
        """Write the backend's files; return their paths relative to `model_dir` (files only)."""
        raise NotImplementedError

    def _config(self) -> dict[str, Any]:
        """Backend settings that `load` needs besides its files (JSON-safe)."""
        return {}

    @classmethod
    def load(cls, model_dir: str | Path) -> ActionModel:
        model_dir = Path(model_dir)
        card = read_card(model_dir)
        if card["backend"] != cls.backend:
            raise ModelError(f"{model_dir}: a {card['backend']!r} model, not {cls.backend!r}")
        model = cls.__new__(cls)
        ActionModel.__init__(
            model,
            labels=card["labels"],
            thresholds=[card["thresholds"][label] for label in card["labels"]],
            lexicon_path=model_dir / card["lexicon"] if card.get("lexicon") else None,
            name=card.get("name"),
            version=card.get("version", "0"),
        )
        model.card = {k: v for k, v in card.items() if k not in STRUCTURAL_KEYS}
        model._load_files(model_dir, card.get("backend_config") or {})
        return model

    def _load_files(self, model_dir: Path, config: dict[str, Any]) -> None:
        raise NotImplementedError


def read_card(model_dir: Path) -> dict[str, Any]:
    """model.json after every check that does not need the backend: format, labels, thresholds, file hashes."""
    where = str(model_dir)
    if not model_dir.is_dir():
        raise ModelError(f"{where}: no such model directory")
    card_path = model_dir / CARD_FILE
    try:
        card = json.loads(card_path.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{where}: not a model directory ({CARD_FILE} is missing)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{where}: {CARD_FILE} is unreadable: {exc}") from None
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        raise ModelError(f"{where}: {CARD_FILE} is not a vntasks action model card (format != {FORMAT!r})")
    if card.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{where}: model format version {card.get('format_version')!r}; "
                         f"this vntasks reads version {FORMAT_VERSION}")
    check_label_set(card, where)
    thresholds = card.get("thresholds")
    if not isinstance(thresholds, dict) or set(thresholds) != set(card["labels"]) or not all(
            isinstance(t, (int, float)) and 0 < t < 1 for t in thresholds.values()):
        raise ModelError(f"{where}: thresholds must give one number in (0, 1) per label")
    files = card.get("files")
    if not isinstance(files, dict) or not files:
        raise ModelError(f"{where}: {CARD_FILE} lists no model files")
    for name, digest in files.items():
        path = (model_dir / name).resolve()
        if model_dir.resolve() not in path.parents:
            raise ModelError(f"{where}: file {name!r} lies outside the model directory")
        if not path.is_file():
            raise ModelError(f"{where}: file {name!r} listed in {CARD_FILE} is missing")
        if sha256_file(path) != digest:
            raise ModelError(f"{where}: file {name!r} does not match its sha256 in {CARD_FILE} "
                             "(changed or corrupted since the model was saved)")
    if card.get("lexicon") and card["lexicon"] not in files:
        raise ModelError(f"{where}: lexicon {card['lexicon']!r} is not among the model's files")
    return card


def check_label_set(card: dict[str, Any], where: str) -> None:
    """Refuse a model whose labels are not exactly those of labels.json (same version, same set)."""
    labels = load_labels()
    model_labels = card.get("labels")
    if not isinstance(model_labels, list) or not all(isinstance(x, str) for x in model_labels):
        raise ModelError(f"{where}: {CARD_FILE} has no list of action labels")
    if len(set(model_labels)) != len(model_labels):
        raise ModelError(f"{where}: duplicate action labels {model_labels}")
    unknown = [x for x in model_labels if x not in labels.actions]
    missing = [x for x in labels.actions if x not in model_labels]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"labels not in labels.json: {', '.join(unknown)}")
        if missing:
            parts.append(f"labels.json labels the model lacks: {', '.join(missing)}")
        raise ModelError(f"{where}: label set does not match labels.json ({'; '.join(parts)})")
    if card.get("label_set_version") != labels.version:
        raise ModelError(f"{where}: trained on label set version {card.get('label_set_version')!r}, "
                         f"labels.json is version {labels.version}: retrain the model")
