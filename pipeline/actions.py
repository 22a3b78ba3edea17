"""The `actions` stage: action types of every task paragraph, from an action model."""
from __future__ import annotations

from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.labels import load_labels


class ActionStage:
    """Sets `paragraph.actions` (labels.json order) and `paragraph.scores["actions"]` (every label)."""

    name = "actions"
    requires = frozenset({"paragraphs", "tokens", "mentions"})
    provides = frozenset({"actions"})

    def __init__(self, model):
        self.model = model
        order = load_labels().actions
        missing = set(order) - set(model.labels)
        if missing:
            raise ValueError(f"the action model lacks labels {sorted(missing)}")
        self.columns = [list(model.labels).index(label) for label in order]
        self.order = order

    def __call__(self, doc: Dispatch) -> Dispatch:
        if not doc.paragraphs:
            return doc
        probabilities = self.model.predict_proba(doc.paragraphs)
        thresholds = self.model.thresholds
        for paragraph, row in zip(doc.paragraphs, probabilities):
            paragraph.actions = [label for label, j in zip(self.order, self.columns) if row[j] >= thresholds[j]]
            paragraph.scores = dict(paragraph.scores or {})
            paragraph.scores["actions"] = {label: round(float(row[j]), 4) for label, j in zip(self.order, self.columns)}
        return doc
