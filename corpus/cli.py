"""`vntasks corpus ...`: validate, convert to and from Label Studio, and describe annotated corpora.

    vntasks corpus validate FILE...
    vntasks corpus export-labelstudio PRED.jsonl -o tasks.json --config config.xml
    vntasks corpus import-labelstudio export.json -o corrected.jsonl
    vntasks corpus stats FILE... [--against OTHER.jsonl...]
    vntasks corpus lexicon-check CORRECTED.jsonl [--lexicon EDITED.json]

Exit codes: 0 fine, 1 problems found in the data, 2 the command could not run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vntasks.pipeline.errors import CorpusError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.split("\n\n")[0]
    sub = parser.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)

    p = sub.add_parser("validate", help="check corpus files against GUIDELINE §5 and labels.json",
                       description="Check every record: labels, mention texts and offsets, agencies against lead "
                                   "mentions, NFC, required fields, header formats, ids unique across the files. "
                                   "Prints FILE:LINE: severity: where: reason for each problem.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--errors-only", action="store_true", help="do not print warnings")
    p.set_defaults(corpus_handler=run_validate)

    p = sub.add_parser("export-labelstudio", help="corpus JSONL -> Label Studio tasks with pre-annotations",
                       description="One Label Studio task per task paragraph, its labels and mentions as "
                                   "pre-annotations (predictions) or annotations; --config writes the matching "
                                   "labelling config.")
    p.add_argument("files", nargs="+", metavar="FILE", help="predictions (vntasks extract) or gold JSONL")
    p.add_argument("-o", "--output", required=True, help="tasks JSON file to import into Label Studio")
    p.add_argument("--config", default=None, help="also write the labelling config XML here")
    p.add_argument("--as", dest="as_", choices=("predictions", "annotations"), default="predictions",
                   help="put the labels in `predictions` (pre-annotations to correct; default) or in "
                        "`annotations` (e.g. gold to review)")
    p.add_argument("--model-version", default=None,
                   help="model_version of the predictions (default: model and version from each record's provenance)")
    p.set_defaults(corpus_handler=run_export)

    p = sub.add_parser("import-labelstudio", help="Label Studio JSON export -> corpus JSONL",
                       description="Reads Label Studio's JSON export (Export → JSON). Each task's latest "
                                   "non-cancelled annotation is used; a document is written once all its items "
                                   "are annotated.")
    p.add_argument("export", metavar="EXPORT.json")
    p.add_argument("-o", "--output", required=True, help="corpus JSONL to write")
    p.add_argument("--use-predictions", action="store_true",
                   help="take the pre-annotation of items nobody annotated (they were accepted as predicted)")
    p.add_argument("--predictions", metavar="TASKS.json", default=None,
                   help="the tasks file export-labelstudio wrote: like --use-predictions, for Label Studio exports "
                        "that list predictions by id only or leave out unannotated tasks")
    p.add_argument("--partial", action="store_true",
                   help="also write documents with items missing or not annotated (without those items)")
    p.add_argument("--agencies", choices=("derive", "annotated"), default="derive",
                   help="paragraph agencies from the lead mentions (GUIDELINE §3.3; default) or as ticked")
    p.add_argument("--offsets", choices=("needed", "always"), default="needed",
                   help="mention `start` only where the text occurs earlier in the paragraph (default, as in "
                        "the gold) or `start` and `end` on every mention")
    p.set_defaults(corpus_handler=run_import)

    p = sub.add_parser("stats", help="label counts; agreement between two annotations of the same documents",
                       description="Documents, paragraphs and label counts per file; with --against, per-label "
                                   "Cohen's kappa and F1 over paragraphs aligned by document id and text, and "
                                   "mention F1.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--against", nargs="+", metavar="FILE", default=None,
                   help="a second annotation of the same documents (e.g. another annotator's)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(corpus_handler=run_stats)


    p = sub.add_parser("lexicon-check", help="annotated agency mentions the tagger misses (names for the lexicon)",
                       description="Tags the annotated paragraphs with the agency lexicon and lists the annotated "
                                   "mentions it does not find with their category: candidates for "
                                   "corpus/lexicon/agencies.json. Try an edited copy with --lexicon.")
    p.add_argument("files", nargs="+", metavar="FILE", help="annotated (e.g. corrected) corpus JSONL")
    p.add_argument("--lexicon", default=None, help="lexicon file to try (default: the shipped one)")
    p.add_argument("--limit", type=int, default=40, help="list at most this many missed names (default 40)")
    p.set_defaults(corpus_handler=run_lexicon_check)


def run(args: argparse.Namespace) -> int:
    try:
        return args.corpus_handler(args)
    except CorpusError as exc:
        print(f"vntasks corpus: {exc}", file=sys.stderr)
        return 2


def run_validate(args: argparse.Namespace) -> int:
    from vntasks.corpus.validate import ERROR, validate_files

    problems, records = validate_files(args.files)
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    for problem in problems:
        if problem.severity == ERROR or not args.errors_only:
            print(problem)
    print(f"{records} records in {len(args.files)} file(s): {errors} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def run_export(args: argparse.Namespace) -> int:
    from vntasks.corpus.jsonl import iter_jsonl
    from vntasks.corpus.labelstudio import labelling_config, records_to_tasks
    from vntasks.corpus.validate import is_error_record, record_problems

    records: list[dict[str, Any]] = []
    problems, skipped = [], 0
    for path in args.files:
        for line_no, obj in iter_jsonl(path):
            if is_error_record(obj):
                skipped += 1
                continue
            problems += [f"{path}:{line_no}: {p}" for p in record_problems(obj)]
            records.append(obj)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("vntasks corpus export-labelstudio: fix these records first (see `vntasks corpus validate`)",
              file=sys.stderr)
        return 1
    tasks = records_to_tasks(records, as_annotations=args.as_ == "annotations", model_version=args.model_version)
    _write_text(args.output, json.dumps(tasks, ensure_ascii=False, indent=1))
    if args.config:
        _write_text(args.config, labelling_config())
    note = f"; {skipped} extraction error records skipped" if skipped else ""
    print(f"{len(tasks)} tasks from {len(records)} documents written to {args.output}{note}", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from vntasks.corpus.jsonl import write_jsonl
    from vntasks.corpus.labelstudio import tasks_to_records

    tasks = _read_json(args.export)
    pre_annotated = _read_json(args.predictions) if args.predictions else None
    report = tasks_to_records(tasks, use_predictions=args.use_predictions, pre_annotated=pre_annotated,
                              agencies=args.agencies,
                              offsets=args.offsets, partial=args.partial)
    for line in report.errors:
        print(f"{args.export}: error: {line}", file=sys.stderr)
    for line in report.warnings:
        print(f"{args.export}: warning: {line}", file=sys.stderr)
    if report.records or not report.errors:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        write_jsonl(args.output, report.records)
    extra = [f"{report.dropped} items marked 'not a task unit' dropped" if report.dropped else "",
             f"{report.from_predictions} items taken from predictions" if report.from_predictions else ""]
    print(f"{len(report.records)} documents, {report.paragraphs} paragraphs written to {args.output}"
          + "".join(f"; {e}" for e in extra if e), file=sys.stderr)
    return 1 if report.errors else 0


def run_stats(args: argparse.Namespace) -> int:
    from vntasks.corpus.jsonl import read_corpus
    from vntasks.corpus.stats import agreement, corpus_counts, format_agreement, format_counts

    docs_by_file = {path: read_corpus(path, validate=False) for path in args.files}
    counts = {path: corpus_counts(docs) for path, docs in docs_by_file.items()}
    docs_a = [d for docs in docs_by_file.values() for d in docs]
    if len(counts) > 1:
        counts["all"] = corpus_counts(docs_a)
    result = None
    if args.against:
        docs_b = read_corpus(args.against, validate=False)
        counts["against: " + ", ".join(args.against)] = corpus_counts(docs_b)
        result = agreement(docs_a, docs_b)
    if args.json:
        out: dict[str, Any] = {"counts": counts}
        if result is not None:
            out["agreement"] = {"aligned": result.aligned, "only_a": result.only_a, "only_b": result.only_b,
                                "labels": result.labels, "mentions": result.mentions}
        print(json.dumps(_without_nan(out), ensure_ascii=False, indent=1))
    else:
        print(format_counts(counts))
        if result is not None:
            print()
            print(format_agreement(result))
    return 0


def _without_nan(value: Any) -> Any:
    """JSON has no NaN: undefined agreement (a label nobody used) becomes null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    return value


def run_lexicon_check(args: argparse.Namespace) -> int:
    from vntasks.corpus.jsonl import read_corpus
    from vntasks.corpus.lexicon_check import check_lexicon, format_check
    from vntasks.pipeline.agencies import LexiconError

    docs = read_corpus(args.files)
    try:
        result = check_lexicon(docs, args.lexicon)
    except (LexiconError, OSError) as exc:
        print(f"vntasks corpus lexicon-check: {exc}", file=sys.stderr)
        return 2
    print(format_check(result, args.limit))
    return 0


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read JSON: {exc}") from None


def _write_text(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
