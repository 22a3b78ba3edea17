"""How time and memory grow with the number of documents: 1k, 10k (and optionally 100k).

    python benchmarks/scaling.py [--sizes 1000,10000] [--modes run,extract] [--model DIR]

Each size gets its own generated corpus (benchmarks/generate_corpus.py; the
same seed, so a larger corpus starts with the smaller one's documents), and
each mode runs once per size as a fresh command:

- `run`      `vntasks run` with one local document process: batches are
             written to disk as they finish, so memory should stay flat;
- `run2`     the same on a Dask LocalCluster of 2 workers;
- `extract`  `vntasks extract FOLDER -o FILE --quiet`: one process.

Reported per size: the command's wall time, the processing time and rate
(from the run manifest; for `extract`, wall time minus the start-up measured
on the smallest size's one-document run), and the peak RSS of the process
tree. Sizes not run (e.g. 100k, which takes hours on 2 cores) are estimated
from the largest measured size: time from its processing rate plus start-up,
memory from the growth between the two largest sizes; they are marked
"estimated".
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import VNTASKS, check_model, machine, run_measured, table, wait_for_quiet  # noqa: E402
from generate_corpus import ensure_corpus  # noqa: E402

MODES = {"run": "vntasks run, local", "run2": "vntasks run --workers 2", "extract": "vntasks extract"}


def measure(mode: str, corpus: Path, model: str | None, work: Path) -> dict[str, Any]:
    model_args = ["--model", model] if model else []
    out = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=work))
    if mode == "extract":
        cmd = [VNTASKS, "extract", str(corpus), "-o", str(out / "tasks.jsonl"), "--quiet", *model_args]
    else:
        cmd = [VNTASKS, "run", "--input", str(corpus), "--output", str(out), "--quiet", *model_args]
        cmd += ["--workers", "2"] if mode == "run2" else []
    m = run_measured(cmd)
    result: dict[str, Any] = {"mode": mode, "wall_s": m.wall_s, "peak_mb": m.tree_peak_mb, "exit": m.returncode,
                              "processes": m.processes, "steal_pct": m.steal_pct}
    if mode == "extract":
        if m.returncode == 2:
            raise SystemExit(f"extract failed:\n{m.stderr_tail}")
        with open(out / "tasks.jsonl", encoding="utf-8") as handle:
            result["documents"] = sum(1 for line in handle if line.strip())
    else:
        manifests = list(out.glob("run=*/manifest.json"))
        if not manifests:
            raise SystemExit(f"vntasks run failed (exit {m.returncode}):\n{m.stderr_tail}")
        manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
        result["documents"] = manifest["counts"]["processed"] + manifest["counts"]["failed"]
        result["process_s"] = manifest["timings"]["process_s"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="document counts to run (default 1000,10000)")
    parser.add_argument("--estimate", default="100000", help="document counts to estimate, not run (default 100000)")
    parser.add_argument("--modes", default="run,extract", help=f"comma-separated, from {', '.join(MODES)}")
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--root", default="/tmp/vntasks-bench", help="where the generated corpora go")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet-load", type=float, default=None, metavar="LOAD",
                        help="wait (up to 45 min) until the 1-minute load average is below LOAD before each run")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    problem = check_model(args.model)
    if problem:
        print(f"scaling benchmark: {problem}", file=sys.stderr)
        return 2
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    estimates = sorted(int(s) for s in args.estimate.split(",") if s.strip() and int(s) not in sizes)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print(f"# scaling: sizes {sizes}, estimated {estimates}, modes {modes}")
    print(f"# machine: {machine()}", flush=True)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vntasks-scaling-") as work:
        one = Path(work) / "one"
        ensure_corpus(one, 1, args.seed)
        for mode in modes:  # the start-up of each mode, on one document
            if args.quiet_load is not None:
                wait_for_quiet(args.quiet_load, 45 * 60)
            r = measure(mode, one, args.model, Path(work))
            r.update(size=1, estimated=False)
            results.append(r)
            print(f"# {mode} 1 document: {r['wall_s']:.1f} s, peak {r['peak_mb']:.0f} MB", flush=True)
        for size in sizes:
            corpus = Path(args.root) / f"corpus-{size}-s{args.seed}"
            ensure_corpus(corpus, size, args.seed)
            for mode in modes:
                if args.quiet_load is not None:
                    wait_for_quiet(args.quiet_load, 45 * 60)
                r = measure(mode, corpus, args.model, Path(work))
                r.update(size=size, estimated=False)
                results.append(r)
                print(f"# {mode} {size:,} documents: {r['wall_s']:.1f} s, peak {r['peak_mb']:.0f} MB", flush=True)
    results += estimate(results, modes, estimates)
    print()
    print_tables(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "results": results}, indent=1), encoding="utf-8")
    return 0


def _startup(results: list[dict[str, Any]], mode: str) -> float:
    one = next(r for r in results if r["mode"] == mode and r["size"] == 1)
    return one["wall_s"] - one.get("process_s", 0.0)


def estimate(results: list[dict[str, Any]], modes: list[str], sizes: list[int]) -> list[dict[str, Any]]:
    out = []
    for mode in modes:
        measured = sorted((r for r in results if r["mode"] == mode and r["size"] > 1), key=lambda r: r["size"])
        if not measured:
            continue
        last = measured[-1]
        rate = last["documents"] / processing_s(last, results)
        growth = 0.0
        if len(measured) >= 2:
            prev = measured[-2]
            growth = max(0.0, (last["peak_mb"] - prev["peak_mb"]) / (last["size"] - prev["size"]))
        for size in sizes:
            wall = _startup(results, mode) + size / rate
            out.append({"mode": mode, "size": size, "documents": size, "wall_s": wall,
                        "process_s": size / rate if mode != "extract" else None,
                        "peak_mb": last["peak_mb"] + growth * (size - last["size"]), "exit": None,
                        "processes": last["processes"], "estimated": True})
    return out


def processing_s(r: dict[str, Any], results: list[dict[str, Any]]) -> float:
    if r.get("process_s") is not None:
        return r["process_s"]
    return max(1e-9, r["wall_s"] - _startup(results, r["mode"]))


def print_tables(results: list[dict[str, Any]], out=print) -> None:
    rows = []
    for r in sorted(results, key=lambda r: (list(MODES).index(r["mode"]), r["size"])):
        proc = processing_s(r, results)
        per_k = 1000 * proc / r["documents"] if r["size"] > 1 else None
        rows.append([MODES[r["mode"]], r["size"], "estimated" if r["estimated"] else "measured", r["wall_s"],
                     proc, r["documents"] / proc if r["size"] > 1 else "-", per_k if per_k else "-",
                     r["peak_mb"], r["processes"], r["steal_pct"] if r.get("steal_pct") is not None else "-"])
    out(table(["mode", "documents", "", "wall s", "processing s", "docs/s", "s per 1,000 docs", "peak RSS MB (tree)",
               "processes", "CPU steal %"], rows))
    out("processing s: from the run manifest (vntasks run), or wall time minus the one-document run's start-up "
        "(vntasks extract); estimated rows: the largest measured size's rate, memory growth between the two largest "
        "sizes")


if __name__ == "__main__":
    sys.exit(main())
