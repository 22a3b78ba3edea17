"""`vntasks train --data FILE... --out DIR [--backend linear|transformer|rules] [--seed N] [--folds K]`.

Reads corpus JSONL (gold, and synthetic records marked `meta.synthetic`),
cross-validates the whole training procedure by document (held-out figures
per label, printed and written into the model card, beside the keyword
baseline's on the same folds), then trains on all the data and writes the
model directory. Same data and seed give the same model.
Exit code 0 on success, 2 when the data or the options are unusable.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


# Rule models cross-validated beside every trained model: (card key, settled cues?, title).
BASELINES = (
    ("baseline_cv", False, "keyword baseline (cue column of the GUIDELINE §2 table)"),
    ("rules_cv", True, "guideline rules (§2 cues + settled-case phrases)"),
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", nargs="+", required=True, metavar="FILE",
                        help="corpus JSONL files (e.g. corpus/seeds.jsonl ../shared/corpus/web.jsonl)")
    parser.add_argument("--out", required=True, metavar="DIR", help="model directory to write")
    parser.add_argument("--backend", choices=("linear", "transformer", "rules"), default="linear")
    parser.add_argument("--base-model", metavar="DIR", default=None,
                        help="local checkpoint directory to fine-tune (transformer backend)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5,
                        help="group k-fold cross-validation by document for the model card (0: skip)")
    parser.add_argument("--by-province", action="store_true",
                        help="also cross-validate with whole provinces held out (as in the hidden test)")
    parser.add_argument("--threshold-folds", type=int, default=None,
                        help="inner folds for choosing per-label thresholds (default: 5 linear, 0 otherwise)")
    parser.add_argument("--lexicon", metavar="FILE", default=None,
                        help="agency lexicon to train with; copied into the model (default: the package's)")
    parser.add_argument("--name", default=None, help="model name (default: vntasks-actions-BACKEND)")
    parser.add_argument("--model-version", default="0.1.0", help="model version written into the card")
    parser.add_argument("--note", action="append", default=[], metavar="TEXT",
                        help="a line for the model card's notes (repeatable)")
    parser.add_argument("--no-baseline", action="store_true", help="skip cross-validating the rule baselines")
    linear = parser.add_argument_group("linear backend")
    linear.add_argument("--C", type=float, default=None, help="inverse regularisation strength")
    transformer = parser.add_argument_group("transformer backend")
    transformer.add_argument("--epochs", type=float, default=None)
    transformer.add_argument("--max-steps", type=int, default=None, help="stop after this many optimiser steps")
    transformer.add_argument("--batch-size", type=int, default=None)
    transformer.add_argument("--learning-rate", type=float, default=None)
    transformer.add_argument("--max-length", type=int, default=None, help="tokens per paragraph (default: the model's)")
    transformer.add_argument("--segmented", action=argparse.BooleanOptionalAction, default=None,
                             help="feed word-segmented text (PhoBERT style: syllables joined by _); "
                                  "default: what the base model's config says, else detected from its tokenizer")
    transformer.add_argument("--device", default="auto", help="auto (GPU when present), cpu, cuda, cuda:1 ...")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _params(args: argparse.Namespace) -> dict[str, Any]:
    if args.backend == "linear":
        return {"C": args.C} if args.C is not None else {}
    if args.backend == "transformer":
        names = ("epochs", "max_steps", "batch_size", "learning_rate", "max_length", "segmented", "device")
        return {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return {}


def created_date() -> str:
    """Now in UTC, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def command_needs_torch(args: argparse.Namespace) -> bool:
    from vntasks.models import TORCH_BACKENDS

    return args.backend in TORCH_BACKENDS


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from vntasks.corpus.jsonl import read_corpus
    from vntasks.models.base import sha256_file
    from vntasks.models.card import library_versions
    from vntasks.pipeline.errors import CorpusError, ModelError
    from vntasks.training.crossval import cross_validate, format_metrics
    from vntasks.training.trainer import is_synthetic, prepare_documents, train_model

    def log(message: str) -> None:
        if not args.quiet:
            print(f"vntasks train: {message}", file=sys.stderr, flush=True)

    def progress(desc: str):
        return lambda it: tqdm(it, desc=desc, disable=args.quiet, file=sys.stderr, leave=False)

    if args.backend == "transformer" and not args.base_model:
        print("vntasks train: the transformer backend needs --base-model DIR (a local checkpoint)", file=sys.stderr)
        return 2
    if args.folds == 1 or args.folds < 0:
        print("vntasks train: --folds must be 0 (no CV) or at least 2", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        docs, files, data = [], [], []
        for path in args.data:
            part = read_corpus(path)
            docs += part
            files += [Path(path).name] * len(part)
            data.append({"file": Path(path).name, "sha256": sha256_file(path), "documents": len(part),
                         "paragraphs": sum(len(d.paragraphs) for d in part),
                         "synthetic": bool(part) and all(is_synthetic(d) for d in part)})
        seen: dict[tuple[str, str], str] = {}
        for doc, name in zip(docs, files):
            key = (name, doc.id)
            if key in seen:
                raise CorpusError(f"{name}: document id {doc.id!r} occurs twice")
            seen[key] = name
        if not any(d.paragraphs for d in docs if not is_synthetic(d)):
            raise CorpusError("no annotated (non-synthetic) paragraphs in " + ", ".join(args.data))
        params = _params(args)
        log(f"{len(docs)} documents, {sum(len(d.paragraphs) for d in docs)} paragraphs "
            f"({sum(1 for d in docs if is_synthetic(d))} synthetic documents: training only)")
        prepared = prepare_documents(docs, args.lexicon, progress=progress("tokenise + tag"))
        common = dict(params=params, threshold_folds=args.threshold_folds, lexicon_path=args.lexicon,
                      prepared=prepared, corpus_files=files)
        card: dict[str, Any] = {}
        reports = []
        if args.folds:
            groupings = ["document"] + (["province"] if args.by_province else [])
            for grouping in groupings:
                suffix = "" if grouping == "document" else "_by_province"
                log(f"cross-validating the {args.backend} model: {args.folds} folds, groups = {grouping}")
                result = cross_validate(docs, args.backend, args.base_model, args.seed, folds=args.folds,
                                        group_by=grouping, progress=progress(f"CV by {grouping}"), **common)
                card["cv" + suffix] = result.metrics
                reports.append(format_metrics(result.metrics, f"{args.backend} model, held-out {grouping}s "
                                                              f"({args.folds}-fold group CV):"))
                if not args.no_baseline:
                    for key, settled, title in BASELINES:
                        baseline = cross_validate(docs, "rules", None, args.seed, folds=args.folds,
                                                  group_by=grouping, params={"settled_cues": settled},
                                                  prepared=prepared, corpus_files=files)
                        card[key + suffix] = baseline.metrics
                        reports.append(format_metrics(baseline.metrics, f"{title}, same folds:"))
        log(f"training the {args.backend} model on all {sum(len(d.paragraphs) for d in docs)} paragraphs")
        model = train_model(docs, args.backend, args.base_model, args.seed, params=params,
                            threshold_folds=args.threshold_folds, lexicon_path=args.lexicon, prepared=prepared, log=log)
    except (CorpusError, ModelError, ValueError, OSError) as exc:
        print(f"vntasks train: {exc}", file=sys.stderr)
        return 2
    if args.name:
        model.name = args.name
    model.version = args.model_version
    labels_count: dict[str, int] = {}
    for doc in docs:
        for p in doc.paragraphs:
            for label in p.actions:
                labels_count[label] = labels_count.get(label, 0) + 1
    model.card.update(card)
    model.card["created"] = created_date()
    model.card["training"] = {"data": data, "seed": args.seed, "backend": args.backend,
                              "base_model": str(args.base_model) if args.base_model else None,
                              "label_counts": {k: labels_count.get(k, 0) for k in model.labels}}
    if "cv" in card:
        model.card["cv_summary"] = {"macro_f1": card["cv"]["macro"]["f1"], "micro_f1": card["cv"]["micro"]["f1"],
                                    "core_macro_f1": card["cv"]["core_macro_f1"], "folds": args.folds,
                                    "grouping": "document"}
    model.card["libraries"] = library_versions(args.backend)
    if args.note:
        model.card["notes"] = list(args.note)
    out = model.save(args.out)
    for report in reports:
        print(report + "\n")
    log(f"model written to {out} ({time.perf_counter() - started:.0f} s)")
    return 0
