"""The keyword baseline: a label is given when any of its GUIDELINE §2 cue words occurs.

It learns nothing; it is a model only so that its figures come from the same
cross-validation, scoring and model directory as the trained ones, and so
that `vntasks extract --model` can run it. `settled_cues=False` keeps only
the cue column of the §2 table (the plain keyword baseline); the default adds
the phrases of the settled cases (§2.1).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vntasks.models.base import ActionModel
from vntasks.models.features import CueFeatures, cue_triples
from vntasks.pipeline.errors import ModelError

RULES_FILE = "rules.json"


class RuleActionModel(ActionModel):
    backend = "rules"

    def __init__(self, *, settled_cues: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.settled_cues = settled_cues
        self.cues = cue_triples(settled_cues)

    def _fit(self, paragraphs: list[Any], y: np.ndarray) -> None:
        """Nothing to learn: the cues come from the guideline."""

    def predict_proba(self, paragraphs: Sequence[Any]) -> np.ndarray:
        """1.0 for a label with at least one cue in the paragraph, else 0.0."""
        features = CueFeatures(self.cues, list(self.labels)).fit(None)
        counts = features.transform([p.text for p in paragraphs]).toarray()
        return (counts[:, len(self.cues):] > 0).astype(float)

    def _config(self) -> dict[str, Any]:
        return {"settled_cues": self.settled_cues, "file": RULES_FILE}

    def _save_files(self, model_dir: Path) -> list[str]:
        rules = [{"label": label, "name": name, "regex": regex} for label, name, regex in self.cues]
        (model_dir / RULES_FILE).write_text(json.dumps(rules, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return [RULES_FILE]

    def _load_files(self, model_dir: Path, config: dict[str, Any]) -> None:
        self.settled_cues = bool(config.get("settled_cues", True))
        try:
            rules = json.loads((model_dir / RULES_FILE).read_text("utf-8"))
            self.cues = [(r["label"], r["name"], r["regex"]) for r in rules]
            for _, _, regex in self.cues:
                re.compile(regex)
        except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
            raise ModelError(f"{model_dir}: {RULES_FILE} is malformed: {exc}") from None
        strange = sorted({label for label, _, _ in self.cues} - set(self.labels))
        if strange:
            raise ModelError(f"{model_dir}: {RULES_FILE} has cues for unknown labels: {', '.join(strange)}")
