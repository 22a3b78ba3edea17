"""Pairing predictions with gold: documents by file, paragraphs by text.

Documents are matched by the file name in `source` first, then by `id`
(gold ids such as "seed-000" differ from their file stems).

Paragraphs are matched one-to-one within a document, in two passes:

1. exact: equal after whitespace collapsing and tone-mark normalisation
   (`match_key`), so "Uỷ  ban" and "Ủy ban" agree;
2. fuzzy: of the rest, pairs whose `difflib.SequenceMatcher` ratio on those
   keys is at least `FUZZY_THRESHOLD` (0.8), best ratio first.

A gold paragraph left over is *missed*, a predicted one *spurious*.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import PurePath
from typing import Any

from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.normalise import match_key

FUZZY_THRESHOLD = 0.8
ALIGNMENT_METHOD = (
    "one-to-one; exact match after whitespace collapsing and tone-mark normalisation, "
    "then difflib.SequenceMatcher ratio >= {threshold} on the same keys, best ratio first"
)


def text_key(text: str) -> str:
    """The comparison form of a paragraph or mention text."""
    return " ".join(match_key(text).split())


@dataclass(frozen=True)
class ParagraphPair:
    """One scoring unit: an aligned pair, a missed gold or a spurious predicted paragraph."""

    gold: int | None  # index into the gold document's paragraphs
    pred: int | None  # index into the predicted document's paragraphs
    kind: str  # "exact" | "fuzzy" | "missed" | "spurious"
    ratio: float  # text similarity (1.0 for exact, 0.0 for missed/spurious)


def align_paragraphs(gold: list[str], pred: list[str], threshold: float = FUZZY_THRESHOLD) -> list[ParagraphPair]:
    """Units for gold and predicted paragraph texts, in gold order then spurious ones."""
    gold_keys = [text_key(t) for t in gold]
    pred_keys = [text_key(t) for t in pred]
    gold_to_pred: dict[int, tuple[int, str, float]] = {}
    free_pred = list(range(len(pred)))

    for g, key in enumerate(gold_keys):  # exact pass, in document order
        for p in free_pred:
            if pred_keys[p] == key:
                gold_to_pred[g] = (p, "exact", 1.0)
                free_pred.remove(p)
                break

    candidates = []
    for g in range(len(gold)):
        if g in gold_to_pred:
            continue
        for p in free_pred:
            matcher = SequenceMatcher(None, gold_keys[g], pred_keys[p], autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                candidates.append((-ratio, abs(g - p), g, p))
    taken: set[int] = set()
    for neg_ratio, _, g, p in sorted(candidates):
        if g in gold_to_pred or p in taken:
            continue
        gold_to_pred[g] = (p, "fuzzy", -neg_ratio)
        taken.add(p)

    units = []
    for g in range(len(gold)):
        if g in gold_to_pred:
            p, kind, ratio = gold_to_pred[g]
            units.append(ParagraphPair(g, p, kind, ratio))
        else:
            units.append(ParagraphPair(g, None, "missed", 0.0))
    used = {p for p, _, _ in gold_to_pred.values()}
    units.extend(ParagraphPair(None, p, "spurious", 0.0) for p in range(len(pred)) if p not in used)
    return units


class OffsetMap:
    """Maps character offsets in one text onto a similar text (via difflib's matching blocks)."""

    def __init__(self, source: str, target: str):
        self.identity = source == target
        if not self.identity:
            blocks = SequenceMatcher(None, source, target, autojunk=False).get_matching_blocks()
            self.blocks = [(a, b, size) for a, b, size in blocks if size]
            self.starts = [a for a, _, _ in self.blocks]

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.identity or start >= end:
            return start, end
        if not self.blocks:
            return 0, 0
        # start: inside a block, or else the beginning of the next block
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and start < self.blocks[i][0] + self.blocks[i][2]:
            new_start = self.blocks[i][1] + start - self.blocks[i][0]
        elif i + 1 < len(self.blocks):
            new_start = self.blocks[i + 1][1]
        else:
            new_start = self.blocks[i][1] + self.blocks[i][2]
        # end (exclusive): its last character inside a block, or else the end of the previous block
        j = bisect_right(self.starts, end - 1) - 1
        if j < 0:
            new_end = self.blocks[0][1]
        elif end - 1 < self.blocks[j][0] + self.blocks[j][2]:
            new_end = self.blocks[j][1] + end - self.blocks[j][0]
        else:
            new_end = self.blocks[j][1] + self.blocks[j][2]
        return new_start, max(new_end, new_start)


@dataclass
class DocumentPair:
    """A gold document and what the system produced for it."""

    gold: Dispatch
    pred: Dispatch | None  # None when missing or failed
    error: dict[str, Any] | None = None  # the error record's "error" object, when failed

    @property
    def status(self) -> str:
        if self.pred is not None:
            return "ok"
        return "error" if self.error is not None else "missing"


def file_name(source: str) -> str:
    """The file name of a `source` that may be a bare name, or a POSIX or Windows path."""
    return PurePath(source.replace("\\", "/")).name if source else ""


@dataclass
class DocumentMatch:
    pairs: list[DocumentPair]
    unmatched: list[str]  # predictions that match no gold document (source or id)
    duplicates: list[str]  # second predictions for an already matched gold document


def match_documents(gold: list[Dispatch], predictions: list[Dispatch | dict[str, Any]]) -> DocumentMatch:
    """Pairs every gold document with its prediction (a Dispatch or an error record), if any.

    Raises ValueError when two gold documents share a source file name.
    """
    by_source: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for i, doc in enumerate(gold):
        name = file_name(doc.source)
        if name:
            if name in by_source:
                raise ValueError(f"two gold documents have the source {name!r} ({gold[by_source[name]].id}, {doc.id})")
            by_source[name] = i
        by_id.setdefault(doc.id, i)

    pairs = [DocumentPair(doc, None) for doc in gold]
    found: set[int] = set()
    unmatched: list[str] = []
    duplicates: list[str] = []
    for pred in predictions:
        if isinstance(pred, Dispatch):
            source, doc_id = pred.source, pred.id
        else:
            source, doc_id = str(pred.get("source", "")), str(pred.get("id", ""))
        name = file_name(source)
        stem = PurePath(name).stem if name else ""
        index = by_source.get(name)
        if index is None:
            index = by_id.get(doc_id, by_id.get(stem))
        label = name or doc_id or "(no source)"
        if index is None:
            unmatched.append(label)
        elif index in found:
            duplicates.append(label)
        else:
            found.add(index)
            if isinstance(pred, Dispatch):
                pairs[index].pred = pred
            else:
                pairs[index].error = pred.get("error") or {"kind": "unknown", "message": "error record"}
    return DocumentMatch(pairs, unmatched, duplicates)
