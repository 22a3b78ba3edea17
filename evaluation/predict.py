"""Predictions for gold documents: read from a file, or made by running the pipeline on raw files.

A gold record's `source` names its raw file (`000_c8752d79a5728104.txt`,
`A005.txt`); the file is looked up by that name in the raw folders, then by
the record's id as a file stem. By convention the raw files of `X.jsonl` lie
in the folder `X/` beside it (corpus/seeds.jsonl → corpus/seeds/).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vntasks.corpus.jsonl import iter_jsonl
from vntasks.evaluation.align import file_name
from vntasks.pipeline.document import Dispatch, error_record
from vntasks.pipeline.errors import CorpusError, DocumentError
from vntasks.pipeline.labels import LabelSet, load_labels
from vntasks.pipeline.readers import SUPPORTED_SUFFIXES


def prediction_problems(obj: dict[str, Any], labels: LabelSet) -> list[str]:
    """What would make a prediction record unscorable: missing structure or labels not in labels.json.

    Predictions are not held to the gold rules (e.g. agencies agreeing with
    lead mentions): an inconsistent prediction is scored, not refused.
    """
    if not isinstance(obj.get("id", ""), str) or not isinstance(obj.get("source", ""), str):
        return ["'id' and 'source' must be strings"]
    if not obj.get("id") and not obj.get("source"):
        return ["needs an 'id' or a 'source' to match it to a gold document"]
    paragraphs = obj.get("paragraphs")
    if not isinstance(paragraphs, list):
        return ["'paragraphs' must be a list"]
    problems = []
    for i, para in enumerate(paragraphs):
        where = f"paragraphs[{i}]"
        if not isinstance(para, dict) or not isinstance(para.get("text"), str):
            problems.append(f"{where}: needs a 'text' string")
            continue
        for key, allowed in (("actions", labels.actions), ("agencies", labels.agencies)):
            values = para.get(key, [])
            if not isinstance(values, list):
                problems.append(f"{where}.{key}: must be a list")
                continue
            problems += [f"{where}.{key}: unknown label {v!r}" for v in values if v not in allowed]
        mentions = para.get("mentions", [])
        if not isinstance(mentions, list):
            problems.append(f"{where}.mentions: must be a list")
            continue
        for j, m in enumerate(mentions):
            if not isinstance(m, dict) or not isinstance(m.get("text"), str):
                problems.append(f"{where}.mentions[{j}]: needs a 'text' string")
            elif m.get("category") not in labels.agencies or m.get("role") not in labels.roles:
                problems.append(f"{where}.mentions[{j}]: unknown category or role "
                                f"({m.get('category')!r}, {m.get('role')!r})")
    return problems


def read_predictions(paths: Iterable[str | Path]) -> list[Dispatch | dict[str, Any]]:
    """Prediction records (Dispatches) and error records (dicts with "error"), in file order."""
    labels = load_labels()
    out: list[Dispatch | dict[str, Any]] = []
    for path in paths:
        for line_no, obj in iter_jsonl(path):
            if "error" in obj and "paragraphs" not in obj:
                out.append(obj)
                continue
            problems = prediction_problems(obj, labels)
            if problems:
                raise CorpusError(f"{path}:{line_no}: " + "; ".join(problems))
            try:
                out.append(Dispatch.from_json(obj))
            except (KeyError, TypeError, AttributeError) as exc:
                raise CorpusError(f"{path}:{line_no}: malformed record: {exc!r}") from None
    return out


def default_raw_dirs(gold_paths: Iterable[str | Path]) -> list[Path]:
    """The folder `X/` beside each gold file `X.jsonl`, where it exists."""
    dirs = []
    for path in gold_paths:
        candidate = Path(path).with_suffix("")
        if candidate.is_dir():
            dirs.append(candidate)
    return dirs


@dataclass
class RawIndex:
    """Raw dispatch files under some folders, by file name and by stem."""

    by_name: dict[str, Path] = field(default_factory=dict)
    by_stem: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def build(cls, dirs: Sequence[str | Path]) -> RawIndex:
        index = cls()
        for folder in dirs:
            folder = Path(folder)
            if not folder.is_dir():
                raise FileNotFoundError(f"raw folder {folder} does not exist")
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                    index.by_name.setdefault(path.name, path)
                    index.by_stem.setdefault(path.stem, path)
        return index

    def find(self, doc: Dispatch) -> Path | None:
        return self.by_name.get(file_name(doc.source)) or self.by_stem.get(doc.id)


def reconstructed_text(doc: Dispatch) -> str:
    """A stand-in document when the raw file is unavailable: its paragraphs, numbered as printed."""
    lines = []
    for i, para in enumerate(doc.paragraphs, start=1):
        number = para.number or str(i)
        lines.append(f"{number}. {para.text}")
    return "\n".join(lines) + "\n"


@dataclass
class PredictionRun:
    predictions: list[Dispatch | dict[str, Any]]
    from_raw: int  # documents run from their raw file
    reconstructed: list[str]  # documents run from text rebuilt from the gold paragraphs
    missing: list[str]  # gold documents without a raw file (when not reconstructing)


def predict_gold(
    pipeline,
    gold: Sequence[Dispatch],
    raw: RawIndex,
    *,
    reconstruct: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> PredictionRun:
    """Runs the pipeline on each gold document's raw file, as `vntasks extract` would.

    Failures become error records; a document without a raw file is skipped
    (it will count as missing) unless `reconstruct`, when it is run on its
    gold paragraphs joined back into a numbered text.
    """
    from vntasks.pipeline.extract import extract_file

    predictions: list[Dispatch | dict[str, Any]] = []
    run = PredictionRun(predictions, 0, [], [])
    for doc in progress(gold):
        path = raw.find(doc)
        try:
            if path is not None:
                pred = extract_file(pipeline, path)
                run.from_raw += 1
            elif reconstruct:
                pred = pipeline(reconstructed_text(doc), doc_id=doc.id, source=doc.source)
                run.reconstructed.append(doc.source or doc.id)
            else:
                run.missing.append(doc.source or doc.id)
                continue
        except DocumentError as exc:
            predictions.append(error_record(file_name(exc.source) or doc.source, exc.kind, exc.message, id=doc.id))
            continue
        except Exception as exc:  # a bug on one document must not lose the others
            predictions.append(error_record(doc.source, "internal", f"{type(exc).__name__}: {exc}", id=doc.id))
            continue
        pred.id, pred.source = doc.id, doc.source  # ties the prediction to its gold document
        predictions.append(pred)
    return run
