"""Which annotated agency mentions the agency tagger misses: names to add to the lexicon.

After a round of corrections, the gold mentions the tagger did not find
(same text, whitespace and tone-mark insensitive, and same category) are the
candidates for `corpus/lexicon/agencies.json`. The tagger reads the
annotated paragraphs themselves, with the document's issuer, so segmentation
errors do not hide names. Add a name, re-run with `--lexicon`, and it drops
off the list.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.normalise import match_key


@dataclass
class LexiconCheck:
    lexicon: str
    found: int = 0
    total: int = 0
    missed: Counter = field(default_factory=Counter)  # (text, category) -> times
    where: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))  # -> doc ids
    found_as: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))  # -> categories


def _key(text: str) -> str:
    return " ".join(match_key(text).lower().split())


def check_lexicon(docs: Sequence[Dispatch], lexicon_path: str | Path | None = None) -> LexiconCheck:
    """Tag the annotated paragraphs with the lexicon and compare the mentions found with the annotation."""
    from vntasks.pipeline.agencies import AgencyTagger, Lexicon
    from vntasks.training.agency_cv import tag_documents
    from vntasks.pipeline.tokenize import Tokenizer

    lexicon = Lexicon.load(lexicon_path)
    tokenizer = Tokenizer(lexicon.names())
    tokens = {p.text: tokenizer.tokenize(p.text) for d in docs for p in d.paragraphs}
    predicted = tag_documents(docs, AgencyTagger(lexicon), tokens)
    result = LexiconCheck(lexicon=lexicon.source)
    for gold_doc, pred_doc in zip(docs, predicted):
        for gold, pred in zip(gold_doc.paragraphs, pred_doc.paragraphs):
            found = defaultdict(set)
            for m in pred.mentions:
                found[_key(m.text)].add(m.category)
            for m in gold.mentions:
                result.total += 1
                if m.category in found.get(_key(m.text), ()):
                    result.found += 1
                    continue
                name = (m.text, m.category)
                result.missed[name] += 1
                if gold_doc.id not in result.where[name]:
                    result.where[name].append(gold_doc.id)
                result.found_as[name].update(found.get(_key(m.text), ()))
    return result


def format_check(result: LexiconCheck, limit: int = 40) -> str:
    share = result.found / result.total if result.total else 0.0
    lines = [f"lexicon {result.lexicon}: {result.found} of {result.total} annotated mentions found "
             f"with their category ({share:.1%})"]
    if result.missed:
        first = f"; first {limit}" if len(result.missed) > limit else ""
        lines.append(f"missed (times, category, text, documents){first}:")
    for (text, category), n in result.missed.most_common(limit):
        other = result.found_as[(text, category)]
        note = f"  [found as {', '.join(sorted(other))}]" if other else ""
        docs = ", ".join(result.where[(text, category)][:4])
        lines.append(f"  {n:3}  {category:<20} {text}  ({docs}){note}")
    if result.missed:
        lines.append("A name the tagger should know: add it under \"bodies\" → its category in the lexicon file "
                     "(a copy, passed with --lexicon, to try it), then run this again. Lists and phrases with a "
                     "level (\"UBND các xã, phường\") come from the grammar, not from single names.")
    return "\n".join(lines)
