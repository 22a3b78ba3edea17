"""Training time of the default (linear) action model for 250, 500, 1,000 and 2,000 paragraphs.

    python benchmarks/training.py [--sizes 250,500,1000,2000] [--backend linear]

Training data: the gold documents (corpus/seeds.jsonl and
../shared/corpus/web.jsonl, 427 paragraphs in 127 documents), in a seeded
random order, every document once before any is repeated; a size beyond the
gold repeats whole documents (each copy under its own id) and the last
document is cut to hit the size exactly. Repeats make nothing new to learn,
but cost the same to tokenise, tag and fit, which is what is measured here.

Each size trains in a fresh process through the library entry point
`vntasks.training.trainer.train_model` (what `vntasks train` runs), with the
backend's default threshold tuning (5-fold group CV inside the training data
for the linear model). Reported: tokenising and tagging the paragraphs
(`prepare_documents`), threshold CV and the final fit, the total, and the
process's peak RSS. With --cli, the command a data scientist runs is timed
too: `vntasks train --data SAMPLE.jsonl --out DIR --quiet` with its defaults,
which first cross-validates the whole procedure (5 folds by document, plus
the keyword baseline) for the model card, then trains.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (BENCH, PYTHON, REPO, SHARED, VNTASKS, machine, report_result, run_measured, table,  # noqa: E402
                    wait_for_quiet)

DEFAULT_SIZES = "250,500,1000,2000"


def gold_paths() -> list[Path]:
    return [p for p in (REPO / "corpus" / "seeds.jsonl", SHARED / "corpus" / "web.jsonl") if p.exists()]


def sample_documents(docs: list, n_paragraphs: int, seed: int = 0) -> list:
    """Documents holding exactly n_paragraphs paragraphs: shuffled passes over the gold, whole documents."""
    from dataclasses import replace

    rng = random.Random(seed)
    out, total, passes = [], 0, 0
    while total < n_paragraphs:
        order = list(docs)
        rng.shuffle(order)
        for doc in order:
            if total >= n_paragraphs:
                break
            take = doc.paragraphs[: n_paragraphs - total]
            copy_id = doc.id if passes == 0 else f"{doc.id}~copy{passes}"
            out.append(replace(doc, id=copy_id, paragraphs=list(take)))
            total += len(take)
        passes += 1
    return out


def child(size: int, backend: str, seed: int) -> None:
    from vntasks.corpus.jsonl import read_corpus
    from vntasks.training.trainer import prepare_documents, train_model

    t0 = time.perf_counter()
    gold = read_corpus(gold_paths())
    docs = sample_documents(gold, size, seed)
    read_s = time.perf_counter() - t0
    start = time.perf_counter()
    prepared = prepare_documents(docs)
    prepare_s = time.perf_counter() - start
    marks: list[tuple[float, str]] = []

    def log(message: str) -> None:
        marks.append((time.perf_counter(), message))

    start = time.perf_counter()
    model = train_model(docs, backend=backend, seed=seed, prepared=prepared, log=log)
    train_s = time.perf_counter() - start
    fit_mark = next((t for t, m in marks if m.startswith("fitting")), None)
    thresholds_s = (fit_mark - start) if fit_mark else None
    fit_s = (start + train_s - fit_mark) if fit_mark else None
    report_result(size=size, documents=len(docs), gold_documents=len(gold),
                  gold_paragraphs=sum(len(d.paragraphs) for d in gold), read_s=read_s, prepare_s=prepare_s,
                  train_s=train_s, thresholds_s=thresholds_s, fit_s=fit_s, total_s=prepare_s + train_s,
                  thresholds_how=model.card.get("thresholds_how"))


def time_cli(size: int, backend: str, seed: int) -> tuple[float, float]:
    """Wall time and peak RSS of `vntasks train` on the same sample, written to a temporary JSONL file."""
    import tempfile

    from vntasks.corpus.jsonl import read_corpus, write_jsonl

    docs = sample_documents(read_corpus(gold_paths()), size, seed)
    with tempfile.TemporaryDirectory(prefix="vntasks-train-") as work:
        data = Path(work) / "sample.jsonl"
        write_jsonl(data, (d.to_json() for d in docs))
        m = run_measured([VNTASKS, "train", "--data", str(data), "--out", str(Path(work) / "model"), "--backend",
                          backend, "--seed", str(seed), "--quiet"])
        if m.returncode != 0:
            raise SystemExit(f"vntasks train failed (exit {m.returncode}):\n{m.stderr_tail}")
    return m.wall_s, m.tree_peak_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"paragraph counts (default {DEFAULT_SIZES})")
    parser.add_argument("--backend", default="linear")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli", action="store_true",
                        help="also time `vntasks train` (default options: 5-fold CV for the card, then training)")
    parser.add_argument("--quiet-load", type=float, default=None, metavar="LOAD",
                        help="wait (up to 45 min) until the 1-minute load average is below LOAD before each size")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child, args.backend, args.seed)
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"# training ({args.backend}): gold documents resampled to each size, one fresh process per size")
    print(f"# machine: {machine()}", flush=True)
    results: list[dict[str, Any]] = []
    for size in sizes:
        if args.quiet_load is not None:
            wait_for_quiet(args.quiet_load, 45 * 60)
        m = run_measured([PYTHON, str(BENCH / "training.py"), "--child", str(size), "--backend", args.backend,
                          "--seed", str(args.seed)])
        if m.returncode != 0 or not m.result:
            print(f"training benchmark: size {size} failed (exit {m.returncode}):\n{m.stderr_tail}", file=sys.stderr)
            return 1
        r = {**m.result, "peak_mb": m.result["maxrss_kib"] / 1024, "wall_s": m.wall_s}
        if args.cli:
            if args.quiet_load is not None:
                wait_for_quiet(args.quiet_load, 45 * 60)
            r["cli_s"], r["cli_peak_mb"] = time_cli(size, args.backend, args.seed)
        results.append(r)
        print(f"# {size} paragraphs: {r['total_s']:.1f} s, peak {r['peak_mb']:.0f} MB", flush=True)
    print()
    print_tables(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "results": results}, indent=1), encoding="utf-8")
    return 0


def print_tables(results: list[dict[str, Any]], out=print) -> None:
    rows = []
    for r in results:
        copies = "gold subset" if r["size"] <= r["gold_paragraphs"] else f"gold ×{r['size'] / r['gold_paragraphs']:.1f}"
        rows.append([r["size"], r["documents"], copies, r["prepare_s"],
                     r["thresholds_s"] if r["thresholds_s"] is not None else "-",
                     r["fit_s"] if r["fit_s"] is not None else "-", r["total_s"], r["size"] / r["total_s"],
                     r["peak_mb"], r["wall_s"], r.get("cli_s", "-")])
    out(table(["paragraphs", "documents", "data", "tokenise+tag s", "threshold CV s", "final fit s",
               "train_model total s", "paragraphs/s", "peak RSS MB", "process wall s", "vntasks train s"], rows))
    if results:
        out(f"thresholds: {results[0].get('thresholds_how')}; process wall = imports, reading the gold and training; "
            "vntasks train = the command with its defaults (5-fold CV of the procedure and of the keyword baseline "
            "for the model card, then training), wall time")


if __name__ == "__main__":
    sys.exit(main())
