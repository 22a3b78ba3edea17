"""Start-up time of `vntasks extract` on one file, and where it goes.

    python benchmarks/startup.py [--repeat 3] [--model DIR]

On small days a nightly job is dominated by start-up, not throughput.
Reported, each as the median of --repeat fresh processes:

- the whole command: `python -c pass`, `vntasks --help`, `vntasks extract
  ONE.txt -o FILE --quiet`, `vntasks run` on a folder of one file (local,
  and with `--workers 2`);
- the in-process breakdown of the extract path: importing the CLI module,
  `load_model` (the classifier file), `Pipeline.from_model` (lexicon,
  segmenter, tokenizer, agency tagger: the spaCy and underthesea imports
  happen here), the first document (underthesea's CRF model loads on its
  first call) and the second one — with torch blocked (what the `vntasks`
  command does when its model is not a transformer, and a core install
  without torch) and with torch importable (library use in a process that
  imports torch anyway);
- the heaviest imports by top-level package, from `python -X importtime`.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (BENCH, PYTHON, VNTASKS, check_model, machine, median, report_result, run_measured,  # noqa: E402
                    table, wait_for_quiet)
from generate_corpus import write_corpus  # noqa: E402


def child(path: Path, model: str | None, block_torch: bool) -> None:
    t = [time.perf_counter()]

    def lap() -> float:
        t.append(time.perf_counter())
        return t[-1] - t[-2]

    if block_torch:
        from vntasks.pipeline.torch_guard import block_heavy_imports

        block_heavy_imports()
    import vntasks.pipeline.extract as extract  # noqa: F401  (what the CLI imports first)
    from vntasks.models import load_model
    from vntasks.pipeline.core import Pipeline

    import_s = lap()
    model_obj = load_model(model)
    load_model_s = lap()
    pipeline = Pipeline.from_model(model_obj)
    build_s = lap()
    first = extract.extract_file(pipeline, path)
    first_s = lap()
    extract.extract_file(pipeline, path)
    second_s = lap()
    report_result(import_s=import_s, load_model_s=load_model_s, build_s=build_s, first_s=first_s, second_s=second_s,
                  paragraphs=len(first.paragraphs), torch_loaded="torch" in sys.modules)


def import_profile(model: str | None, path: Path) -> list[tuple[str, float]]:
    """Import time per top-level package for the extract path as the `vntasks` command runs it (torch
    blocked), from -X importtime."""
    code = ("from vntasks.pipeline.torch_guard import block_heavy_imports; block_heavy_imports(); "
            "import vntasks.pipeline.extract as e; from vntasks.pipeline.core import Pipeline; "
            f"p = Pipeline.load({model!r}); e.extract_file(p, __import__('pathlib').Path({str(path)!r}))")
    proc = subprocess.run([PYTHON, "-X", "importtime", "-c", code], capture_output=True, text=True)
    totals: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not match:
            continue
        self_us, name = int(match.group(1)), match.group(4)
        totals[name.split(".")[0]] += self_us / 1e6  # self time summed per top-level package: no double counting
    return sorted(totals.items(), key=lambda kv: -kv[1])


def timed(cmd: list[str], repeat: int, cwd: Path | None = None) -> tuple[float, float, int]:
    """(median wall s, median peak RSS MB of the tree, last exit code)."""
    walls, peaks, rc = [], [], 0
    for _ in range(repeat):
        m = run_measured(cmd, cwd=cwd)
        walls.append(m.wall_s)
        peaks.append(m.tree_peak_mb)
        rc = m.returncode
    return median(walls), median(peaks), rc


def commands_table(one: Path, work: Path, model: list[str], repeat: int) -> list[list[Any]]:
    """Whole commands, each a fresh process: wall time and the peak RSS of its process tree."""
    commands = [
        ("python -c pass", [PYTHON, "-c", "pass"]),
        ("vntasks --help", [VNTASKS, "--help"]),
        ("vntasks extract ONE.txt", [VNTASKS, "extract", str(one), "-o", str(work / "one.jsonl"), "--quiet", *model]),
    ]
    rows = []
    for name, cmd in commands:
        wall, peak, rc = timed(cmd, repeat)
        rows.append([name, wall, peak, rc])
    for name, extra in (("vntasks run (1 file, local)", []), ("vntasks run (1 file, --workers 2)", ["--workers", "2"])):
        walls, peaks = [], []
        for k in range(repeat):
            out = work / f"out-{len(rows)}-{k}"
            m = run_measured([VNTASKS, "run", "--input", str(one.parent), "--output", str(out), "--quiet",
                              *model, *extra])
            walls.append(m.wall_s)
            peaks.append(m.tree_peak_mb)
        rows.append([name, median(walls), median(peaks), m.returncode])
    print(table(["command", "wall s", "peak RSS MB (tree)", "exit"], rows))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--parts", default="commands,breakdown,imports",
                        help="which tables: commands, breakdown, imports (default: all)")
    parser.add_argument("--quiet-load", type=float, default=None, metavar="LOAD",
                        help="wait (up to 45 min) until the 1-minute load average is below LOAD before starting")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--block-torch", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child), args.model, args.block_torch)
        return 0
    problem = check_model(args.model)
    if problem:
        print(f"startup benchmark: {problem}", file=sys.stderr)
        return 2

    if args.quiet_load is not None:
        wait_for_quiet(args.quiet_load, 45 * 60)
    print(f"# start-up: median of {args.repeat} fresh processes per row")
    print(f"# machine: {machine()}", flush=True)
    model = ["--model", args.model] if args.model else []
    results: dict[str, Any] = {"commands": [], "breakdown": {}, "imports": []}
    with tempfile.TemporaryDirectory(prefix="vntasks-startup-") as work:
        work = Path(work)
        write_corpus(work / "in", 1, seed=0)
        one = next((work / "in").glob("part-*/*.txt"))
        parts = {p.strip() for p in args.parts.split(",")}
        if "commands" in parts:
            results["commands"] = commands_table(one, work, model, args.repeat)
        if "breakdown" in parts:
            breakdown_rows = []
            for label, block in (("torch blocked (the vntasks command)", True), ("torch importable (library)", False)):
                laps: dict[str, list[float]] = defaultdict(list)
                for _ in range(args.repeat):
                    cmd = [PYTHON, str(BENCH / "startup.py"), "--child", str(one), *model]
                    cmd += ["--block-torch"] if block else []
                    m = run_measured(cmd)
                    if m.returncode != 0 or not m.result:
                        print(f"startup benchmark: the child failed:\n{m.stderr_tail}", file=sys.stderr)
                        return 1
                    for key in ("import_s", "load_model_s", "build_s", "first_s", "second_s"):
                        laps[key].append(m.result[key])
                    laps["wall_s"].append(m.wall_s)
                    laps["peak_mb"].append(m.result["maxrss_kib"] / 1024)
                med = {k: median(v) for k, v in laps.items()}
                results["breakdown"][label] = med
                breakdown_rows.append([label, med["import_s"], med["load_model_s"], med["build_s"], med["first_s"],
                                       med["second_s"], med["wall_s"], med["peak_mb"]])
            print()
            print(table(["extract path", "import CLI module s", "load_model s", "Pipeline.from_model s",
                         "first document s", "second document s", "process wall s", "peak RSS MB"], breakdown_rows))
        if "imports" in parts:
            imports = import_profile(args.model, one)
            results["imports"] = imports[:12]
            total = sum(s for _, s in imports)
            print()
            print("imports of `vntasks extract`, torch blocked as the command does (python -X importtime, self time "
                  f"summed per package; total {total:.2f} s, inflated by the tracing):")
            print(table(["package", "import s", "share"], [[n, s, f"{s / total:.0%}"] for n, s in imports[:12]]))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), **results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
