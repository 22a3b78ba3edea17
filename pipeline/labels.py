"""The label set of the annotation contract (`corpus/labels.json`)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class LabelSet:
    version: int
    actions: tuple[str, ...]
    core_actions: tuple[str, ...]
    agencies: tuple[str, ...]
    roles: tuple[str, ...]


@lru_cache(maxsize=1)
def load_labels() -> LabelSet:
    raw = json.loads(resources.files("vntasks.corpus").joinpath("labels.json").read_text("utf-8"))
    return LabelSet(
        version=raw["version"],
        actions=tuple(raw["actions"]),
        core_actions=tuple(raw["core_actions"]),
        agencies=tuple(raw["agencies"]),
        roles=tuple(raw["roles"]),
    )
