"""Stages over a Dispatch and the Pipeline that chains them.

Like stanza's processors, each stage declares what it needs and what it
provides; the Pipeline checks the chain once, when it is built, so a
misconfigured pipeline fails at load time rather than on document 10,000.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.normalise import normalise_text

# What a freshly made Dispatch already has.
INITIAL = frozenset({"text"})


class Stage(Protocol):
    name: str
    requires: frozenset[str]
    provides: frozenset[str]

    def __call__(self, doc: Dispatch) -> Dispatch: ...


@cache  # importlib.metadata scans sys.path on every call
def vntasks_version() -> str:
    try:
        return metadata.version("vntasks")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass
class Pipeline:
    stages: Sequence[Stage]
    model_info: dict[str, Any]

    def __post_init__(self) -> None:
        have = set(INITIAL)
        for stage in self.stages:
            missing = stage.requires - have
            if missing:
                raise ValueError(f"stage {stage.name!r} needs {sorted(missing)}, which no earlier stage provides")
            have |= stage.provides
        self.provides = frozenset(have)

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> Pipeline:
        """The full pipeline with the model in `model_dir`, or the bundled default."""
        from vntasks.models import load_model

        return cls.from_model(load_model(model_dir))

    @classmethod
    def from_model(cls, model) -> Pipeline:
        """The full pipeline around an action model (loaded, or just trained in memory)."""
        from vntasks.pipeline.actions import ActionStage
        from vntasks.pipeline.agencies import AgencyTagger, Lexicon
        from vntasks.pipeline.segment import Segmenter
        from vntasks.pipeline.tokenize import TokenizeStage

        lexicon = Lexicon.load(model.lexicon_path)
        stages = [
            Segmenter(),
            TokenizeStage(lexicon.names()),
            AgencyTagger(lexicon),
            ActionStage(model),
        ]
        return cls(stages, model.info())

    def __call__(self, text: str, *, doc_id: str = "doc", source: str = "") -> Dispatch:
        doc = Dispatch(id=doc_id, source=source, text=normalise_text(text))
        for stage in self.stages:
            doc = stage(doc)
        return doc

    def pipe(self, items: Iterable[tuple[str, str, str]]) -> Iterator[Dispatch]:
        """(doc_id, source, text) triples in, Dispatches out, in order."""
        for doc_id, source, text in items:
            yield self(text, doc_id=doc_id, source=source)

    def provenance(self, path: str | Path, data: bytes) -> dict[str, Any]:
        return {
            "path": str(path),
            "sha256": hashlib.sha256(data).hexdigest(),
            "model": self.model_info.get("name"),
            "model_version": self.model_info.get("version"),
            "vntasks_version": vntasks_version(),
        }
