"""Responsible agencies (GUIDELINE §3): the lexicon and the `agencies` stage.

Who must act is found in three steps, each in its own module:

1. `Lexicon` (this module) loads the one editable name list,
   `corpus/lexicon/agencies.json`, and finds its phrases in a text whatever
   the case, tone-mark placement or separators.
2. `vntasks.pipeline.mentions` reads the agency noun phrases off a spaCy Doc
   of underthesea words (`vntasks.pipeline.spacy_vi`) whose lexicon names are
   whole tokens: the name cores are found (the lexicon's own patterns with
   a spaCy Matcher), then the phrase is grown (levels, proper names, "các",
   titles) and lists are split or joined.
3. `vntasks.pipeline.agency_roles` keeps the phrases that are given work and says
   who leads and who supports, from the words around them.

`AgencyTagger` runs them over every paragraph and derives the paragraph's
agencies: the categories of its lead mentions, or `all_units` when no one is
named (§3.3).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from vntasks.pipeline.document import Dispatch, Mention, Paragraph
from vntasks.pipeline.labels import load_labels
from vntasks.pipeline.normalise import match_key

LEXICON_FILE = "agencies.json"
ALL_UNITS = "all_units"
# Confidence given to the all_units fallback of a paragraph that names no one.
FALLBACK_SCORE = 0.5

# Sections whose values are categories (or null), and the lexicon class each feeds.
_BY_CATEGORY = {"sectors": "sector", "bodies": "body"}
_MAPPINGS = {"units": "unit", "collectives": "collective", "titles": "title"}
_LISTS = {"levels": "level", "quantifiers": "quantifier", "qualifiers": "qualifier"}
CLASSES = ("unit", "sector", "body", "collective", "level", "title", "quantifier", "qualifier")

_WORD = re.compile(r"\w+")
_REGEX_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\|()#]")
# Between the words of a lexicon phrase: spaces, a separator (- – & , /), or nothing
# (abbreviations: GD&ĐT = GDĐT). A "và" of the entry may be left out or spelt as a separator.
_SEPARATOR = r"(?:\s*[,&/\-–—]\s*|\s+|)"
_AND = "và"


def canon(text: str) -> str:
    """The lookup key of a name: lower-case words, modern tone marks, no separators or "và"."""
    return canon_of_key(match_key(text).lower())


@lru_cache(maxsize=1 << 14)  # called for every token of every paragraph
def canon_of_key(key: str) -> str:
    """`canon` of a text already in match-key form (e.g. a spaCy token's NORM)."""
    return "".join(w for w in _WORD.findall(key) if w != "và")


def _syllables(text: str) -> list[str]:
    return [w for w in _WORD.findall(match_key(text).lower()) if w != "và"]


def _trie_regex(phrases: Iterable[str]) -> str:
    """One regex for many phrases; longer continuations are tried first."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for word in _WORD.findall(match_key(phrase).lower()):
            node = node.setdefault(word, {})
        node[""] = {}  # end of a phrase

    def build(node: dict[str, Any]) -> str:
        alternatives = []
        for word in sorted((w for w in node if w), key=lambda w: (-len(w), w)):
            child = node[word]
            rest = {k: v for k, v in child.items() if k}
            if word == _AND:  # optional: "Thương binh và Xã hội" = "Thương binh - Xã hội"
                alternatives.append(f"(?:{_AND}{_SEPARATOR})?{build(rest)}")
            elif rest:
                tail = f"(?:{_SEPARATOR}{build(rest)})"
                alternatives.append(re.escape(word) + tail + ("?" if "" in child else ""))
            else:
                alternatives.append(re.escape(word))
        return "(?:" + "|".join(alternatives) + ")"

    return build(trie)


class LexiconError(ValueError):
    """A malformed lexicon file; the message names the file and the entry."""


class Lexicon:
    """Agency names by lexicon class and category (see the file's `about`)."""

    def __init__(self, data: dict[str, Any], source: str = "<dict>"):
        self.data = data
        self.source = source
        self.entries: dict[str, dict[str, str | None]] = {}  # canon -> {class: category}
        self.surfaces: dict[str, str] = {}  # canon -> first spelling seen
        self.spellings: set[str] = set()  # every spelling, for the phrase regex
        self.patterns: list[tuple[str, list[dict[str, Any]]]] = []
        self._read(data)

    # -- loading -------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> Lexicon:
        """The lexicon at `path` (a file, or a directory holding agencies.json);
        None -> the one shipped in vntasks.corpus/lexicon/."""
        if path is None:
            ref = resources.files("vntasks.corpus").joinpath("lexicon", LEXICON_FILE)
            text, source = ref.read_text("utf-8"), f"vntasks.corpus/lexicon/{LEXICON_FILE}"
        else:
            path = Path(path)
            if path.is_dir():
                path = path / LEXICON_FILE
            try:
                text = path.read_text("utf-8")
            except OSError as exc:
                raise LexiconError(f"{path}: cannot read the lexicon: {exc.strerror or exc}") from None
            source = str(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LexiconError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise LexiconError(f"{source}: the lexicon must be a JSON object")
        return cls(data, source)

    def _fail(self, where: str, message: str) -> None:
        raise LexiconError(f"{self.source}: {where}: {message}")

    def _category(self, where: str, value: Any, allow_none: bool) -> str | None:
        if value is None and allow_none:
            return None
        if value not in self._categories:
            self._fail(where, f"unknown category {value!r} (labels.json has {', '.join(self._categories)})")
        return value

    def _add(self, where: str, text: Any, cls: str, category: str | None) -> None:
        if not isinstance(text, str) or not _syllables(text):
            self._fail(where, f"a name must be a non-empty string, not {text!r}")
        key = canon(text)
        self.entries.setdefault(key, {})
        if cls not in self.entries[key]:
            self.entries[key][cls] = category
        self.surfaces.setdefault(key, text)
        self.spellings.add(text)

    def _read(self, data: dict[str, Any]) -> None:
        self._categories = load_labels().agencies
        known = {"version", "about", "patterns", *_BY_CATEGORY, *_MAPPINGS, *_LISTS}
        for name in data:
            if name not in known:
                self._fail(name, f"unknown section (expected one of {', '.join(sorted(known))})")
        for section, cls in _BY_CATEGORY.items():
            by_category = data.get(section, {})
            if not isinstance(by_category, dict):
                self._fail(section, "must map categories to lists of names")
            for category, names in by_category.items():
                self._category(f"{section}.{category}", category, allow_none=False)
                if not isinstance(names, list):
                    self._fail(f"{section}.{category}", "must be a list of names")
                for name in names:
                    self._add(f"{section}.{category}", name, cls, category)
        for section, cls in _MAPPINGS.items():
            mapping = data.get(section, {})
            if not isinstance(mapping, dict):
                self._fail(section, "must map names to a category or null")
            for name, category in mapping.items():
                self._add(f"{section}.{name}", name, cls, self._category(f"{section}.{name}", category, True))
        for section, cls in _LISTS.items():
            names = data.get(section, [])
            if not isinstance(names, list):
                self._fail(section, "must be a list of names")
            for name in names:
                self._add(section, name, cls, None)
        for i, entry in enumerate(data.get("patterns", [])):
            where = f"patterns[{i}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), list) or not entry["pattern"]:
                self._fail(where, 'must be {"category": ..., "pattern": [spaCy token pattern]}')
            self.patterns.append((self._category(where, entry.get("category"), False), entry["pattern"]))

    # -- queries -------------------------------------------------------------
    def classes(self, text: str) -> dict[str, str | None]:
        """{class: category} of a token or phrase; empty when not in the lexicon."""
        return self.entries.get(canon(text), {})

    def names(self) -> list[str]:
        """Multi-word names to keep whole in word segmentation (underthesea
        `fixed_words`, which matches exactly: a few case variants are given)."""
        out: set[str] = set()
        for key, surface in self.surfaces.items():
            if len(_syllables(surface)) < 2 or _REGEX_SPECIAL.search(surface):
                continue  # one-word names need no help; underthesea puts fixed words in a regex
            out.update({surface, surface[0].upper() + surface[1:], surface[0].lower() + surface[1:]})
        return sorted(out)

    @cached_property
    def _phrase_regex(self) -> re.Pattern[str]:
        body = _trie_regex(sorted(self.spellings))
        return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)

    def find_phrases(self, text: str, min_words: int = 2) -> list[tuple[int, int]]:
        """Spans of lexicon phrases of at least `min_words` words in `text`,
        leftmost-longest, not overlapping."""
        spans = []
        for match in self._phrase_regex.finditer(match_key(text)):
            if len(_syllables(match.group())) >= min_words and canon(match.group()) in self.entries:
                spans.append((match.start(), match.end()))
        return spans

    @cached_property
    def _glued_regex(self) -> re.Pattern[str]:
        """A one-word title or unit that underthesea may glue to the next word:
        "Trưởng Phòng" (title + unit), "Báo Yên Bái" (unit + a two-word name)."""
        def one_word(cls: str) -> str:
            words = {match_key(s).lower() for s in self.spellings if len(_syllables(s)) == 1 and cls in self.classes(s)}
            return "|".join(sorted(map(re.escape, words), key=lambda w: (-len(w), w)))

        cap = r"[A-ZĐÀ-Ỹ]\w*"
        return re.compile(
            rf"(?<!\w)(?:(?P<title>{one_word('title')})\s+(?P<unit>{one_word('unit')})(?!\w)"
            rf"|(?P<head>{one_word('unit')})(?=(?-i:\s+{cap}\s+{cap})(?!\w)))",
            re.IGNORECASE,
        )

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans that must be tokens of their own: multi-word names, and one-word
        titles or units glued to their neighbour by word segmentation."""
        spans = self.find_phrases(text)
        taken = [range(a, b) for a, b in spans]
        key = match_key(text)
        for match in self._glued_regex.finditer(key):
            for group in ("title", "unit", "head"):
                a, b = match.span(group)
                if a >= 0 and not any(a in r or b - 1 in r for r in taken):
                    if group == "head" and not key[a].isupper():
                        continue
                    spans.append((a, b))
        return sorted(spans)

    def with_names(self, names: Iterable[tuple[str, str]]) -> Lexicon:
        """A copy with extra (name, category) bodies, e.g. names learned from
        annotated training documents."""
        data = json.loads(json.dumps(self.data))
        bodies = data.setdefault("bodies", {})
        for name, category in names:
            bodies.setdefault(category, []).append(name)
        return Lexicon(data, f"{self.source} + learned names")


class AgencyTagger:
    """Stage: mentions (text, category, role, offsets) and agencies of every paragraph."""

    name = "agencies"
    requires = frozenset({"paragraphs", "tokens"})
    provides = frozenset({"mentions", "agencies"})

    def __init__(self, lexicon: Lexicon | None = None):
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()

    @cached_property
    def nlp(self):
        from vntasks.pipeline.spacy_vi import vietnamese

        return vietnamese(fixed=self.lexicon.token_spans)

    @cached_property
    def finder(self):
        from vntasks.pipeline.mentions import MentionFinder

        return MentionFinder(self.lexicon, self.nlp.vocab)

    def __call__(self, doc: Dispatch) -> Dispatch:
        issuer = doc.header.issuer if doc.header else None
        for paragraph in doc.paragraphs:
            self.tag(paragraph, issuer)
        return doc

    def tag(self, paragraph: Paragraph, issuer: str | None = None) -> Paragraph:
        """Fills one paragraph's mentions, agencies and agency scores."""
        from vntasks.pipeline.agency_roles import assign_roles

        tokenizer = self.nlp.tokenizer
        if paragraph.tokens is not None:
            sdoc = tokenizer.from_words(paragraph.text, paragraph.tokens)
        else:
            sdoc = tokenizer(paragraph.text)
        issuer_category = self.finder.category_of(issuer) if issuer else None
        candidates = self.finder(sdoc, issuer_category=issuer_category)
        roles = assign_roles(paragraph.text, candidates, issuer)
        # "các đơn vị liên quan" beside named leads supports them; alone it leads (§3.1).
        named_lead = any(r == "lead" and not _related(c) for c, r in zip(candidates, roles))
        roles = [
            "support" if r == "lead" and named_lead and _related(c) else r for c, r in zip(candidates, roles)
        ]
        mentions, seen = [], set()
        for candidate, role in zip(candidates, roles):
            if role is None:
                continue
            key = canon(candidate.text)
            if key in seen:  # a body already marked is not marked again (§3.1)
                continue
            seen.add(key)
            mentions.append(Mention(candidate.text, candidate.category, role, candidate.start, candidate.end))
        paragraph.mentions = mentions
        leads = [m.category for m in mentions if m.role == "lead"]
        paragraph.agencies = list(dict.fromkeys(leads)) or [ALL_UNITS]
        paragraph.scores = dict(paragraph.scores or {})
        paragraph.scores["agencies"] = (
            {c: 1.0 for c in paragraph.agencies} if leads else {ALL_UNITS: FALLBACK_SCORE}
        )
        return paragraph


def _related(candidate) -> bool:
    """A catch-all of 'related' bodies ("các đơn vị liên quan", "cơ quan có liên quan")."""
    return candidate.category == ALL_UNITS and "liênquan" in canon(candidate.text)
