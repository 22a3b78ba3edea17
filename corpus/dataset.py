"""Corpus JSONL → a Hugging Face `datasets.Dataset` with one row per task paragraph.

Columns: `doc_id`, `corpus_file`, `paragraph_index`, `number`, `section`,
`text`, `actions` (label names), `labels` (multi-hot floats in labels.json
order, the form `problem_type="multi_label_classification"` expects), one
0/1 column per action label, `agencies`, `province` and `synthetic`. Rows of
one document share `doc_id`: group by it when splitting, never by row.

Every record is checked first (GUIDELINE §5 and labels.json); a malformed
one raises CorpusError naming the file, the line and the reason, and a
document id seen twice is refused the same way.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vntasks.corpus.jsonl import iter_jsonl
from vntasks.corpus.validate import record_problems
from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.errors import CorpusError
from vntasks.pipeline.labels import load_labels


def paragraph_rows(paths: str | Path | Iterable[str | Path]) -> list[dict[str, Any]]:
    """The dataset's rows, in file and document order, after validating every record."""
    labels = load_labels().actions
    if isinstance(paths, (str, Path)):
        paths = [paths]
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in paths:
        for line_no, obj in iter_jsonl(path):
            where = f"{path}:{line_no}"
            if "error" in obj and "paragraphs" not in obj:
                raise CorpusError(f"{where}: an error record (a failed extraction) is not training data")
            problems = record_problems(obj)
            if problems:
                raise CorpusError(f"{where}: " + "; ".join(problems))
            if obj["id"] in seen:
                raise CorpusError(f"{where}: document id {obj['id']!r} already used at {seen[obj['id']]}")
            seen[obj["id"]] = where
            try:
                doc = Dispatch.from_json(obj)
            except (KeyError, TypeError, AttributeError) as exc:
                raise CorpusError(f"{where}: malformed record: {exc!r}") from None
            meta = doc.meta or {}
            for index, paragraph in enumerate(doc.paragraphs):
                hot = [1 if label in paragraph.actions else 0 for label in labels]
                row = {
                    "doc_id": doc.id,
                    "corpus_file": Path(path).name,
                    "paragraph_index": index,
                    "number": paragraph.number,
                    "section": paragraph.section or "",
                    "text": paragraph.text,
                    "actions": [label for label in labels if label in paragraph.actions],
                    "labels": [float(x) for x in hot],
                    **dict(zip(labels, hot)),
                    "agencies": list(paragraph.agencies),
                    "province": meta.get("province") or meta.get("province_or_body") or "",
                    "synthetic": bool(meta.get("synthetic") or obj.get("synthetic")),
                }
                rows.append(row)
    return rows


def load_dataset(paths: str | Path | Iterable[str | Path]):
    """A `datasets.Dataset` of every task paragraph in the corpus files."""
    from datasets import Dataset, Features, Sequence, Value

    labels = load_labels().actions
    features = Features({
        "doc_id": Value("string"), "corpus_file": Value("string"), "paragraph_index": Value("int32"),
        "number": Value("string"), "section": Value("string"), "text": Value("string"),
        "actions": Sequence(Value("string")), "labels": Sequence(Value("float32"), length=len(labels)),
        **{label: Value("int8") for label in labels},
        "agencies": Sequence(Value("string")), "province": Value("string"), "synthetic": Value("bool"),
    })
    return Dataset.from_list(paragraph_rows(paths), features=features)
