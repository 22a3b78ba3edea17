"""Run every benchmark and print its tables: start-up, extraction throughput and memory, scaling, training.

    python benchmarks/run_all.py --quick          # every table on small sizes, a few minutes
    python benchmarks/run_all.py                  # the full run (about 40 minutes on a quiet 2-core machine)
    python benchmarks/run_all.py --out bench.md   # also keep the report as Markdown

Run it on a quiet machine: with --quiet-load L (default 0.7) each
measurement waits (up to 45 minutes) until the 1-minute load average is
below L, and the load before each measurement is printed. Generated corpora
go under --root (default /tmp/vntasks-bench), never into the repository.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, PYTHON, check_model, machine  # noqa: E402

QUICK = {
    "startup": ["--repeat", "1"],
    "extraction": ["--docs", "100", "--configs", "tokenize,extract,extract-nt,run1,run2"],
    "scaling": ["--sizes", "50,150", "--estimate", "", "--modes", "run,extract"],
    "training": ["--sizes", "250"],
}
FULL = {
    "startup": ["--repeat", "3"],
    "extraction": ["--docs", "1000", "--configs", "tokenize,extract,extract-nt,run,run1,run2"],
    "training": ["--sizes", "250,500,1000,2000", "--cli"],
    "scaling": ["--sizes", "1000,10000", "--estimate", "100000", "--modes", "run,run2,extract"],
}
TITLES = {
    "startup": "Start-up of `vntasks extract` on one file",
    "extraction": "Extraction throughput and peak memory",
    "scaling": "Scaling with the number of documents",
    "training": "Training time of the linear model",
}


def _shown(arg: str) -> str:
    """The command as a reader would type it: `python benchmarks/x.py ...`."""
    if arg == PYTHON:
        return "python"
    return str(Path(arg).relative_to(BENCH.parent)) if arg.startswith(str(BENCH)) else arg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: every table in a few minutes")
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--only", default=None, help=f"comma-separated subset of {', '.join(FULL)}")
    parser.add_argument("--quiet-load", type=float, default=0.7,
                        help="wait for a 1-minute load average below this before each measurement (0: never wait)")
    parser.add_argument("--root", default="/tmp/vntasks-bench", help="folder for generated corpora")
    parser.add_argument("--out", default=None, help="also write the whole report to this Markdown file")
    args = parser.parse_args(argv)
    problem = check_model(args.model)
    if problem:
        print(f"run_all: {problem}", file=sys.stderr)
        return 2
    plan = QUICK if args.quick else FULL
    names = [n.strip() for n in args.only.split(",")] if args.only else list(plan)
    unknown = [n for n in names if n not in FULL]
    if unknown:
        print(f"run_all: unknown benchmark(s) {unknown}", file=sys.stderr)
        return 2
    report = [f"# vntasks benchmarks ({'quick' if args.quick else 'full'})", "",
              f"{time.strftime('%Y-%m-%d %H:%M')}; machine: {machine()}", ""]
    print("\n".join(report), flush=True)
    started = time.monotonic()
    failed = []
    for name in names:
        script = name.split("-")[0]
        cmd = [PYTHON, str(BENCH / f"{script}.py"), *plan.get(name, FULL[name])]
        cmd += ["--model", args.model] if args.model else []
        if script == "extraction":
            cmd += ["--corpus", str(Path(args.root) / f"corpus-{cmd[cmd.index('--docs') + 1]}-s0")]
        if script == "scaling":
            cmd += ["--root", args.root]
        if args.quiet_load > 0:
            cmd += ["--quiet-load", str(args.quiet_load)]
        heading = f"## {TITLES[name]}"
        print(heading + "\n", flush=True)
        t0 = time.monotonic()
        lines = []
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}) as proc:
            for line in proc.stdout:
                print(line, end="", flush=True)
                lines.append(line.rstrip("\n"))
        took = f"({name}: {time.monotonic() - t0:.0f} s; `{' '.join(_shown(c) for c in cmd)}`)"
        print("\n" + took + "\n", flush=True)
        report += [heading, "", *lines, "", took, ""]
        if proc.returncode != 0:
            failed.append(name)
    summary = f"all benchmarks: {time.monotonic() - started:.0f} s" + (f"; FAILED: {', '.join(failed)}" if failed else "")
    print(summary)
    report.append(summary)
    if args.out:
        Path(args.out).write_text("\n".join(report) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
