"""Cross-validated figures for the agency tagger (mentions, roles, paragraph agencies).

    .venv/bin/python -m vntasks.training.agency_cv                 # seeds + web passages
    .venv/bin/python -m vntasks.training.agency_cv --learn         # + names learned in folds
    .venv/bin/python -m vntasks.training.agency_cv --json out.json corpus/seeds.jsonl other.jsonl
    .venv/bin/python -m vntasks.training.agency_cv --suggest 30      # names the lexicon misses

The tagger reads the *gold* paragraphs (so the figures measure tagging, not
segmentation), tokenized as the pipeline does (underthesea with the lexicon's
names as fixed words), with the document header's issuer.

Folds are made of whole documents (`vntasks.evaluation.crossval.assign_folds`).
The base lexicon is written from the guideline and general knowledge, so it
learns nothing from the folds; `--learn` adds, in each fold, the gold mention
texts the tagger misses in the *training* documents (seen twice or more, with
their most frequent category) and scores the held-out documents. Every
document is scored exactly once, by a tagger that never saw its annotation.

Scoring follows `vntasks.evaluation.metrics`: a mention is right when its text
(whitespace and tone-mark insensitive) and category match a gold mention of the
same paragraph ("role": and its role); agencies are scored per paragraph and
category, macro-F1 averaging the categories present in gold or predictions.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vntasks.pipeline.document import Dispatch, Paragraph
from vntasks.pipeline.normalise import match_key

REPO = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = (REPO / "corpus" / "seeds.jsonl", REPO.parent / "shared" / "corpus" / "web.jsonl")


def text_key(text: str) -> str:
    return " ".join(match_key(text).split())


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Tally:
    """Summed counts over scored paragraphs."""

    counts: Counter = field(default_factory=Counter)

    def add(self, gold: Paragraph, pred: Paragraph) -> None:
        c = self.counts
        for variant, key in (
            ("exact", lambda m: (text_key(m.text), m.category)),
            ("role", lambda m: (text_key(m.text), m.category, m.role)),
        ):
            g, p = Counter(map(key, gold.mentions)), Counter(map(key, pred.mentions))
            tp = sum((g & p).values())
            c[f"mentions.{variant}.tp"] += tp
            c[f"mentions.{variant}.fp"] += sum(p.values()) - tp
            c[f"mentions.{variant}.fn"] += sum(g.values()) - tp
        g_set, p_set = set(gold.agencies), set(pred.agencies)
        for cat in g_set | p_set:
            c[f"agencies.{cat}.{'tp' if cat in g_set and cat in p_set else 'fn' if cat in g_set else 'fp'}"] += 1
        c["paragraphs"] += 1
        c["agencies.exact"] += g_set == p_set

    def figures(self, categories: Sequence[str]) -> dict[str, Any]:
        c = self.counts
        out: dict[str, Any] = {"paragraphs": c["paragraphs"]}
        for variant in ("exact", "role"):
            p, r, f = _prf(c[f"mentions.{variant}.tp"], c[f"mentions.{variant}.fp"], c[f"mentions.{variant}.fn"])
            out[f"mentions.{variant}"] = {"precision": p, "recall": r, "f1": f,
                                          "gold": c[f"mentions.{variant}.tp"] + c[f"mentions.{variant}.fn"]}
        per, tps, fps, fns = {}, 0, 0, 0
        for cat in categories:
            tp, fp, fn = (c[f"agencies.{cat}.{x}"] for x in ("tp", "fp", "fn"))
            if tp + fp + fn == 0:
                continue
            p, r, f = _prf(tp, fp, fn)
            per[cat] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
            tps, fps, fns = tps + tp, fps + fp, fns + fn
        out["agencies.per_category"] = per
        out["agencies.macro_f1"] = sum(v["f1"] for v in per.values()) / len(per) if per else 0.0
        out["agencies.micro_f1"] = _prf(tps, fps, fns)[2]
        out["agencies.subset_accuracy"] = c["agencies.exact"] / c["paragraphs"] if c["paragraphs"] else 0.0
        return out


def missed_names(gold: Sequence[Dispatch], predicted: Sequence[Dispatch], min_count: int = 2) -> list[tuple[str, str]]:
    """(text, category) of gold mentions the tagger missed in annotated documents,
    seen at least `min_count` times, without commas (lists are grammar, not names),
    each with its most frequent category: the names worth adding to the lexicon."""
    seen: dict[str, Counter] = {}
    for g_doc, p_doc in zip(gold, predicted):
        for g, p in zip(g_doc.paragraphs, p_doc.paragraphs):
            found = {(text_key(m.text), m.category) for m in p.mentions}
            for m in g.mentions:
                if (text_key(m.text), m.category) not in found and "," not in m.text:
                    seen.setdefault(m.text, Counter())[m.category] += 1
    return [(text, c.most_common(1)[0][0]) for text, c in seen.items() if sum(c.values()) >= min_count]


def tag_documents(docs: Sequence[Dispatch], tagger, tokens: dict[str, list[str]]) -> list[Dispatch]:
    """Predictions for the gold paragraphs of `docs` (annotations stripped)."""
    out = []
    for doc in docs:
        paragraphs = [Paragraph(p.number, p.text, section=p.section, tokens=tokens[p.text]) for p in doc.paragraphs]
        pred = Dispatch(doc.id, doc.source, header=doc.header, paragraphs=paragraphs)
        out.append(tagger(pred))
    return out


def cross_validate(
    docs: Sequence[Dispatch], *, folds: int = 5, seed: int = 0, learn: bool = False, lexicon=None
) -> dict[str, Any]:
    """Figures over all documents, each tagged by the fold that held it out."""
    from vntasks.evaluation.crossval import assign_folds
    from vntasks.pipeline.agencies import AgencyTagger, Lexicon
    from vntasks.pipeline.labels import load_labels
    from vntasks.pipeline.tokenize import Tokenizer

    base = lexicon if lexicon is not None else Lexicon.load()
    tokenizer = Tokenizer(base.names())
    tokens = {p.text: tokenizer.tokenize(p.text) for d in docs for p in d.paragraphs}
    fold_of = assign_folds(docs, folds, seed) if learn else [0] * len(docs)
    tallies = {"all": Tally()}
    missed: Counter = Counter()
    learned_sizes = []
    for fold in sorted(set(fold_of)):
        held = [d for d, f in zip(docs, fold_of) if f == fold]
        lex = base
        if learn:
            train = [d for d, f in zip(docs, fold_of) if f != fold]
            names = missed_names(train, tag_documents(train, AgencyTagger(base), tokens))
            learned_sizes.append(len(names))
            lex = base.with_names(names)
        preds = tag_documents(held, AgencyTagger(lex), tokens)
        for gold, pred in zip(held, preds):
            source = "seeds" if gold.id.startswith("seed") else "web"
            for g, p in zip(gold.paragraphs, pred.paragraphs):
                found = {(text_key(m.text), m.category) for m in p.mentions}
                missed.update((m.text, m.category) for m in g.mentions if (text_key(m.text), m.category) not in found)
                tallies["all"].add(g, p)
                tallies.setdefault(source, Tally()).add(g, p)
    categories = load_labels().agencies
    report: dict[str, Any] = {name: tally.figures(categories) for name, tally in tallies.items()}
    report["missed"] = [(text, category, n) for (text, category), n in missed.most_common()]
    report["setup"] = {
        "documents": len(docs),
        "folds": len(set(fold_of)),
        "seed": seed,
        "learned_names_per_fold": learned_sizes,
        "lexicon": base.source,
        "input": "gold paragraphs, gold header issuer",
    }
    return report


def format_report(report: dict[str, Any]) -> str:
    lines = []
    setup = report["setup"]
    lines.append(f"{setup['documents']} documents, {setup['folds']} fold(s), lexicon {setup['lexicon']}"
                 + (f", learned names per fold {setup['learned_names_per_fold']}" if setup["learned_names_per_fold"] else ""))
    lines.append(f"{'subset':8} {'paras':>5} {'ment.P':>7} {'ment.R':>7} {'ment.F1':>7} {'role.F1':>7} "
                 f"{'ag.macroF1':>10} {'ag.microF1':>10} {'ag.exact':>8}")
    for name in ("all", "seeds", "web"):
        if name not in report:
            continue
        r = report[name]
        e, ro = r["mentions.exact"], r["mentions.role"]
        lines.append(f"{name:8} {r['paragraphs']:>5} {e['precision']:>7.3f} {e['recall']:>7.3f} {e['f1']:>7.3f} "
                     f"{ro['f1']:>7.3f} {r['agencies.macro_f1']:>10.3f} {r['agencies.micro_f1']:>10.3f} "
                     f"{r['agencies.subset_accuracy']:>8.3f}")
    lines.append("")
    lines.append(f"{'category (all)':22} {'P':>6} {'R':>6} {'F1':>6} {'support':>7}")
    for cat, v in report["all"]["agencies.per_category"].items():
        lines.append(f"{cat:22} {v['precision']:>6.3f} {v['recall']:>6.3f} {v['f1']:>6.3f} {v['support']:>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vntasks.training.agency_cv", description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, help="corpus JSONL files (default: seeds + ../shared web.jsonl)")
    parser.add_argument("--folds", type=int, default=5, help="folds for --learn (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learn", action="store_true", help="add names learned from the training folds")
    parser.add_argument("--lexicon", type=Path, help="lexicon file (default: the shipped one)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--suggest", type=int, metavar="N", default=0,
                        help="also list the N gold mentions most often missed (candidates for the lexicon)")
    args = parser.parse_args(argv)

    from vntasks.corpus.jsonl import read_corpus
    from vntasks.pipeline.agencies import Lexicon, LexiconError
    from vntasks.pipeline.errors import CorpusError

    paths = args.gold or [p for p in DEFAULT_GOLD if p.exists()]
    try:
        docs = read_corpus(paths)
        lexicon = Lexicon.load(args.lexicon)
    except (CorpusError, LexiconError) as exc:
        print(f"agency_cv: {exc}", file=sys.stderr)
        return 2
    report = cross_validate(docs, folds=args.folds, seed=args.seed, learn=args.learn, lexicon=lexicon)
    report["setup"]["gold"] = [str(p) for p in paths]
    print(format_report(report))
    if args.suggest:
        print(f"\nmost often missed gold mentions (text, category, times):")
        for text, category, count in report["missed"][: args.suggest]:
            print(f"  {count:3}  {category:20} {text}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
