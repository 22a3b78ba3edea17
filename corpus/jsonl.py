"""Reading and writing corpus-format JSONL (GUIDELINE §5).

Malformed lines raise CorpusError naming the file, the line and the reason;
nothing is silently dropped.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.errors import CorpusError


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line."""
    path = Path(path)
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with handle:
        try:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(f"{path}:{line_no}: invalid JSON: {exc.msg} (column {exc.colno})") from None
                if not isinstance(obj, dict):
                    raise CorpusError(f"{path}:{line_no}: a record must be a JSON object, not {type(obj).__name__}")
                yield line_no, obj
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{path}: not UTF-8 ({exc.reason})") from None


def read_corpus(paths: str | Path | Iterable[str | Path], *, validate: bool = True) -> list[Dispatch]:
    """All documents of one or more corpus files; error records (`{"error": ...}`) are skipped."""
    from vntasks.corpus.validate import record_problems

    if isinstance(paths, (str, Path)):
        paths = [paths]
    docs: list[Dispatch] = []
    for path in paths:
        for line_no, obj in iter_jsonl(path):
            if "error" in obj and "paragraphs" not in obj:
                continue
            if validate:
                problems = record_problems(obj)
                if problems:
                    raise CorpusError(f"{path}:{line_no}: " + "; ".join(problems))
            try:
                docs.append(Dispatch.from_json(obj))
            except (KeyError, TypeError, AttributeError) as exc:
                raise CorpusError(f"{path}:{line_no}: malformed record: {exc!r}") from None
    return docs


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
