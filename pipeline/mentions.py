"""Agency noun phrases in a paragraph (GUIDELINE §3.1, mention extent).

Input: a spaCy Doc of underthesea words whose lexicon names are whole tokens
(`vntasks.pipeline.spacy_vi`). Every token is tagged with its lexicon classes
(custom attributes `._.vn_unit`, `._.vn_sector`, ...), then:

1. name *cores* are found: unit + sector ("Sở" + "Y tế"), a unit + a proper
   name ("Báo" + "Hải Phòng"), a body ("Công an", "UBND", "Ban Chỉ đạo"), a
   collective noun ("các sở, ban, ngành") straight from the tags, or a
   pattern from the lexicon file with a spaCy Matcher;
2. collective nouns joined by commas under one "các" become one group
   ("Các sở, ban, ngành, đoàn thể"); its category is the one its nouns share
   ("các huyện, thành phố" -> local_government) or all_units;
3. each phrase grows to the right over levels, proper names and qualifiers
   ("UBND các huyện, thị xã, thành phố", "Sở GTVT tỉnh Lâm Đồng",
   "các đơn vị có liên quan", "Ban Chỉ đạo phòng, chống dịch các xã") and to
   the left over quantifiers and titles ("Chủ tịch UBND các xã");
4. a list sharing one head gives one mention per sector ("Sở Y tế, Công
   Thương"; "Các sở: Y tế, Tài chính").

Whether a phrase is given work, and its role, is decided by
`vntasks.pipeline.agency_roles`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from vntasks.pipeline.agencies import CLASSES, Lexicon, canon, canon_of_key

ALL_UNITS = "all_units"
STEERING = "steering_committee"
# Categories of single-sector bodies: their dispatches give their own units
# ("Thủ trưởng các đơn vị" in a police dispatch) the issuer's category (§3.1).
SECTOR_CATEGORIES = frozenset({
    "health", "police", "military", "labour_social", "education", "culture_information",
    "transport", "industry_trade", "finance", "agriculture", "other",
})
_OWN_UNITS = frozenset({"đơnvị", "phòng", "ban", "địaphương", "cơquan"})
# Collectives that, alone before a colon, head a list of sectors ("Các sở: Y tế, Tài chính").
_LIST_HEADS = frozenset({"sở", "phòng", "bộ", "ngành", "ban"})
_NAME_STOPWORDS = frozenset({"giao", "theo", "tại", "về", "trong", "các", "số", "ngày", "đề", "nay"})
# After a steering committee: what it is for ("phòng, chống dịch bệnh Covid-19 trên người").
_PURPOSE = re.compile(
    r"\s*(?:công tác\s+)?(?:phòng,?\s*(?:và\s+)?chống|pcd|pc)\s*"
    r"(?:dịch\s*(?:bệnh)?)?\s*"
    r"(?:(?:covid|sars|ncov)[\w\s\-–]*?(?:19|2)?(?!\w)|cúm\s+\w+)?"
    r"(?:\s*(?:trên\s+người|động\s+vật))?",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^\d+%?$")


@dataclass
class Candidate:
    """An agency noun phrase: character span in the paragraph and category."""

    start: int
    end: int
    text: str
    category: str
    kind: str  # "name", "group" or "sector"
    titled: bool = False  # starts with an official's title
    core_text: str = ""  # without the leading title and quantifiers ("UBND tỉnh" of "Chủ tịch UBND tỉnh")


@dataclass
class _Core:
    start: int  # indices into the significant tokens
    end: int
    kind: str  # "name" | "group"
    category: str | None
    head: str = ""  # canon of the first token
    standalone: bool = True  # a group item that is also a body by itself
    unit_sector: bool = False
    generic: bool = False  # headed by a common noun ("cơ sở giáo dục", not "Sở Y tế")


def _register_extensions() -> None:
    for cls in (*CLASSES, "name"):
        if not Token.has_extension(f"vn_{cls}"):
            Token.set_extension(f"vn_{cls}", default=False)


@lru_cache(maxsize=1 << 14)  # called for every token of every paragraph
def _is_name(text: str) -> bool:
    """A proper-name token: every word capitalised (or a number), at least one letter."""
    words = re.findall(r"\w+", text)
    return (
        bool(words)
        and any(c.isalpha() for c in text)
        and all(w[0].isupper() or w[0].isdigit() for w in words)
        and canon(text) not in _NAME_STOPWORDS
    )


class MentionFinder:
    """Doc -> agency noun phrases (`Candidate`s) in text order."""

    def __init__(self, lexicon: Lexicon, vocab: Vocab):
        _register_extensions()
        self.lexicon = lexicon
        self.vocab = vocab
        self.matcher = Matcher(vocab)  # the lexicon's patterns; the built-in ones are in `_builtin_matches`
        self._qualifier_keys = tuple(k for k, v in lexicon.entries.items() if "qualifier" in v)
        self.pattern_categories: dict[str, str] = {}
        for i, (category, pattern) in enumerate(lexicon.patterns):
            label = f"lexicon_pattern_{i}"
            self.matcher.add(label, [pattern])
            self.pattern_categories[label] = category
        self._issuer_categories: dict[str, str | None] = {}

    # -- token tagging -------------------------------------------------------
    def _tag(self, doc: Doc) -> tuple[list[Token], list[dict[str, str | None]], list[bool]]:
        """The significant tokens, their lexicon classes and whether each is a proper name,
        also set as the tokens' `._.vn_*` attributes (for the lexicon's patterns)."""
        tokens = [t for t in doc if not (t.is_space and "\n" not in t.text)]
        classes, names = [], []
        for token in tokens:
            found = self.lexicon.entries.get(canon_of_key(token.norm_), {}) if not token.is_space else {}
            classes.append(found)
            for cls in found:
                token._.set(f"vn_{cls}", True)
            names.append(not found and not token.is_space and _is_name(token.text))
            token._.vn_name = names[-1]
        return tokens, classes, names

    # -- public --------------------------------------------------------------
    def category_of(self, text: str) -> str | None:
        """Category of the first named agency in a short text such as an issuer
        (remembered: every paragraph of a dispatch asks about its issuer)."""
        if text not in self._issuer_categories:
            if len(self._issuer_categories) > 1024:
                self._issuer_categories.clear()
            self._issuer_categories[text] = self._first_name_category(text)
        return self._issuer_categories[text]

    def _first_name_category(self, text: str) -> str | None:
        from vntasks.pipeline.spacy_vi import fix_phrases, spans_to_doc

        words = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
        doc = spans_to_doc(self.vocab, text, fix_phrases(text, words, self.lexicon.find_phrases(text)))
        for candidate in self(doc):
            if candidate.kind == "name":
                return candidate.category
        return None

    def __call__(self, doc: Doc, issuer_category: str | None = None) -> list[Candidate]:
        tokens, classes, self._names = self._tag(doc)
        self._tokens, self._classes = tokens, classes
        self._norms = [t.norm_ for t in tokens]
        self._text = doc.text
        cores = self._cores(doc, tokens)
        by_start = {c.start: c for c in cores}
        out: list[_Pending] = []
        taken_until = 0  # no phrase may reach back over an earlier one
        for core in cores:
            if core.start < taken_until:
                continue
            start = self._prefix(core.start, taken_until)
            if core.kind == "group":
                items, end = self._run(core, by_start, under_one_head=start < core.start)
                if len(items) == 1 and core.head in _LIST_HEADS:
                    sectors = self._sector_list(end, by_start, None)
                    if sectors:  # "Các sở: Y tế, Tài chính" names the sectors, not "các sở"
                        out.extend(sectors)
                        taken_until = sectors[-1].end_token
                        continue
                end, qualified = self._tail(end, None)
                if not self._group_ok(items, start, core.start, qualified):
                    continue
                related = any("liênquan" in canon_of_key(self._norms[k]) for k in range(core.start, end))
                category = self._group_category(items, related, issuer_category)
                if category == ALL_UNITS:  # "Hiệu trưởng các đơn vị": the title tells whose units
                    titles = [self._classes[k]["title"] for k in range(start, core.start) if self._classes[k].get("title")]
                    category = titles[0] if titles else category
                out.append(_Pending(self, start, end, category, "group", core.start))
                taken_until = end
                continue
            if core.category is None:
                continue
            end, _ = self._tail(core.end, core.category, after_name=True)
            end = self._name_before_colon(core, start, end, by_start)
            nxt = by_start.get(end)
            while nxt is not None and self._genitive(core, nxt):  # "Ban Cán sự Đảng UBND thành phố"
                end, _ = self._tail(nxt.end, nxt.category, after_name=True)
                nxt = by_start.get(end)
            mention = _Pending(self, start, end, core.category, "name", core.start)
            out.append(mention)
            taken_until = end
            if core.unit_sector:
                more = self._sector_list(end, by_start, mention)
                if more and not any("title" in self._classes[k] for k in range(start, core.start)):
                    mention.start_token = core.start  # "các Sở Công Thương, Tài chính": "các" is the list's
                out.extend(more)
                taken_until = max(taken_until, mention.end_token, *(m.end_token for m in more))
        return [c.public() for c in out]

    # -- steps ---------------------------------------------------------------
    def _builtin_matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        """(label, start, end) in doc tokens of the built-in core patterns, as spaCy's Matcher
        would find them (every length of a "+" run), read off the tags: the Matcher reads
        custom attributes a token at a time through Python, which was the stage's hot spot.

        unit_sector: unit + sector; unit_name: a title-case unit + one or more proper
        names; body; collective."""
        classes: list[dict[str, str | None]] = [{}] * len(doc)
        names = [False] * len(doc)
        for token, found, name in zip(self._tokens, self._classes, self._names):
            classes[token.i], names[token.i] = found, name
        matches = []
        for d, found in enumerate(classes):
            if "unit" in found:
                if d + 1 < len(doc) and "sector" in classes[d + 1]:
                    matches.append(("unit_sector", d, d + 2))
                if doc[d].is_title:
                    end = d + 1
                    while end < len(doc) and names[end]:
                        end += 1
                        matches.append(("unit_name", d, end))
            for label in ("body", "collective"):
                if label in found:
                    matches.append((label, d, d + 1))
        return matches

    def _cores(self, doc: Doc, tokens: list[Token]) -> list[_Core]:
        index = {t.i: n for n, t in enumerate(tokens)}
        matches = self._builtin_matches(doc)
        if len(self.matcher):
            matches += [(self.vocab.strings[match_id], start, end) for match_id, start, end in self.matcher(doc)]
        spans, labels_of = [], {}
        for label, start, end in matches:
            if start not in index or (end - 1) not in index:
                continue
            spans.append(doc[start:end])
            labels_of.setdefault((start, end), set()).add(label)
        cores = []
        chosen = filter_spans(spans)
        for span in sorted(chosen, key=lambda s: s.start):
            labels = labels_of[span.start, span.end]
            s, e = index[span.start], index[span.end - 1] + 1
            first = self._classes[s]
            head = canon_of_key(tokens[s].norm_)
            generic = tokens[s].text[:1].islower()
            pattern = next((lab for lab in labels if lab in self.pattern_categories), None)
            if pattern:
                core = _Core(s, e, "name", self.pattern_categories[pattern], head)
            elif "unit_sector" in labels:
                # a unit that is a body itself keeps its category: "Tiểu ban Truyền thông"
                category = first.get("body") or self._classes[s + 1]["sector"]
                core = _Core(s, e, "name", category, head, unit_sector=True)
            elif "unit_name" in labels:
                # a name cut off with the passage ("Sở Tài Chí") takes the sector it begins
                category = self._truncated(s + 1, "sector", end=e) or first.get("body") or first["unit"]
                core = _Core(s, e, "name", category, head)
            elif "collective" in labels:
                core = _Core(s, e, "group", first["collective"], head, standalone="body" in first)
            else:
                core = _Core(s, e, "name", first["body"], head)
            core.generic = generic
            cores.append(core)
        return cores

    def _is_quant(self, k: int) -> bool:
        return "quantifier" in self._classes[k] or bool(_NUMBER.match(self._tokens[k].text))

    def _is_level(self, k: int) -> bool:
        return 0 <= k < len(self._tokens) and "level" in self._classes[k]

    def _is_name(self, k: int) -> bool:
        return 0 <= k < len(self._tokens) and self._names[k]

    def _prefix(self, start: int, floor: int) -> int:
        """Grow left over quantifiers ("các", "tất cả", "100%") and titles ("Chủ tịch");
        a bare count ("5 cơ sở cách ly") describes, it does not address."""
        while start - 1 >= floor:
            k = start - 1
            text = self._tokens[k].text
            following = self._tokens[k + 1].text if k + 1 < len(self._tokens) else ""
            quant = "quantifier" in self._classes[k] or text.endswith("%") or (text.isdigit() and following == "%")
            if quant or "title" in self._classes[k]:
                start = k
            else:
                break
        return start

    def _tail(self, pos: int, category: str | None, after_name: bool = False) -> tuple[int, bool]:
        """Grow right over levels, proper names, a committee's purpose and qualifiers."""
        n = len(self._tokens)
        state = "place" if self._is_name(pos - 1) else "core"  # "Báo Bà Rịa" goes on with "- Vũng Tàu"
        qualified = False
        if category == STEERING and pos < n:
            match = _PURPOSE.match(self._text_from(pos))
            if match and match.group().strip():
                stop = self._tokens[pos].idx + match.end()
                while pos < n and self._tokens[pos].idx + len(self._tokens[pos].text) <= stop:
                    pos += 1
        while pos < n:
            norm = self._norms[pos]
            k = pos
            while k < n and self._is_quant(k) and self._is_level(k + 1):
                k += 1
            if self._is_level(k):
                pos, state = k + 1, "level"
                continue
            if state == "place" and norm in {"-", "–"} and self._is_name(pos + 1):
                pos += 2
                continue
            if state in ("level", "place") and (self._is_name(pos) or _NUMBER.match(self._tokens[pos].text)):
                pos, state = pos + 1, "place"
                continue
            if state == "core" and after_name and self._is_name(pos) and self._strong_name(pos):
                pos, state = pos + 1, "place"
                continue
            if state in ("level", "place") and norm in {",", "/", "và", ":"} and pos + 1 < n:
                nxt = pos + 1
                k = nxt
                while k < n and self._is_quant(k) and self._is_level(k + 1) and norm in {",", "/"}:
                    k += 1
                if self._is_level(k) and norm != ":" and not (norm == "và" and self._norms[k] == "địa phương"):
                    pos = nxt
                    continue
                if k == n - 1 and norm in {",", "/"} and self._truncated(k, "level") is not None:
                    return n, qualified
                if state == "place" or norm == ":":
                    if self._is_name(nxt) and norm != "/":
                        pos, state = nxt, "level"  # the next name continues the list of places
                        continue
                break
            if "qualifier" in self._classes[pos] and self._qualifier_ok(pos):
                pos, qualified = pos + 1, True
                continue
            if norm == "của" and self._is_level(pos + 1):
                pos, state = pos + 2, "level"
                continue
            if norm in {"thuộc", "trực thuộc"} and pos + 1 < n and self._classes[pos + 1].keys() & {"unit", "body"}:
                pos, state, qualified = pos + 2, "core", True  # "các phòng, ban thuộc Sở"
                continue
            if pos == n - 1 and state in ("level", "place") and self._truncated(pos, "level"):
                pos += 1  # the passage is cut off inside the last word: "UBND các xã, phư"
                continue
            break
        return pos, qualified

    def _truncated(self, start: int, *classes: str, end: int | None = None) -> str | None:
        """For tokens [start, end) that end the cut-off passage mid-word: the category
        (or "" for none) shared by the lexicon words of those classes they begin."""
        end = len(self._tokens) if end is None else end
        key = canon_of_key(" ".join(self._norms[start:end]))
        if len(key) < 3 or end != len(self._tokens) or self._text.rstrip()[-1:].isspace() or \
                not self._text.rstrip().endswith(self._tokens[end - 1].text):
            return None
        found = {cats.get(c) or "" for k, cats in self.lexicon.entries.items() if k.startswith(key) and k != key
                 for c in classes if c in cats}
        return found.pop() if len(found) == 1 else None

    def _qualifier_ok(self, pos: int) -> bool:
        if self._norms[pos] == "trên":  # "các cơ quan trên", not "trên địa bàn"
            return pos + 1 >= len(self._tokens) or not any(c.isalnum() for c in self._tokens[pos + 1].text)
        return True

    def _strong_name(self, pos: int) -> bool:
        text = self._tokens[pos].text
        words = re.findall(r"\w+", text)
        return len(words) >= 2 or (text.isupper() and len(text) >= 2)

    def _text_from(self, pos: int) -> str:
        return self._text[self._tokens[pos].idx:]

    def _run(self, first: _Core, by_start: dict[int, _Core], under_one_head: bool) -> tuple[list[_Core], int]:
        """Collective nouns joined by commas: "các sở, ban, ngành, đoàn thể". A new
        "các" starts a new phrase unless all nouns so far are catch-alls ("Các ngành,
        các cấp"); a generic named phrase joins when it shares the run's category, or
        a catch-all run under one "các" ("các ban, ngành, tổ chức chính trị - xã hội")."""
        items, end = [first], first.end
        n = len(self._tokens)
        while end < n and self._norms[end] in {",", "/"}:
            k, quantified = end + 1, False
            while k < n and self._is_quant(k) and (k + 1) in by_start:
                k, quantified = k + 1, True
            nxt = by_start.get(k)
            if nxt is None:
                break
            catch_all = all(i.category is None for i in items) and nxt.category is None
            if quantified and not (catch_all and nxt.kind == "group"):
                break
            run = {i.category for i in items}
            same = len(run) == 1 and nxt.category == items[0].category
            if not (nxt.kind == "group" or (nxt.generic and (same or (run == {None} and under_one_head)))):
                break
            if None not in run and nxt.category is not None and not same:
                break  # "các trường học, doanh nghiệp": two kinds of body, two mentions
            items.append(nxt)
            end = nxt.end
        return items, end

    def _sector_list(self, pos: int, by_start: dict[int, _Core], current: _Pending | None) -> list[_Pending]:
        """Sectors sharing the head before them. After "Sở Y tế": ", Công Thương" is
        a new mention (another category), ", Giáo dục" after "các trường mầm non"...
        (same category) stays in it. After "các sở:" every sector is a mention."""
        out: list[_Pending] = []
        n = len(self._tokens)
        while pos < n:
            sep = self._norms[pos]
            if sep not in {",", "và", ":"} or (sep == ":" and current is not None):
                break
            k = pos + 1
            if k >= n or "sector" not in self._classes[k] or k in by_start:
                break
            category = self._classes[k]["sector"]
            end, _ = self._tail(k + 1, category)
            if current is not None and sep == "," and category == current.category:
                current.end_token = end
            else:
                current = _Pending(self, k, end, category, "sector", k)
                out.append(current)
            pos = end
        return out

    def _name_before_colon(self, core: _Core, start: int, end: int, by_start: dict[int, _Core]) -> int:
        """A unit heading its paragraph takes the words up to the colon as its name
        ("Tiểu ban An ninh trật tự xã hội: Chỉ đạo ...")."""
        if "unit" not in self._classes[core.start] or (start > 0 and self._norms[start - 1] not in {"\n", "-", "+", "•"}):
            return end
        k = end
        while k < len(self._tokens) and k - end < 6 and self._norms[k] != ":":
            if k in by_start or "\n" in self._norms[k] or self._norms[k] in {".", ";", "("}:
                return end
            k += 1
        return k if k < len(self._tokens) and self._norms[k] == ":" else end

    def _genitive(self, core: _Core, nxt: _Core) -> bool:
        """A party or office body followed directly by the council it belongs to."""
        return (
            (nxt.kind == "name" or nxt.standalone)
            and nxt.category in {"local_government", "party"}
            and core.category in {"party", "office", "front_mass_orgs", "steering_committee"}
            and self._tokens[nxt.start].idx == self._tokens[nxt.start - 1].idx + len(self._tokens[nxt.start - 1].text) + 1
        )

    def _group_ok(self, items: list[_Core], start: int, core_start: int, qualified: bool) -> bool:
        """Is a run of collective nouns an addressee? "các địa phương", "Cơ quan, đơn
        vị", "đơn vị liên quan" are; "tổ chức" (the verb) or "huyện" alone are not."""
        quantified = start < core_start or any(
            i.head.startswith(("các", "từng", "cả", "tấtcả")) or (i.head.startswith("cấp") and i.head != "cấp")
            for i in items
        )
        categories = {i.category for i in items}
        if categories == {"local_government"}:
            return quantified or qualified
        first = self._tokens[items[0].start].text
        listed = "," in first or "/" in first or any(items[0].head.endswith(q) for q in self._qualifier_keys)
        return quantified or qualified or len(items) > 1 or any(i.standalone for i in items) or listed

    def _group_category(self, items: list[_Core], related: bool, issuer_category: str | None) -> str:
        heads = {i.head for i in items}
        own = all(i.head in _OWN_UNITS or i.category == issuer_category for i in items)
        if issuer_category in SECTOR_CATEGORIES and "đơnvị" in heads and own and not related:
            return issuer_category
        categories = {i.category for i in items}
        if len(categories) == 1 and None not in categories:
            return categories.pop()
        return ALL_UNITS


class _Pending:
    """A phrase in token indices, turned into a Candidate at the end."""

    def __init__(self, finder: MentionFinder, start: int, end: int, category: str, kind: str, core_start: int):
        self.tokens = finder._tokens
        self.text = finder._text
        self.start_token, self.end_token = start, end
        self.category, self.kind = category, kind
        self.core_start = core_start
        self.titled = any("title" in finder._classes[k] for k in range(start, core_start))

    def public(self) -> Candidate:
        first, last = self.tokens[self.start_token], self.tokens[self.end_token - 1]
        start, end = first.idx, last.idx + len(last.text)
        text = self.text
        core = self.tokens[self.core_start].idx
        return Candidate(start, end, text[start:end], self.category, self.kind, self.titled, text[core:end])
