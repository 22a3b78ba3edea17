"""`vntasks run --input DIR --output DIR`: the incremental, resumable nightly extraction job.

Each run finds the supported files under the input folder, skips those whose
content was already processed with the same model (SQLite state), processes
the rest in batches — in one local document process, on a Dask LocalCluster
(`--workers N`) or on an existing cluster (`--scheduler ADDRESS`) — and
writes one new partition `OUTPUT/run=<UTC time>/` with tasks.jsonl,
errors.jsonl and manifest.json. After each batch the driver writes the
batch's records durably and then commits the batch in the state, so a run
killed at any moment loses no finished work: the next run publishes what the
killed run committed and processes only the rest. No document appears twice
across the visible partitions unless its file changed (or the model did).

Exit codes: 0 every file processed or skipped; 1 some files failed (listed
in errors.jsonl and on stderr); 2 the job itself could not run (lock held,
bad arguments, model or cluster unusable, interrupted).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vntasks.pipeline.document import error_record
from vntasks.pipeline.outputs import Partition
from vntasks.models import needs_torch
from vntasks.pipeline.processor import DEFAULT_FACTORY, model_key
from vntasks.pipeline.readers import MAX_BYTES, SUPPORTED_SUFFIXES, UNREADABLE_SUFFIXES
from vntasks.pipeline.state import TRANSIENT_KINDS, LockHeld, Outcome, RunLock, State, utc_now

EXIT_OK, EXIT_FAILURES, EXIT_JOB = 0, 1, 2
STATE_NAME = ".vntasks-state.sqlite"
# Files still being written by whoever drops them in (copy to a temp name, then rename).
IN_PROGRESS_ENDINGS = ("~", ".tmp", ".part", ".partial", ".crdownload", ".swp")
INPUT_SUFFIXES = frozenset(SUPPORTED_SUFFIXES) | frozenset(UNREADABLE_SUFFIXES)
MAX_BATCH_BYTES = 32 * 1024 * 1024  # file bytes travel inside Dask tasks: keep each task small


class JobError(Exception):
    """The job could not run or could not finish; nothing visible is half-written."""


class JobInterrupted(JobError):
    """SIGTERM or SIGINT: committed batches are published, the rest is left for the next run."""


@dataclass
class JobConfig:
    input_dir: Path
    output_dir: Path
    state_path: Path | None = None  # default: OUTPUT/.vntasks-state.sqlite
    model_dir: str | None = None
    workers: int | None = None  # Dask LocalCluster with this many single-threaded worker processes
    scheduler: str | None = None  # address of an existing Dask scheduler
    processor: str = DEFAULT_FACTORY
    batch_size: int = 16
    timeout_s: float = 120.0
    max_bytes: int = MAX_BYTES
    memory_mb: int = 4096  # address-space limit of each document process; 0: none
    retry_failed: bool = False
    block_torch: bool | None = None  # None: block unless the model card names a torch backend

    def resolved(self) -> JobConfig:
        output_dir = Path(self.output_dir).resolve()
        return replace(
            self,
            input_dir=Path(self.input_dir).absolute(),
            output_dir=output_dir,
            state_path=Path(self.state_path).resolve() if self.state_path else output_dir / STATE_NAME,
            model_dir=str(Path(self.model_dir).resolve()) if self.model_dir else None,
            block_torch=(not needs_torch(self.model_dir)) if self.block_torch is None else self.block_torch,
        )

    def worker_settings(self) -> dict[str, Any]:
        return {"factory": self.processor, "model_dir": self.model_dir, "block_torch": self.block_torch,
                "memory_mb": self.memory_mb, "timeout_s": self.timeout_s}


@dataclass
class Summary:
    run_id: str
    partition: Path | None
    status: str
    counts: dict[str, int]
    failures: list[dict[str, Any]]
    seconds: float
    exit_code: int


# --- progress and logs -----------------------------------------------------------
class Reporter:
    """A progress bar and readable lines on a terminal; one JSON object per line otherwise (cron, systemd)."""

    def __init__(self, mode: str = "auto", stream=None):
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "text" if getattr(self.stream, "isatty", lambda: False)() else "json"
        self.mode = mode
        self.bar = None

    def event(self, name: str, **fields: Any) -> None:
        if self.mode == "quiet":
            return
        if self.mode == "json":
            self.stream.write(json.dumps({"ts": utc_now(), "event": name, **fields}, ensure_ascii=False) + "\n")
            self.stream.flush()
            return
        line = _TEXT_EVENTS.get(name)
        if line:
            self._write(line.format(**fields))

    def _write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def progress_start(self, total: int) -> None:
        if self.mode == "text" and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="vntasks run", unit="doc", file=self.stream, dynamic_ncols=True)

    def progress(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def progress_end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self, summary: Summary) -> None:
        c = summary.counts
        fields = dict(run_id=summary.run_id, status=summary.status, partition=str(summary.partition or ""),
                      seconds=round(summary.seconds, 2), exit_code=summary.exit_code, **c)
        if self.mode == "json":
            fields["failed_paths"] = [f["source"] for f in summary.failures[:100]]
            self.event("run_finished", **fields)
        elif self.mode == "text":
            self._write(f"vntasks run {summary.run_id}: {summary.status}, output {summary.partition or '(none)'}")
            self._write(f"  seen {c['seen']} = processed {c['processed']} + skipped {c['skipped']} "
                        f"+ failed {c['failed']}" + (f" + unfinished {c['unfinished']}" if c.get("unfinished") else "")
                        + f"  ({summary.seconds:.1f} s)")
            for failure in summary.failures:
                self._write(f"  FAILED {failure['source']}: {failure['error']['message']} ({failure['error']['kind']})")


_TEXT_EVENTS = {
    "recovered": "recovered interrupted run {run_id}: published {partition} ({processed} processed, {failed} failed)",
    "run_started": "vntasks run {run_id}: {input} → {output} ({executor}, {workers} worker(s), model {model_key})",
    "planned": "{seen} input files: {pending} to process, {skipped} already done",
    "job_error": "vntasks run: {message}",
}


# --- finding and planning the work -------------------------------------------------
def discover(input_dir: Path, exclude: list[Path]) -> tuple[list[Path], Counter]:
    """Supported files under `input_dir` (recursively, sorted), and counts of the files ignored, by suffix.

    Hidden files and folders, files still being copied (`*.part`, `*~`, ...)
    and the job's own output folder are left out; symlinked folders are not
    followed (no loops).
    """
    files: list[Path] = []
    ignored: Counter = Counter()
    excluded = {p.resolve() for p in exclude}
    for root, dirs, names in os.walk(input_dir, followlinks=False):
        root_path = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (root_path / d).resolve() not in excluded)
        for name in sorted(names):
            path = root_path / name
            if name.startswith(".") or name.endswith(IN_PROGRESS_ENDINGS) or not path.is_file():
                continue
            suffix = path.suffix.lower()
            if suffix in INPUT_SUFFIXES:
                files.append(path)
            else:
                ignored[suffix or "(none)"] += 1
    return sorted(files), ignored


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Plan:
    pending: list[tuple[Path, str]] = field(default_factory=list)  # (path, sha256 when planned)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    early: list[dict[str, Any]] = field(default_factory=list)  # results decided without a worker


def make_plan(files: list[Path], state: State, key: str, config: JobConfig) -> Plan:
    """Decide per file: skip (already done), fail now (too large, unreadable) or process."""
    plan = Plan()
    seen_content: set[str] = set()
    cache_rows = []
    for path in files:
        source = str(path)
        try:
            stat = path.stat()
            sha = state.cached_sha(source, stat.st_size, stat.st_mtime_ns)
            if sha is None:
                sha = _sha256_file(path)
                cache_rows.append((source, stat.st_size, stat.st_mtime_ns, sha))
        except OSError as exc:
            plan.early.append({"path": source, "sha256": "", "seconds": 0.0,
                               "error": {"kind": "unreadable", "message": exc.strerror or str(exc)}})
            continue
        row = state.document(sha, key)
        if row is not None and row.status == "processed":
            plan.skipped["already_processed"] += 1
        elif row is not None and row.error_kind not in TRANSIENT_KINDS and not config.retry_failed:
            plan.skipped["already_failed"] += 1
        elif sha in seen_content:
            plan.skipped["duplicate_content"] += 1
        elif stat.st_size > config.max_bytes:
            seen_content.add(sha)
            plan.early.append({"path": source, "sha256": sha, "seconds": 0.0, "error": {
                "kind": "too_large", "message": f"{stat.st_size:,} bytes is over the {config.max_bytes:,}-byte limit"}})
        else:
            seen_content.add(sha)
            plan.pending.append((path, sha))
    state.remember_files(cache_rows, str(config.input_dir), {str(p) for p in files})
    return plan


def read_batches(pending: list[tuple[Path, str]], size: int, late: list[dict[str, Any]],
                 max_bytes: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of {path, sha256, data}, read only when submitted and kept under MAX_BATCH_BYTES.

    Files gone or grown over the limit since planning go to `late` as failures.
    """
    batch: list[dict[str, Any]] = []
    weight = 0
    for path, planned_sha in pending:
        try:
            if path.stat().st_size > max_bytes:
                raise OSError(f"grew over the {max_bytes:,}-byte limit while the job ran")
            data = path.read_bytes()
        except OSError as exc:
            late.append({"path": str(path), "sha256": planned_sha, "seconds": 0.0,
                         "error": {"kind": "unreadable", "message": exc.strerror or str(exc)}})
            continue
        if batch and (len(batch) >= size or weight + len(data) > MAX_BATCH_BYTES):
            yield batch
            batch, weight = [], 0
        batch.append({"path": str(path), "sha256": hashlib.sha256(data).hexdigest(), "data": data})
        weight += len(data)
    if batch:
        yield batch


# --- recovery -------------------------------------------------------------------
def _manifest(state: State, run_id: str, status: str, extra: dict[str, Any]) -> dict[str, Any]:
    run = state.run(run_id)
    failed_by_kind = dict(state.db.execute(
        "SELECT error_kind, COUNT(*) FROM documents WHERE run_id=? AND status='failed' GROUP BY error_kind",
        (run_id,)).fetchall())
    counts = {k: run[k] for k in ("seen", "processed", "skipped", "failed")}
    counts["unfinished"] = counts["seen"] - counts["processed"] - counts["skipped"] - counts["failed"]
    return {
        "run_id": run_id,
        "status": status,
        "started_at": run["started_at"],
        "finished_at": utc_now(),
        "input": run["input_dir"],
        "counts": counts,
        "failed_by_kind": failed_by_kind,
        "model_key": run["model_key"],
        "model": json.loads(run["model_info"] or "{}"),
        "host": run["host"],
        "pid": run["pid"],
        **extra,
    }


def recover(state: State, reporter: Reporter) -> None:
    """Finish runs that died: publish the batches they committed; drop what they did not."""
    for run in state.runs_left_running():
        partition = Partition(Path(run["output_dir"]), run["run_id"])
        parts = state.committed_parts(run["run_id"])
        if parts or partition.visible.exists():
            manifest = _manifest(state, run["run_id"], "interrupted", {
                "note": "the run stopped before it finished; a later run processed the files it did not",
            })
            partition.publish(parts, manifest)
            status = "interrupted"
        else:
            partition.cleanup()
            status = "abandoned"
        state.finish_run(run["run_id"], status)
        reporter.event("recovered", run_id=run["run_id"], status=status,
                       partition=str(partition.visible) if status == "interrupted" else "",
                       processed=run["processed"], failed=run["failed"])


# --- the job --------------------------------------------------------------------
def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def make_executor(config: JobConfig):
    settings = config.worker_settings()
    if config.scheduler or config.workers:
        from vntasks.pipeline.distributed import DaskExecutor

        return DaskExecutor(settings, workers=config.workers, scheduler=config.scheduler)
    from vntasks.pipeline.sandbox import LocalExecutor

    return LocalExecutor(settings)


def _check_workers(described: list[dict[str, Any]]) -> dict[str, Any]:
    keys = {model_key(d["info"]) for d in described}
    if len(keys) > 1:
        raise JobError("the workers do not run the same model or vntasks version: " + "; ".join(sorted(keys)))
    return described[0]["info"]


def _raise_interrupt(signum, frame):
    raise JobInterrupted(f"stopped by {signal.Signals(signum).name}")


def run_job(config: JobConfig, reporter: Reporter | None = None) -> Summary:
    """One nightly run. Raises JobError when the job cannot run; document failures are in the Summary."""
    reporter = reporter or Reporter("quiet")
    config = config.resolved()
    if not config.input_dir.is_dir():
        raise JobError(f"input folder {config.input_dir} does not exist or is not a folder")
    if config.batch_size < 1 or config.timeout_s <= 0 or (config.workers is not None and config.workers < 1):
        raise JobError("--batch-size and --workers must be at least 1, --timeout positive")
    try:
        config.output_dir.mkdir(parents=True, exist_ok=True)
        lock = RunLock(config.state_path).acquire()
    except LockHeld as exc:
        raise JobError(str(exc)) from None
    except OSError as exc:
        raise JobError(f"cannot use {config.output_dir} / {config.state_path}: {exc}") from None
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    in_main_thread = _in_main_thread()
    if in_main_thread:
        for s in previous:
            signal.signal(s, _raise_interrupt)
    state = executor = None
    try:
        state = State(config.state_path)
        recover(state, reporter)
        try:
            executor = make_executor(config)
            info = _check_workers(executor.describe())
        except JobError:
            raise
        except Exception as exc:  # model missing, broken, cluster unreachable: the job cannot run
            raise JobError(f"cannot start the document processes: {exc}") from None
        return _process(config, state, executor, info, reporter)
    finally:
        if in_main_thread:
            for s, handler in previous.items():
                signal.signal(s, handler)
        try:
            if executor is not None:
                executor.close()
        finally:
            if state is not None:
                state.close()
            lock.release()


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _process(config: JobConfig, state: State, executor, info: dict[str, Any], reporter: Reporter) -> Summary:
    started = time.monotonic()
    key = model_key(info)
    run_id = new_run_id()
    partition = Partition(config.output_dir, run_id)
    state.start_run(run_id, config.output_dir, config.input_dir, key, info)
    reporter.event("run_started", run_id=run_id, input=str(config.input_dir), output=str(partition.visible),
                   executor=executor.kind, workers=executor.workers, model_key=key)
    failures: list[dict[str, Any]] = []
    part = 0
    extra: dict[str, Any] = {
        "executor": {"kind": executor.kind, "workers": executor.workers, "scheduler": config.scheduler},
        "settings": {"batch_size": config.batch_size, "timeout_s": config.timeout_s, "max_bytes": config.max_bytes,
                     "memory_mb": config.memory_mb, "processor": config.processor,
                     "torch_blocked": config.block_torch, "retry_failed": config.retry_failed},
        "versions": {"vntasks": info.get("vntasks_version"), "python": platform.python_version(),
                     **(info.get("libraries") or {})},
    }

    def commit(results: list[dict[str, Any]]) -> None:
        nonlocal part
        part += 1
        tasks, errors, outcomes = [], [], []
        for r in results:
            if "record" in r:
                tasks.append(r["record"])
                outcomes.append(Outcome(r["sha256"], r["path"], "processed"))
            else:
                record = error_record(r["path"], r["error"]["kind"], r["error"]["message"], sha256=r["sha256"])
                errors.append(record)
                failures.append(record)
                outcomes.append(Outcome(r["sha256"], r["path"], "failed", r["error"]["kind"]))
                reporter.event("document_failed", path=r["path"], kind=r["error"]["kind"],
                               message=r["error"]["message"])
        partition.write_part(part, tasks, errors)
        state.commit_part(run_id, part, outcomes, key)
        reporter.progress(len(results))

    try:
        files, ignored = discover(config.input_dir, [config.output_dir])
        plan = make_plan(files, state, key, config)
        planned = time.monotonic()
        skipped = sum(plan.skipped.values())
        state.plan_run(run_id, len(files), skipped)
        extra.update(skipped_by_reason=dict(plan.skipped), ignored_files=dict(ignored))
        reporter.event("planned", seen=len(files), pending=len(plan.pending) + len(plan.early), skipped=skipped,
                       ignored=sum(ignored.values()))
        reporter.progress_start(len(plan.pending) + len(plan.early))
        if plan.early:
            commit(plan.early)
        late: list[dict[str, Any]] = []
        size = max(1, min(config.batch_size, math.ceil(len(plan.pending) / (4 * executor.workers))))
        for _batch, results in executor.run(read_batches(plan.pending, size, late, config.max_bytes)):
            commit(results + late)
            late.clear()
            reporter.event("batch_committed", part=part, documents=len(results))
        if late:
            commit(late)
        reporter.progress_end()
        extra["processes"] = executor.diagnostics()
        finished = time.monotonic()
        run = state.run(run_id)
        done = run["processed"] + run["failed"] + run["skipped"]
        if done != run["seen"]:
            raise RuntimeError(f"accounting does not balance: seen {run['seen']} != {done} (a bug)")
        extra["timings"] = {"plan_s": round(planned - started, 3), "process_s": round(finished - planned, 3),
                            "total_s": round(finished - started, 3),
                            "documents_per_s": round((run["processed"] + run["failed"]) / max(finished - planned, 1e-9),
                                                     2)}
        status = "complete"
    except BaseException as exc:
        reporter.progress_end()
        extra["stopped_by"] = f"{type(exc).__name__}: {exc}"
        _publish(state, partition, run_id, "interrupted", extra)
        if isinstance(exc, JobError):
            raise
        if isinstance(exc, Exception):
            raise JobError(f"the run stopped: {type(exc).__name__}: {exc}") from exc
        raise
    _publish(state, partition, run_id, status, extra)
    run = state.run(run_id)
    counts = {k: run[k] for k in ("seen", "processed", "skipped", "failed")}
    counts["unfinished"] = 0
    return Summary(run_id, partition.visible, status, counts, failures, time.monotonic() - started,
                   EXIT_FAILURES if counts["failed"] else EXIT_OK)


def _publish(state: State, partition: Partition, run_id: str, status: str, extra: dict[str, Any]) -> None:
    parts = state.committed_parts(run_id)
    if parts or status == "complete":
        partition.publish(parts, _manifest(state, run_id, status, extra))
    else:
        partition.cleanup()
    state.finish_run(run_id, status if (parts or status == "complete") else "abandoned")


# --- command line ------------------------------------------------------------------
def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, metavar="DIR", help="folder of dispatch files (searched recursively)")
    parser.add_argument("--output", required=True, metavar="DIR", help="folder for run=<UTC time>/ partitions")
    parser.add_argument("--state", default=None, metavar="FILE",
                        help=f"SQLite state file (default: OUTPUT/{STATE_NAME}); keep it on a local disk")
    parser.add_argument("--model", default=None, metavar="DIR", help="model directory (default: the bundled model)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N",
                       help="start a Dask LocalCluster of N worker processes (default: one local process, no Dask)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="use an existing Dask cluster, e.g. tcp://host:8786")
    parser.add_argument("--batch-size", type=int, default=16, metavar="N",
                        help="documents per task and per commit (default: 16)")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="a document taking longer fails with kind 'timeout' (default: 120)")
    parser.add_argument("--max-mb", type=float, default=MAX_BYTES / 1024 / 1024, metavar="MB",
                        help=f"files larger than this fail with kind 'too_large' (default: {MAX_BYTES // 1024 // 1024})")
    parser.add_argument("--memory-mb", type=int, default=4096, metavar="MB",
                        help="address-space limit of each document process, 0 for none (default: 4096)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="process again files that failed for a lasting reason (bad encoding, no body, ...)")
    parser.add_argument("--processor", default=DEFAULT_FACTORY, metavar="MODULE:CALLABLE",
                        help="advanced: the per-document processor factory (default: the extraction pipeline)")
    parser.add_argument("--log-format", choices=("auto", "text", "json"), default="auto",
                        help="auto: progress bar on a terminal, JSON lines otherwise")
    parser.add_argument("--quiet", action="store_true", help="no progress or log lines, only errors")


def run(args: argparse.Namespace) -> int:
    reporter = Reporter("quiet" if args.quiet else args.log_format)
    config = JobConfig(
        input_dir=Path(args.input), output_dir=Path(args.output),
        state_path=Path(args.state) if args.state else None, model_dir=args.model,
        workers=args.workers, scheduler=args.scheduler, processor=args.processor,
        batch_size=args.batch_size, timeout_s=args.timeout, max_bytes=int(args.max_mb * 1024 * 1024),
        memory_mb=args.memory_mb, retry_failed=args.retry_failed,
    )
    try:
        summary = run_job(config, reporter)
    except JobError as exc:
        reporter.progress_end()
        if reporter.mode == "json":
            reporter.event("job_error", message=str(exc), exit_code=EXIT_JOB)
        else:
            print(f"vntasks run: {exc}", file=sys.stderr)
        return EXIT_JOB
    reporter.summary(summary)
    if args.quiet and summary.failures:
        for failure in summary.failures:
            print(f"vntasks run: FAILED {failure['source']}: {failure['error']['message']}", file=sys.stderr)
    return summary.exit_code
