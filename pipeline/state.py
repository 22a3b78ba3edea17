"""The nightly job's memory between runs: one SQLite file, and a lock beside it.

- `documents`: one row per (content hash, model key) that reached an output
  partition — processed or failed — with the run and part that hold it.
  A document is skipped when its row says it was processed (or failed for a
  reason that will not change) with the same model.
- `files`: (path, size, mtime) → sha256, so unchanged files are not read
  again just to learn that they are unchanged (git's index does the same).
- `runs` and `parts`: which run committed which batch, so a run that was
  killed can be finished — its committed parts published — by the next one.

Every batch is one transaction, committed only after its part files are on
disk (`synchronous=FULL`). The lock is an flock(2) on `<state>.lock`: the
kernel releases it when the process dies, however it dies, so a killed run
never blocks the next night. Keep the state on a local disk: flock and
SQLite locking are unreliable on network filesystems.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
# Failures worth another try on the next run with the same model; the others are properties of the file.
TRANSIENT_KINDS = frozenset({"timeout", "crashed", "memory", "internal", "worker_lost", "unreadable"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT NOT NULL, model_key TEXT NOT NULL, path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processed', 'failed')), error_kind TEXT,
    run_id TEXT NOT NULL, part INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (sha256, model_key)
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, output_dir TEXT NOT NULL, status TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, pid INTEGER, host TEXT,
    model_key TEXT, model_info TEXT, input_dir TEXT,
    seen INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS parts (
    run_id TEXT NOT NULL, part INTEGER NOT NULL, tasks INTEGER NOT NULL, errors INTEGER NOT NULL,
    committed_at TEXT NOT NULL, PRIMARY KEY (run_id, part)
);
"""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class LockHeld(Exception):
    """Another run holds the state lock."""


class RunLock:
    """An exclusive, non-blocking flock on `<state>.lock`; the file records who holds it."""

    def __init__(self, state_path: Path):
        self.path = state_path.with_name(state_path.name + ".lock")
        self.fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 4096).decode("utf-8", "replace").strip()
            os.close(fd)
            try:
                info = json.loads(holder)
                who = f"pid {info['pid']} on {info['host']}, started {info['started_at']}"
            except (ValueError, KeyError, TypeError):
                who = "holder unknown"
            raise LockHeld(f"another vntasks run is using {self.path.with_suffix('')} ({who}); "
                           "this run did nothing") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started_at": utc_now()}).encode())
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


@dataclass
class DocumentRow:
    status: str
    error_kind: str | None
    path: str
    run_id: str


@dataclass
class Outcome:
    """What happened to one document in a committed batch."""

    sha256: str
    path: str
    status: str  # processed | failed
    error_kind: str | None = None


class State:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise ValueError(f"{self.path}: state schema version {row[0]}, this vntasks reads {SCHEMA_VERSION}")

    def transaction(self):
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # --- files: the stat cache -------------------------------------------------
    def cached_sha(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.db.execute("SELECT sha256 FROM files WHERE path=? AND size=? AND mtime_ns=?",
                              (path, size, mtime_ns)).fetchone()
        return row[0] if row else None

    def remember_files(self, rows: Iterable[tuple[str, int, int, str]], folder: str, present: set[str]) -> None:
        """Add newly hashed files; forget cached files under `folder` that are no longer there."""
        prefix = folder.rstrip(os.sep) + os.sep
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
            gone = [(p,) for (p,) in self.db.execute("SELECT path FROM files WHERE substr(path, 1, ?) = ?",
                                                     (len(prefix), prefix)) if p not in present]
            self.db.executemany("DELETE FROM files WHERE path=?", gone)

    # --- documents -------------------------------------------------------------
    def document(self, sha256: str, model_key: str) -> DocumentRow | None:
        row = self.db.execute("SELECT status, error_kind, path, run_id FROM documents WHERE sha256=? AND model_key=?",
                              (sha256, model_key)).fetchone()
        return DocumentRow(*row) if row else None

    # --- runs ------------------------------------------------------------------
    def start_run(self, run_id: str, output_dir: Path, input_dir: Path, model_key: str,
                  model_info: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO runs (run_id, output_dir, input_dir, status, started_at, pid, host, model_key, model_info)"
                " VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                (run_id, str(output_dir), str(input_dir), utc_now(), os.getpid(), socket.gethostname(), model_key,
                 json.dumps(model_info, ensure_ascii=False)),
            )

    def plan_run(self, run_id: str, seen: int, skipped: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET seen=?, skipped=? WHERE run_id=?", (seen, skipped, run_id))

    def commit_part(self, run_id: str, part: int, outcomes: list[Outcome], model_key: str) -> None:
        """Record one batch as done: its documents, its part, the run's counters — all or nothing."""
        now = utc_now()
        processed = sum(o.status == "processed" for o in outcomes)
        failed = len(outcomes) - processed
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(o.sha256, model_key, o.path, o.status, o.error_kind, run_id, part, now) for o in outcomes if o.sha256],
            )
            self.db.execute("INSERT INTO parts VALUES (?, ?, ?, ?, ?)", (run_id, part, processed, failed, now))
            self.db.execute("UPDATE runs SET processed=processed+?, failed=failed+? WHERE run_id=?",
                            (processed, failed, run_id))

    def committed_parts(self, run_id: str) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT part FROM parts WHERE run_id=? ORDER BY part", (run_id,))]

    def run(self, run_id: str) -> dict[str, Any]:
        cursor = self.db.execute("SELECT * FROM runs WHERE run_id=?", (run_id,))
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone()))

    def runs_left_running(self) -> list[dict[str, Any]]:
        """Runs that never finished: their process died (the caller holds the lock, so none is alive)."""
        ids = [r[0] for r in self.db.execute("SELECT run_id FROM runs WHERE status='running' ORDER BY run_id")]
        return [self.run(i) for i in ids]

    def finish_run(self, run_id: str, status: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET status=?, finished_at=? WHERE run_id=?", (status, utc_now(), run_id))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
