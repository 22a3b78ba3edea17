"""The data model: one dispatch, its header, its task paragraphs and their mentions.

The JSON form is the corpus format of GUIDELINE §5, so predictions, gold and
corrected annotations are the same records. Predictions add optional fields
(offsets, scores, provenance) that gold records simply lack; `from_json`
accepts both and `to_json` round-trips either exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HEADER_FIELDS = ("issuer", "number", "date", "subject", "recipients", "signer")


@dataclass
class Mention:
    """An agency or group given work, as a span of its paragraph's text."""

    text: str
    category: str
    role: str
    start: int | None = None  # character offset in the paragraph text
    end: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "category": self.category, "role": self.role}
        if self.start is not None:
            out["start"] = self.start
        if self.end is not None:
            out["end"] = self.end
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Mention:
        return cls(
            text=obj["text"],
            category=obj["category"],
            role=obj["role"],
            start=obj.get("start"),
            end=obj.get("end"),
        )


@dataclass
class Paragraph:
    """One top-level instruction item (GUIDELINE §1)."""

    number: str
    text: str
    actions: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    section: str | None = None  # title of the enclosing `I.`/`II.` heading
    start: int | None = None  # span in the normalised document text
    end: int | None = None
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # {"actions": {label: p}, ...}
    tokens: list[str] | None = None  # underthesea words; not serialised

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "number": self.number,
            "text": self.text,
            "actions": list(self.actions),
            "agencies": list(self.agencies),
            "mentions": [m.to_json() for m in self.mentions],
        }
        if self.section is not None:
            out["section"] = self.section
        if self.start is not None:
            out["start"] = self.start
        if self.end is not None:
            out["end"] = self.end
        if self.scores:
            out["scores"] = self.scores
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Paragraph:
        return cls(
            number=obj.get("number", ""),
            text=obj["text"],
            actions=list(obj.get("actions", [])),
            agencies=list(obj.get("agencies", [])),
            mentions=[Mention.from_json(m) for m in obj.get("mentions", [])],
            section=obj.get("section"),
            start=obj.get("start"),
            end=obj.get("end"),
            scores=dict(obj.get("scores", {})),
        )


@dataclass
class Header:
    """Document header fields (GUIDELINE §4); None means absent from the text."""

    issuer: str | None = None
    number: str | None = None  # "" when the number was left blank
    date: str | None = None  # YYYY-MM-DD or YYYY-MM
    subject: str | None = None
    recipients: list[str] | None = None
    signer: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in HEADER_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if name == "recipients" else value
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any] | None) -> Header:
        obj = obj or {}
        return cls(**{name: obj.get(name) for name in HEADER_FIELDS})


@dataclass
class Dispatch:
    """A whole document: identity, header, task paragraphs, provenance."""

    id: str
    source: str
    header: Header = field(default_factory=Header)
    paragraphs: list[Paragraph] = field(default_factory=list)
    meta: dict[str, Any] | None = None  # passed through from gold records
    provenance: dict[str, Any] | None = None  # input path, sha256, model, versions
    text: str | None = None  # normalised full text; not serialised

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "header": self.header.to_json(),
            "paragraphs": [p.to_json() for p in self.paragraphs],
        }
        if self.meta is not None:
            out["meta"] = self.meta
        if self.provenance is not None:
            out["provenance"] = self.provenance
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Dispatch:
        return cls(
            id=obj["id"],
            source=obj.get("source", ""),
            header=Header.from_json(obj.get("header")),
            paragraphs=[Paragraph.from_json(p) for p in obj.get("paragraphs", [])],
            meta=obj.get("meta"),
            provenance=obj.get("provenance"),
        )


def error_record(source: str, kind: str, message: str, **extra: Any) -> dict[str, Any]:
    """The output line for a document that could not be processed."""
    return {"source": source, **extra, "error": {"kind": kind, "message": message}}
