"""Extraction throughput and peak memory, beside underthesea's word_tokenize alone on the same text.

    python benchmarks/extraction.py [--docs 1000] [--model DIR] [--configs tokenize,extract,run1,run2]

Every configuration runs in a fresh process on the same generated corpus
(benchmarks/generate_corpus.py), in the same run:

- `tokenize`   underthesea.word_tokenize alone over every non-blank line of
               each document's normalised text (no pipeline): the floor cost
               of any Vietnamese pipeline;
- `extract`    the library in one process, as `vntasks extract` runs it
               (Pipeline.load, then extract_file per document, JSON
               written), in a process where torch is importable: library
               use beside torch;
- `extract-nt` the same with torch and transformers blocked: what the
               `vntasks extract` command, a core install without torch, and
               every `vntasks run` document process get;
- `run`, `run1`, `run2`  `vntasks run` as a command: one local document
               process, or a Dask LocalCluster of 1 or 2 workers.

Throughput excludes start-up (imports, model load, warm-up, cluster start),
which benchmarks/startup.py measures. Peak RSS: the process's own high-water
mark for the in-process configurations; for `vntasks run` the whole process
tree (driver, Dask workers, document processes), sampled every 0.1 s.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (BENCH, VNTASKS, PYTHON, check_model, machine, report_result, run_measured,  # noqa: E402
                    table, wait_for_quiet)
from generate_corpus import ensure_corpus  # noqa: E402

CONFIGS = {
    "tokenize": "word_tokenize alone, every line (1 process)",
    "extract": "extract path, library beside torch, 1 process",
    "extract-nt": "vntasks extract (torch blocked), 1 process",
    "run": "vntasks run, local document process",
    "run1": "vntasks run --workers 1 (Dask)",
    "run2": "vntasks run --workers 2 (Dask)",
}
DEFAULT_CONFIGS = "tokenize,extract,extract-nt,run1,run2"


def corpus_files(corpus: Path, limit: int | None = None) -> list[Path]:
    files = sorted(corpus.glob("part-*/*.txt"))
    return files[:limit] if limit else files


# --- the children ------------------------------------------------------------------
def child_tokenize(corpus: Path, limit: int | None) -> None:
    """word_tokenize over every non-blank line of each document, timed inside the calls only (torch blocked, so
    that the floor is underthesea's own cost)."""
    from vntasks.pipeline.torch_guard import block_heavy_imports

    block_heavy_imports()
    from vntasks.pipeline.normalise import normalise_text
    from vntasks.pipeline.readers import read_bytes, read_document

    files = corpus_files(corpus, limit)
    texts = []
    for path in files:
        read = read_document(path, read_bytes(path, str(path)), str(path))
        texts.append([line for line in normalise_text(read.text).split("\n") if line.strip()])
    t0 = time.perf_counter()
    from underthesea import word_tokenize

    word_tokenize("Sở Y tế chủ trì.")  # the model loads on the first call
    load_s = time.perf_counter() - t0
    start, cpu = time.perf_counter(), time.process_time()
    lines = words = 0
    for doc_lines in texts:
        for line in doc_lines:
            words += len(word_tokenize(line))
            lines += 1
    process_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    report_result(documents=len(files), lines=lines, words=words, process_s=process_s, cpu_s=cpu_s, load_s=load_s,
                  torch_loaded="torch" in sys.modules)


class TimedStage:
    """Wraps a pipeline stage and adds its time to a shared account."""

    def __init__(self, stage, account: dict[str, float]):
        self.stage, self.account = stage, account
        self.name, self.requires, self.provides = stage.name, stage.requires, stage.provides
        account.setdefault(stage.name, 0.0)

    def __call__(self, doc):
        start = time.perf_counter()
        try:
            return self.stage(doc)
        finally:
            self.account[self.name] += time.perf_counter() - start


def child_extract(corpus: Path, limit: int | None, model: str | None, block_torch: bool, profile: str | None) -> None:
    """The library path of `vntasks extract`: load, warm, then extract_file and a JSON line per document."""
    if block_torch:
        from vntasks.pipeline.torch_guard import block_heavy_imports

        block_heavy_imports()
    t0 = time.perf_counter()
    from vntasks.pipeline.core import Pipeline
    from vntasks.pipeline.errors import DocumentError
    from vntasks.pipeline.extract import extract_file
    from vntasks.pipeline.processor import WARM_TEXT

    import_s = time.perf_counter() - t0
    pipeline = Pipeline.load(model)
    load_s = time.perf_counter() - t0 - import_s
    pipeline(WARM_TEXT, doc_id="warm-up")
    warm_s = time.perf_counter() - t0 - import_s - load_s
    account: dict[str, float] = {}
    pipeline.stages = [TimedStage(s, account) for s in pipeline.stages]
    files = corpus_files(corpus, limit)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    paragraphs = failed = 0
    start, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile("w", encoding="utf-8") as out:
        for path in files:
            try:
                doc = extract_file(pipeline, path)
            except DocumentError:
                failed += 1
                continue
            paragraphs += len(doc.paragraphs)
            out.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
    process_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    report_result(documents=len(files), paragraphs=paragraphs, failed=failed, process_s=process_s, cpu_s=cpu_s,
                  import_s=import_s, load_s=load_s, warm_s=warm_s, stages=account,
                  torch_loaded="torch" in sys.modules)


# --- the parent --------------------------------------------------------------------
def measure_inprocess(config: str, corpus: Path, limit: int | None, model: str | None,
                      profile: str | None = None) -> dict[str, Any]:
    cmd = [PYTHON, str(BENCH / "extraction.py"), "--child", config, "--corpus", str(corpus)]
    cmd += ["--limit", str(limit)] if limit else []
    cmd += ["--model", model] if model else []
    cmd += ["--profile-out", profile] if profile else []
    m = run_measured(cmd)
    if m.returncode != 0 or not m.result:
        raise SystemExit(f"{config}: the child failed (exit {m.returncode}):\n{m.stderr_tail}")
    r = m.result
    return {"config": config, "documents": r["documents"], "paragraphs": r.get("paragraphs"),
            "process_s": r["process_s"], "cpu_s": r["cpu_s"], "wall_s": m.wall_s, "peak_mb": r["maxrss_kib"] / 1024,
            "processes": 1, "startup_s": m.wall_s - r["process_s"], "steal_pct": m.steal_pct, "detail": r}


def measure_run(config: str, corpus: Path, model: str | None, workers: int | None, work: Path,
                extra: list[str] | None = None) -> dict[str, Any]:
    """`vntasks run` over the corpus folder into a fresh output folder; figures from its manifest."""
    out = Path(tempfile.mkdtemp(prefix=f"{config}-", dir=work))
    cmd = [VNTASKS, "run", "--input", str(corpus), "--output", str(out), "--quiet"]
    cmd += ["--workers", str(workers)] if workers else []
    cmd += ["--model", model] if model else []
    cmd += extra or []
    m = run_measured(cmd)
    manifests = list(out.glob("run=*/manifest.json"))
    if m.returncode == 2 or not manifests:
        raise SystemExit(f"{config}: vntasks run failed (exit {m.returncode}):\n{m.stderr_tail}")
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    counts, timings = manifest["counts"], manifest["timings"]
    paragraphs = 0
    for tasks in out.glob("run=*/tasks.jsonl"):
        with open(tasks, encoding="utf-8") as handle:
            paragraphs += sum(len(json.loads(line).get("paragraphs", [])) for line in handle if line.strip())
    return {"config": config, "documents": counts["processed"] + counts["failed"], "paragraphs": paragraphs,
            "process_s": timings["process_s"], "wall_s": m.wall_s, "peak_mb": m.tree_peak_mb,
            "hwm_sum_mb": m.tree_hwm_sum_mb, "processes": m.processes, "startup_s": m.wall_s - timings["process_s"],
            "per_process": m.per_process_mb, "steal_pct": m.steal_pct, "detail": {"counts": counts, "timings": timings}}


def measure(config: str, corpus: Path, limit: int | None, model: str | None, work: Path,
            profile: str | None = None) -> dict[str, Any]:
    if config in ("tokenize", "extract", "extract-nt"):
        return measure_inprocess(config, corpus, limit, model, profile if config != "tokenize" else None)
    workers = {"run": None, "run1": 1, "run2": 2}[config]
    return measure_run(config, corpus, model, workers, work)


def _steal(r: dict[str, Any]) -> Any:
    return r["steal_pct"] if r.get("steal_pct") is not None else "-"


def print_tables(results: list[dict[str, Any]], out=print) -> None:
    by = {r["config"]: r for r in results}
    floor = by.get("tokenize")
    rows = []
    for r in results:
        docs_s = r["documents"] / r["process_s"]
        par = r.get("paragraphs")
        ratio = docs_s / (floor["documents"] / floor["process_s"]) if floor else float("nan")
        rows.append([r["config"], CONFIGS[r["config"]], r["documents"], par if par is not None else "-",
                     r["process_s"], docs_s, (par / r["process_s"]) if par else "-", ratio, r["peak_mb"],
                     r["processes"], r["startup_s"], _steal(r)])
    out(table(["config", "what", "docs", "task paragraphs", "process s", "docs/s", "paragraphs/s",
               "× tokenize", "peak RSS MB", "processes", "start-up s", "CPU steal %"], rows))
    out("CPU steal %: the share of the machine's CPU time the hypervisor gave to other guests during the run; "
        "wall-clock ratios mean little where it is high")
    if floor:
        d = floor["detail"]
        out(f"\ntokenize: {d['lines']:,} lines, {d['words']:,} words, {d['words'] / floor['process_s']:,.0f} words/s, "
            f"{d['lines'] / floor['process_s']:,.0f} lines/s (torch imported: {d['torch_loaded']})")
    if floor:
        cpu_rows = [[r["config"], r["cpu_s"], r["documents"] / r["cpu_s"],
                     (r["documents"] / r["cpu_s"]) / (floor["documents"] / floor["cpu_s"])]
                    for r in results if r.get("cpu_s")]
        out("\nCPU time of the processing loop (in-process configurations; less sensitive to other load):")
        out(table(["config", "CPU s", "docs per CPU-s", "× tokenize (CPU)"], cpu_rows))
    for one, two in (("run1", "run2"), ("extract-nt", "run2")):
        if one in by and two in by:
            a, b = by[one], by[two]
            out(f"speed-up {two} over {one}: {(b['documents'] / b['process_s']) / (a['documents'] / a['process_s']):.2f}×")
    for name in ("extract", "extract-nt"):
        if name in by:
            d = by[name]["detail"]
            total = by[name]["process_s"]
            parts = ", ".join(f"{k} {v:.1f} s ({v / total:.0%})" for k, v in d["stages"].items())
            rest = total - sum(d["stages"].values())
            out(f"{name}: stages {parts}; reading, normalising, JSON {rest:.1f} s ({rest / total:.0%}); "
                f"imports {d['import_s']:.1f} s, model load {d['load_s']:.1f} s, warm-up {d['warm_s']:.1f} s; "
                f"torch imported: {d['torch_loaded']}")
    for r in results:
        if r.get("per_process"):
            parts = "; ".join(f"{mb:.0f} MB {_short(name)}" for name, mb in r["per_process"])
            out(f"{r['config']}: per-process peaks {parts} (sum {r['hwm_sum_mb']:.0f} MB, "
                f"sampled tree peak {r['peak_mb']:.0f} MB)")


def _short(cmdline: str) -> str:
    for key, label in (("vntasks.pipeline.sandbox", "document process"), ("vntasks run", "driver"),
                       ("resource_tracker", "multiprocessing resource tracker"), ("spawn_main", "Dask worker")):
        if key in cmdline:
            return label
    return cmdline.split(" ")[0].rsplit("/", 1)[-1] or cmdline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents to generate and process (default 1000)")
    parser.add_argument("--corpus", default=None, help="generated corpus folder (default: /tmp/vntasks-bench/corpus-N-s0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--configs", default=DEFAULT_CONFIGS, help=f"comma-separated, from {', '.join(CONFIGS)}")
    parser.add_argument("--profile", default=None, metavar="FILE.prof",
                        help="cProfile the extract configuration's processing loop into this file")
    parser.add_argument("--quiet-load", type=float, default=None, metavar="LOAD",
                        help="wait (up to 45 min) until the 1-minute load average is below LOAD before each config")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--child", choices=list(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        corpus = Path(args.corpus)
        if args.child == "tokenize":
            child_tokenize(corpus, args.limit)
        else:
            child_extract(corpus, args.limit, args.model, args.child == "extract-nt", args.profile_out)
        return 0

    problem = check_model(args.model)
    if problem:
        print(f"extraction benchmark: {problem}", file=sys.stderr)
        return 2
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        print(f"extraction benchmark: unknown configuration(s) {unknown}", file=sys.stderr)
        return 2
    corpus = Path(args.corpus or f"/tmp/vntasks-bench/corpus-{args.docs}-s{args.seed}")
    summary = ensure_corpus(corpus, args.docs, args.seed)
    print(f"# extraction: {summary['documents']:,} generated documents ({summary['paragraphs']:,} gold task "
          f"paragraphs, {summary['characters'] / summary['documents']:,.0f} characters each) in {corpus}")
    print(f"# machine: {machine()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="vntasks-bench-") as work:
        for config in configs:
            if args.quiet_load is not None:
                wait_for_quiet(args.quiet_load, 45 * 60)
            load = os.getloadavg()[0]
            result = measure(config, corpus, None, args.model, Path(work), args.profile)
            result["load_before"] = load
            results.append(result)
            print(f"# {config}: {result['documents'] / result['process_s']:.2f} docs/s, peak {result['peak_mb']:.0f} MB "
                  f"(load before: {load:.2f})", flush=True)
    print()
    print_tables(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "corpus": summary, "results": results},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
