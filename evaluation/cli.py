"""`vntasks evaluate`: score predictions, a model, or a cross-validated backend against gold.

    vntasks evaluate --gold GOLD.jsonl --pred PRED.jsonl            # score given predictions
    vntasks evaluate --gold GOLD.jsonl [--model DIR] [--raw DIR]     # run the pipeline on raw files
    vntasks evaluate --cv 5 --data GOLD.jsonl [--backend linear]     # group k-fold by document

Writes a JSON report (--json) that `vntasks compare` reads, an HTML report
(--html), and a table on stdout. Exit code 0 when scored, 2 when the inputs
cannot be used.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from vntasks.evaluation.align import FUZZY_THRESHOLD
from vntasks.evaluation.bootstrap import DEFAULT_REPLICATES, DEFAULT_SEED

SCOPE_PRED = "predictions as given; held-out accuracy only if their model never saw these gold documents"
SCOPE_MODEL = "model run end to end; held-out accuracy only if the model never saw these gold documents"
SCOPE_SEEN = "training-data figures, not accuracy (resubstitution): the model card lists as training data"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("\n\n", 1)[1]
    source = parser.add_argument_group("what to score (one of)")
    source.add_argument("--pred", nargs="+", action="extend", metavar="PRED.jsonl",
                        help="prediction files (corpus format; error records count as failed documents)")
    source.add_argument("--model", metavar="DIR", help="model directory to run on the raw files "
                        "(default with --raw: the bundled model)")
    source.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation grouped by document, "
                        "training inside each fold on --data")
    parser.add_argument("--gold", nargs="+", action="extend", metavar="GOLD.jsonl", help="gold annotation files")
    parser.add_argument("--raw", nargs="+", action="extend", metavar="DIR",
                        help="folders with the raw dispatch files (default: X/ beside each X.jsonl)")
    cv = parser.add_argument_group("cross-validation")
    cv.add_argument("--data", nargs="+", action="extend", metavar="FILE.jsonl", help="annotated documents to "
                    "cross-validate on (default: the --gold files)")
    cv.add_argument("--backend", default="linear", help="classifier backend to train in each fold "
                    "(linear, transformer, rules; default: linear)")
    cv.add_argument("--base-model", metavar="DIR", help="pretrained model directory for the transformer backend")
    out = parser.add_argument_group("output")
    out.add_argument("--json", metavar="OUT.json", help="write the evaluation report as JSON")
    out.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML report")
    out.add_argument("--scope", help="what these figures are (stored in the report; e.g. 'held-out test set')")
    out.add_argument("--group-by", metavar="FIELD", help="also break figures down by this gold `meta` field "
                     "(e.g. topic)")
    out.add_argument("--quiet", action="store_true", help="no progress bar or table")
    tuning = parser.add_argument_group("scoring")
    tuning.add_argument("--fuzzy-threshold", type=float, default=FUZZY_THRESHOLD,
                        help=f"minimum difflib similarity to align paragraphs that differ (default {FUZZY_THRESHOLD})")
    tuning.add_argument("--bootstrap", type=int, default=DEFAULT_REPLICATES, metavar="N",
                        help=f"bootstrap replicates for the 95%% intervals (default {DEFAULT_REPLICATES})")
    tuning.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for resampling and fold assignment")


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def format_table(report: dict[str, Any]) -> str:
    figures, ci = report["figures"], report["ci95"]
    docs, paras = report["documents"], report["paragraphs"]
    lines = [
        f"scope: {report.get('scope', 'not stated')}",
        f"{docs['gold']} gold documents ({docs['scored']} predicted, {len(docs['failed'])} failed, "
        f"{len(docs['missing'])} missing); paragraphs: {paras['gold']} gold, {paras['predicted']} predicted, "
        f"{paras['aligned_exact']} exact + {paras['aligned_fuzzy']} fuzzy aligned, {paras['missed']} missed, "
        f"{paras['spurious']} spurious",
        f"{'figure':<28} {'value':>7}  95% interval",
    ]
    for key in report["headline"]:
        interval = ci.get(key)
        span = f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""
        lines.append(f"{key:<28} {figures[key]:>7.3f}  {span}")
    return "\n".join(lines)


def _progress(quiet: bool, desc: str):
    from tqdm import tqdm

    show = not quiet and sys.stderr.isatty()
    return lambda items: tqdm(items, desc=desc, unit="doc", disable=not show)


def trained_on(model, gold_paths) -> list[str]:
    """Gold files the model's card lists among its training data (same sha256)."""
    training = (getattr(model, "card", None) or {}).get("training") or {}
    hashes = {item.get("sha256") for item in training.get("data", []) if isinstance(item, dict)}
    return [str(p) for p in gold_paths if sha256(p) in hashes]


def model_mode(args, gold, raw_dirs) -> tuple[list, dict[str, Any], list[str], list[str]]:
    """Predictions from running a model on the gold documents' raw files."""
    from vntasks.evaluation.predict import RawIndex, predict_gold
    from vntasks.models import load_model
    from vntasks.pipeline.core import Pipeline

    raw = RawIndex.build(raw_dirs)
    model = load_model(args.model)
    pipeline = Pipeline.from_model(model)
    run = predict_gold(pipeline, gold, raw, progress=_progress(args.quiet, "evaluate"))
    inputs = {"model": pipeline.model_info, "raw": [str(d) for d in raw_dirs], "documents_from_raw": run.from_raw}
    return run.predictions, inputs, run.missing, trained_on(model, args.gold)


def command_needs_torch(args: argparse.Namespace) -> bool:
    from vntasks.models import TORCH_BACKENDS, needs_torch as model_needs_torch

    if args.cv:
        return args.backend in TORCH_BACKENDS
    return model_needs_torch(args.model)  # None: the bundled model, when --raw runs one


def run(args: argparse.Namespace) -> int:
    from vntasks.corpus.jsonl import read_corpus
    from vntasks.evaluation.crossval import is_synthetic
    from vntasks.evaluation.predict import default_raw_dirs, read_predictions
    from vntasks.evaluation.report_html import write_report
    from vntasks.evaluation.score import evaluate
    from vntasks.pipeline.errors import CorpusError, ModelError

    modes = [name for name, on in (("--pred", args.pred), ("--model", args.model), ("--cv", args.cv)) if on]
    if len(modes) > 1:
        print(f"vntasks evaluate: give only one of {', '.join(modes)}", file=sys.stderr)
        return 2
    gold_paths = (args.data or args.gold) if args.cv else args.gold
    if not gold_paths:
        print("vntasks evaluate: no gold files (--gold, or --data with --cv)", file=sys.stderr)
        return 2
    if not args.cv and not args.pred and not args.model and not args.raw:
        print("vntasks evaluate: nothing to score: give --pred, --model/--raw or --cv", file=sys.stderr)
        return 2
    if args.cv is not None and args.cv < 2:
        print("vntasks evaluate: --cv needs at least 2 folds", file=sys.stderr)
        return 2
    try:
        gold_files: dict[str, str] = {}
        gold = []
        for path in gold_paths:
            docs = read_corpus(path)
            gold.extend(docs)
            gold_files.update({d.id: Path(path).name for d in docs})
        synthetic = [d for d in gold if is_synthetic(d)]
        if synthetic and not args.cv:  # cross-validation trains on them; nothing ever scores them
            gold = [d for d in gold if not is_synthetic(d)]
            print(f"vntasks evaluate: {len(synthetic)} synthetic records (meta.synthetic) are not scored",
                  file=sys.stderr)
        if not gold:
            raise ValueError("no gold documents to score")
        raw_dirs = [Path(d) for d in args.raw] if args.raw else default_raw_dirs(gold_paths)
        if not args.pred and not raw_dirs and not args.cv:
            raise FileNotFoundError("no raw folders: give --raw DIR (the folder with the gold documents' files)")
        inputs: dict[str, Any] = {"gold": [{"path": str(p), "sha256": sha256(p)} for p in gold_paths]}
        scorer = dict(threshold=args.fuzzy_threshold, replicates=args.bootstrap, seed=args.seed,
                      gold_files=gold_files, group_by=args.group_by)
        if args.cv:
            from vntasks.evaluation.crossval import cross_validate

            evaluation = cross_validate(gold, args.cv, backend=args.backend, base_model=args.base_model,
                                        raw_dirs=raw_dirs, progress=_progress(args.quiet, "fold"), **scorer)
            scope = (f"cross-validated by document ({args.cv} folds): the action classifier is trained without "
                     "the held-out documents; rule-based stages (segmenter, agency lexicon) are not retrained per fold")
        else:
            if args.pred:
                predictions = read_predictions(args.pred)
                inputs["pred"] = [{"path": p, "sha256": sha256(p)} for p in args.pred]
                scope, not_run = SCOPE_PRED, []
            else:
                predictions, more, not_run, seen = model_mode(args, gold, raw_dirs)
                inputs.update(more)
                scope = SCOPE_MODEL
                if seen:
                    scope = f"{SCOPE_SEEN}: {', '.join(seen)}"
                    print(f"vntasks evaluate: warning: the model was trained on {', '.join(seen)}; these are "
                          "training-data figures, not accuracy", file=sys.stderr)
            evaluation = evaluate(gold, predictions, **scorer)
            if not_run:
                inputs["no_raw_file"] = not_run
    except (CorpusError, ModelError, FileNotFoundError, ValueError) as exc:
        print(f"vntasks evaluate: {exc}", file=sys.stderr)
        return 2
    report = evaluation.report
    report["scope"] = args.scope or scope
    report["inputs"] = {**inputs, **report.get("inputs", {})}
    report = {"schema": report.pop("schema"), "scope": report.pop("scope"), **report}
    evaluation.report = report
    for problem in report["documents"]["failed"]:
        print(f"vntasks evaluate: {problem['source']}: prediction failed ({problem.get('message', '')}); "
              "counted as missed", file=sys.stderr)
    if report["documents"]["missing"]:
        print(f"vntasks evaluate: {len(report['documents']['missing'])} gold documents have no prediction "
              f"(counted as missed): {', '.join(report['documents']['missing'][:10])}", file=sys.stderr)
    if report["documents"]["unmatched_predictions"]:
        print(f"vntasks evaluate: {len(report['documents']['unmatched_predictions'])} predictions match no gold "
              "document and were not scored", file=sys.stderr)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.html:
        write_report(evaluation, args.html)
    if not args.quiet:
        print(format_table(report))
    return 0
