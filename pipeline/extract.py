"""`vntasks extract PATH... [-o OUT.jsonl] [--model DIR]`.

One JSON line per input document: a corpus-format record with scores,
offsets and provenance, or an error record naming the file and the reason.
Exit code 0 when every file was extracted, 1 when any failed, 2 when the job
itself could not run (no inputs, unusable model).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from vntasks.pipeline.document import Dispatch, error_record
from vntasks.pipeline.errors import DocumentError, ModelError
from vntasks.pipeline.readers import SUPPORTED_SUFFIXES, read_bytes, read_document

# Readings worth recording in provenance: the text was converted, so offsets refer to the converted text.
CONVERTED_ENCODINGS = frozenset({"utf-16", "windows-1258", "tcvn3", "vni", "utf-8 read as windows-1252"})


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="dispatch files or folders (searched recursively)")
    parser.add_argument("-o", "--output", default=None, help="output JSONL file, or - for stdout (default: stdout)")
    parser.add_argument("--model", default=None, help="trained model directory (default: the bundled model)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def find_inputs(paths: list[str]) -> tuple[list[Path], list[dict[str, Any]]]:
    """Files to extract, and error records for paths that do not exist."""
    files: list[Path] = []
    missing: list[dict[str, Any]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(error_record(str(path), "not_found", "no such file or folder"))
    return files, missing


def extract_bytes(pipeline, path: Path, data: bytes) -> Dispatch:
    """Run the pipeline on one file's bytes; raises DocumentError with the reason."""
    source = str(path)
    read = read_document(path, data, source)
    doc = pipeline(read.text, doc_id=path.stem, source=path.name)
    if not doc.paragraphs:
        raise DocumentError(source, "no_body", "no numbered or instruction paragraphs were found")
    doc.provenance = pipeline.provenance(path, data)
    if read.encoding in CONVERTED_ENCODINGS:
        doc.provenance["encoding"] = read.encoding
    return doc


def extract_file(pipeline, path: Path) -> Dispatch:
    """Run the pipeline on one file; raises DocumentError with the reason."""
    return extract_bytes(pipeline, path, read_bytes(path, str(path)))


@contextmanager
def open_output(target: str | None) -> Iterator[IO[str]]:
    if target in (None, "-"):
        yield sys.stdout
    else:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            yield handle


class Summary:
    """What `vntasks extract` tells a person at the end: totals, and the tasks of the first SHOWN documents.

    It keeps counts, not documents, so memory stays flat however many files are extracted.
    """

    SHOWN = 20

    def __init__(self) -> None:
        self.documents = self.paragraphs = 0
        self.actions: Counter[str] = Counter()
        self.agencies: Counter[str] = Counter()
        self.shown: list[str] = []

    def add(self, doc: Dispatch) -> None:
        self.documents += 1
        self.paragraphs += len(doc.paragraphs)
        for p in doc.paragraphs:
            self.actions.update(p.actions)
            self.agencies.update(p.agencies)
        if self.documents > self.SHOWN:
            return
        self.shown.append(f"  {doc.source}: {len(doc.paragraphs)} tasks"
                          + (f" — {doc.header.issuer}" if doc.header.issuer else ""))
        for p in doc.paragraphs:
            who = ", ".join(p.agencies) or "-"
            what = ", ".join(p.actions) or "-"
            label = p.number or "•"
            self.shown.append(f"    {label:>4}  who: {who:<40} what: {what}")

    def text(self, failures: list[dict[str, Any]]) -> str:
        lines = [f"{self.documents} documents extracted, {self.paragraphs} task paragraphs, {len(failures)} failed",
                 *self.shown]
        if self.documents > self.SHOWN:
            lines.append(f"  ... and {self.documents - self.SHOWN} more documents (their tasks are in the output)")
        if self.actions:
            lines.append("actions:  " + ", ".join(f"{k} {v}" for k, v in self.actions.most_common()))
        if self.agencies:
            lines.append("agencies: " + ", ".join(f"{k} {v}" for k, v in self.agencies.most_common()))
        for failure in failures:
            lines.append(f"FAILED {failure['source']}: {failure['error']['message']} ({failure['error']['kind']})")
        return "\n".join(lines)


def command_needs_torch(args: argparse.Namespace) -> bool:
    from vntasks.models import needs_torch as model_needs_torch

    return model_needs_torch(args.model)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from vntasks.pipeline.core import Pipeline

    files, failures = find_inputs(args.paths)
    if not files and not failures:
        print("vntasks extract: no supported files (" + ", ".join(SUPPORTED_SUFFIXES) + ") in the given paths", file=sys.stderr)
        return 2
    try:
        pipeline = Pipeline.load(args.model)
    except ModelError as exc:
        print(f"vntasks extract: {exc}", file=sys.stderr)
        return 2
    summary = Summary()
    with open_output(args.output) as out:
        for record in failures:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        show_progress = not args.quiet and sys.stderr.isatty()
        for path in tqdm(files, desc="extract", unit="doc", disable=not show_progress):
            try:
                doc = extract_file(pipeline, path)
            except DocumentError as exc:
                record = error_record(exc.source, exc.kind, exc.message)
            except Exception as exc:  # a bug on one document must not lose the others
                record = error_record(str(path), "internal", f"{type(exc).__name__}: {exc}")
            else:
                summary.add(doc)
                out.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
                out.flush()
                continue
            failures.append(record)
            print(f"vntasks extract: {record['source']}: {record['error']['message']}", file=sys.stderr)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if not args.quiet:
        print(summary.text(failures), file=sys.stderr)
    return 1 if failures else 0
