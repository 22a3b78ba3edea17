"""Durable output: atomic file writes, and run partitions that appear whole or not at all.

A run's partition `run=<id>/` is built out of sight:

    .run=<id>.parts/   part-000001.tasks.jsonl, part-000001.errors.jsonl, ...
                       one pair per batch, each written atomically before the
                       state database records the batch as committed
    .run=<id>.tmp/     tasks.jsonl, errors.jsonl, manifest.json merged from the
                       committed parts, then renamed to `run=<id>/` in one step

Readers that list `run=*` directories therefore never see a half-written
partition. Part files the state never committed (the process died between
writing and committing) are left out of the merge, so their documents are
processed again, once.
"""
from __future__ import annotations

import heapq
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

PARTITION_PREFIX = "run="


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder, fsync it, rename it over `path`, fsync the folder."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def jsonl_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def record_path(record: dict[str, Any]) -> str:
    """The input path a task or error record came from (its sort key)."""
    provenance = record.get("provenance") or {}
    return provenance.get("path") or record.get("source", "")


def _read_part(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield record_path(json.loads(line)), line


class Partition:
    """One run's output partition under `output_dir`."""

    def __init__(self, output_dir: Path, run_id: str):
        self.output_dir = Path(output_dir)
        self.run_id = run_id
        self.name = f"{PARTITION_PREFIX}{run_id}"
        self.visible = self.output_dir / self.name
        self.parts_dir = self.output_dir / f".{self.name}.parts"
        self.staging = self.output_dir / f".{self.name}.tmp"

    def _part_file(self, number: int, kind: str) -> Path:
        return self.parts_dir / f"part-{number:06d}.{kind}.jsonl"

    def write_part(self, number: int, tasks: list[dict[str, Any]], errors: list[dict[str, Any]]) -> None:
        """Durably write one batch's records (sorted by input path) before the state commits them."""
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self._part_file(number, "tasks"), jsonl_bytes(sorted(tasks, key=record_path)))
        write_atomic(self._part_file(number, "errors"), jsonl_bytes(sorted(errors, key=record_path)))

    def _merge(self, parts: list[int], kind: str, target: Path) -> int:
        """Merge the committed parts of one kind into `target`, in input-path order; returns the line count."""
        streams = [_read_part(self._part_file(n, kind)) for n in parts]
        count = 0
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as out:
            for _, line in heapq.merge(*streams, key=lambda item: item[0]):
                out.write(line)
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        return count

    def publish(self, parts: list[int], manifest: dict[str, Any]) -> dict[str, int]:
        """Merge the committed parts, add the manifest, and make the partition visible in one rename.

        Safe to call again after a crash at any point: it starts over from the
        parts, which are only removed once the partition is visible.
        """
        if self.visible.exists():
            self.cleanup()
            return {}
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        counts = {
            "tasks": self._merge(parts, "tasks", self.staging / "tasks.jsonl"),
            "errors": self._merge(parts, "errors", self.staging / "errors.jsonl"),
        }
        manifest = {**manifest, "lines": counts}
        write_atomic(self.staging / "manifest.json",
                     (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        fsync_dir(self.staging)
        os.rename(self.staging, self.visible)
        fsync_dir(self.output_dir)
        self.cleanup()
        return counts

    def cleanup(self) -> None:
        """Remove the hidden working folders (after publishing, or of a run that committed nothing)."""
        for path in (self.parts_dir, self.staging):
            if path.exists():
                shutil.rmtree(path)


def visible_partitions(output_dir: Path) -> list[Path]:
    return sorted(p for p in Path(output_dir).glob(f"{PARTITION_PREFIX}*") if p.is_dir())
