"""What every benchmark script shares: paths, the machine's state, child processes measured for time and memory.

Each measured configuration runs in its own process, so its peak memory is
its own: a child started with `run_measured` is sampled every 0.1 s for the
resident memory of its whole process tree (the sum over the tree at each
sample, and each process's own high-water mark `VmHWM` from /proc, summed),
and reports its own figures as one JSON line on stdout.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
SHARED = Path(os.environ.get("VNTASKS_SHARED", REPO.parent / "shared"))
PYTHON = sys.executable
VNTASKS = str(Path(PYTHON).with_name("vntasks"))
RESULT_PREFIX = "BENCH-RESULT "


# --- the machine ------------------------------------------------------------------
def loadavg() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_ticks() -> list[int]:
    """The machine's CPU time counters (user, nice, system, idle, iowait, irq, softirq, steal), from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            return [int(v) for v in handle.readline().split()[1:9]]
    except (OSError, ValueError):
        return []


def steal_percent(before: list[int], after: list[int]) -> float | None:
    """The share of CPU time the hypervisor gave to other guests between two readings.

    On a shared virtual machine this can reach half the time (seen here: 40-60% for minutes), and no
    wall-clock speed-up can be judged without it.
    """
    if len(before) < 8 or len(after) < 8:
        return None
    delta = [b - a for a, b in zip(before, after)]
    return 100 * delta[7] / max(1, sum(delta))


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    one, five, _ = loadavg()
    return (f"{os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {platform.python_version()}, "
            f"load {one:.2f} (1 min) / {five:.2f} (5 min) at start")


def wait_for_quiet(max_load: float, max_wait_s: float, log=print) -> float:
    """Sleep until the 1-minute load average is below `max_load` (or `max_wait_s` passed); returns the load.
    A `max_load` of 0 or less means: do not wait."""
    deadline = time.monotonic() + max_wait_s
    while True:
        one = loadavg()[0]
        if max_load <= 0 or one < max_load or time.monotonic() >= deadline:
            return one
        log(f"# load {one:.2f} >= {max_load}: waiting 60 s for a quieter machine")
        time.sleep(60)


# --- memory of a process tree ---------------------------------------------------------
def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Every descendant of pid (from /proc, no psutil needed)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class TreeSampler:
    """Samples a process tree's resident memory in a background thread."""

    pid: int
    interval_s: float = 0.1
    peak_sum_kib: int = 0
    hwm_kib: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    max_processes: int = 0

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> None:
        pids = [self.pid, *_children(self.pid)]
        total = 0
        for pid in pids:
            rss = _status_kib(pid, "VmRSS")
            hwm = _status_kib(pid, "VmHWM")
            total += rss
            if hwm:
                self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), hwm)
                if pid not in self.names:
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as handle:
                            self.names[pid] = handle.read().replace(b"\0", b" ").decode(errors="replace")[:120]
                    except OSError:
                        pass
        self.max_processes = max(self.max_processes, sum(1 for p in pids if _status_kib(p, "VmRSS")))
        self.peak_sum_kib = max(self.peak_sum_kib, total)


@dataclass
class Measured:
    """One child process run: its wall time, its tree's memory, and the JSON it reported."""

    wall_s: float
    returncode: int
    result: dict[str, Any]
    tree_peak_mb: float  # the largest sum of RSS over the tree seen in one sample
    tree_hwm_sum_mb: float  # the sum of every process's own peak (an upper bound of the tree's peak)
    processes: int
    per_process_mb: list[tuple[str, float]]
    stderr_tail: str
    steal_pct: float | None = None  # CPU steal on the machine while it ran (see steal_percent)


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
                 timeout_s: float | None = None) -> Measured:
    """Run `cmd`, sample its process tree's memory, return its figures and its last BENCH-RESULT line."""
    start, ticks = time.monotonic(), cpu_ticks()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=cwd)
    sampler = TreeSampler(proc.pid).start()
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    finally:
        sampler.stop()
    wall = time.monotonic() - start
    result: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX):])
    hwm = sampler.hwm_kib
    if "maxrss_kib" in result:  # the child's own exact peak, better than a sample
        hwm[proc.pid] = max(hwm.get(proc.pid, 0), result["maxrss_kib"])
    per = sorted(((sampler.names.get(p, str(p)), k / 1024) for p, k in hwm.items()), key=lambda x: -x[1])
    return Measured(wall, proc.returncode, result, max(sampler.peak_sum_kib, hwm.get(proc.pid, 0)) / 1024,
                    sum(hwm.values()) / 1024, sampler.max_processes, per, err[-3000:],
                    steal_percent(ticks, cpu_ticks()))


def report_result(**figures: Any) -> None:
    """Called in a child: print its figures (and its own peak RSS) for the parent."""
    figures["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(RESULT_PREFIX + json.dumps(figures), flush=True)


# --- printing ---------------------------------------------------------------------
def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, numbers right-aligned."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]

    def line(values):
        return "| " + " | ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric)) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def check_model(model_dir: str | None) -> str | None:
    """None when the model directory (or the bundled default) has a model card, else why not."""
    if model_dir is None:
        from vntasks.models import default_model_dir

        path = default_model_dir()
        if not (path / "model.json").exists():
            return f"the bundled default model ({path}) is missing: pass --model DIR"
        return None
    if not (Path(model_dir) / "model.json").exists():
        return f"{model_dir} has no model.json: not a model directory"
    return None
