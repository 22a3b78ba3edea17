"""The dispatch parser: normalised text → header and top-level task paragraphs (GUIDELINE §1, §4).

How a text is read:

1. Lines. Markdown decoration, table pipes and the search index's `date ...`
   prefix are removed; a photo credit glued to the next sentence is cut off.
2. Paragraphs. A line that goes on in lower case after a line without a full
   stop is the same paragraph broken by a page or a wrap: it is rejoined; so
   are the lines of a text hard-wrapped at a fixed width.
3. Zones. The printed header (issuer in capitals, `Số:`, date line, `V/v`,
   `Kính gửi:` list) and the footer (`Nơi nhận`, `TM.`/`KT.`, signer) are cut
   off; they feed the header fields, never the tasks.
4. Units. If the body numbers its items (`Điều 1.`, `1.`/`1)`/`1-`/`1/`,
   `Một là,`/`Thứ nhất:`, else `a)`, else `I.`), each item of that level is a
   unit, with its sub-items and continuation paragraphs, until the next item;
   `I.`/`A.` headings above it become `Paragraph.section`. Otherwise every
   paragraph after the lead-in that gives an instruction is a unit
   (`vntasks.pipeline.discourse` tells instructions from page wrappers, news
   leads, background and closing sentences).

Paragraph texts are the printed lines without the item's number, joined by
"\\n"; `start`/`end` is the span in the normalised text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vntasks.pipeline import discourse
from vntasks.pipeline import header as headers
from vntasks.pipeline.document import Dispatch, Header, Paragraph
from vntasks.pipeline.normalise import LOWER, UPPER, fold, normalise_text
from vntasks.pipeline.numbering import SECTION_KINDS, TOP_KINDS, Marker, read_marker

_INDEX_PREFIX = re.compile(r"^\s*(?:date\s+(\d{4}-\d{2}(?:-\d{2})?)|null)\s+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|^\*\s*$")
_GLUED_CREDIT = re.compile(rf"(?:Ảnh|ẢNH|Nguồn)\s*:\s*[{UPPER}][{UPPER} .,/-]*?[{UPPER}](?=[{UPPER}][{LOWER}])")
_LOWER_START = re.compile(rf"^[\"“(]?[{LOWER}]")
_HAS_LOWER = re.compile(rf"[{LOWER}]")
# The journalist going back to the issuer's voice after the numbered items:
# "UBND tỉnh cũng giao ...", "Ngoài ra, Chủ tịch UBND tỉnh yêu cầu ...".
_ISSUER = (
    r"(?:(?:phó\s+)?chủ tịch\s+)?(?:ubnd|ủy ban nhân dân|ban chỉ đạo|thường trực|ban thường vụ|tỉnh ủy|thành ủy|"
    r"huyện ủy|văn phòng ubnd)\b[^,.;:]{0,40}?"
)
_ISSUER_VOICE = re.compile(
    rf"^(?:(?:ngoài ra|bên cạnh đó|đồng thời|cùng với đó|mặt khác),?\s+{_ISSUER}\s(?:cũng\s+|còn\s+)?"
    rf"|{_ISSUER}\s(?:cũng|còn)\s+)(?:giao|yêu cầu|đề nghị|chỉ đạo)\b"
)
_AGENCY_START = re.compile(
    r"^(?:(?:ngoài ra|bên cạnh đó|đồng thời|cùng với đó|mặt khác),?\s+)?"
    r"(?:sở|ubnd|ủy ban|công an|trung tâm|phòng|ban|bộ|đài|báo|hội|đoàn|các|chủ tịch|giám đốc|thủ trưởng|"
    r"văn phòng|bệnh viện|cục|chi cục|ngành|lực lượng|bảo hiểm|liên đoàn|mặt trận|tổ|trạm|tiểu ban|giao|yêu cầu|"
    r"đề nghị)\b"
)


@dataclass
class _Line:
    start: int
    end: int
    text: str  # cleaned
    blank_before: bool
    piped: bool = False  # a table cell: in a web page, a photo caption


@dataclass
class _Para:
    lines: list[_Line]
    text: str
    marker: Marker | None = None
    body: str = ""  # text without the marker

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end


@dataclass
class _Unit:
    number: str
    section: str | None
    paras: list[_Para] = field(default_factory=list)


# ------------------------------------------------------------------ lines

def _clean(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub(r"\\([.\-*_()#\[\]])", r"\1", text)
    text = re.sub(r"^\s*(?:#{1,6}|>)\s+", "", text)
    text = text.strip().strip("|").strip()
    return text


def _lines(text: str) -> tuple[list[_Line], str | None]:
    """Cleaned non-empty lines with their spans, and the index's page date if any."""
    out: list[_Line] = []
    page_date = None
    pos = 0
    blank = True
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        if not out and (m := _INDEX_PREFIX.match(raw)):
            page_date = m.group(1)
            start += m.end()
            raw = raw[m.end():]
        cleaned = _clean(raw)
        if not cleaned:
            blank = True
            continue
        lead = len(raw) - len(raw.lstrip())
        s = start + lead
        e = start + len(raw.rstrip())
        # A photo credit glued to the next sentence: "Ảnh: THU HIẾNNgày 6-9, ...".
        cut = _GLUED_CREDIT.search(cleaned)
        if cut and cut.end() < len(cleaned):
            head, tail = cleaned[:cut.end()], cleaned[cut.end():]
            at = raw.find(tail)
            if at > 0:
                out.append(_Line(s, start + at, head, blank))
                out.append(_Line(start + at, e, tail, False))
                blank = False
                continue
        out.append(_Line(s, max(e, s), cleaned, blank, "|" in raw.strip()[:1] + raw.strip()[-1:]))
        blank = False
    return out, page_date


def _rejoins(prev: _Line, line: _Line) -> str | None:
    """How `line` continues `prev` when a page break or a wrap cut a paragraph: " ", "" or None."""
    if read_marker(line.text) is not None and not _LOWER_START.match(line.text):
        return None
    if re.search(r"[A-Za-zÀ-ỹĐđ]-$", prev.text) and not line.blank_before and line.text[:1].isalnum():
        return ""
    if _LOWER_START.match(line.text) and not re.search(r"[.!?;:…]\s*[\"'”)]*$", prev.text):
        marker = read_marker(line.text)
        if marker is not None and marker.kind in ("letter", "paren"):
            return None
        return " "
    return None


def _wrap_width(lines: list[_Line]) -> int | None:
    """The column a hard-wrapped text breaks at, or None when lines are whole paragraphs.

    In a wrapped text most lines run on without a full stop and have about the
    same length; a paragraph's last line is the shorter one.
    """
    runs = [len(a.text) for a, b in zip(lines, lines[1:])
            if not b.blank_before and not discourse.ends_sentence(a.text) and len(a.text) >= 40
            and read_marker(a.text) is None and read_marker(b.text) is None]
    if len(runs) < 3:
        return None
    runs.sort()
    median = runs[len(runs) // 2]
    close = sum(1 for n in runs if abs(n - median) <= 0.2 * median)
    return median if close >= 0.7 * len(runs) and 55 <= median <= 140 else None


def _paragraphs(lines: list[_Line]) -> list[_Para]:
    paras: list[_Para] = []
    width = _wrap_width(lines)
    for line in lines:
        if paras:
            glue = _rejoins(paras[-1].lines[-1], line)
            prev = paras[-1].lines[-1]
            if (glue is None and width and not line.blank_before and len(prev.text) >= 0.75 * width
                    and not discourse.ends_sentence(prev.text) and read_marker(line.text) is None):
                glue = " "  # a hard wrap before a capital: "... chỉ đạo" / "UBND cấp xã ..."
            if glue is not None:
                last = paras[-1]
                last.lines.append(line)
                last.text = last.text + glue + line.text
                continue
        paras.append(_Para([line], line.text))
    for para in paras:
        para.marker = read_marker(para.text)
        para.body = para.text[para.marker.end:] if para.marker else para.text
    return paras


# ------------------------------------------------------------------ zones

def _header_end(paras: list[_Para]) -> int:
    """Index of the first paragraph after the printed header (0 when there is none)."""
    found = 0
    end = 0
    in_recipients = False
    for i, para in enumerate(paras[:40]):
        key = fold(para.text)
        if headers.TO_LINE.match(key):
            found += 2
            end = i + 1
            in_recipients = True
            continue
        if in_recipients:
            if para.marker and para.marker.kind == "bullet":
                end = i + 1
                continue
            in_recipients = False
            if para.text.isupper():  # "HỎA TỐC"
                end = i + 1
            break
        if (headers.MOTTO.match(key) or headers.NUMBER_LINE.match(key) or headers.VV_LINE.match(key)
                or headers.DATE_LINE.match(key)):
            found += 1
            end = i + 1
        elif found and (para.text.isupper() or len(para.text) < 120 and not discourse.ends_sentence(para.text)
                        and para.marker is None):
            if i - end < 3:
                end = i + 1
        elif found >= 1 and para.marker is not None and para.marker.kind in TOP_KINDS:
            break
        elif found == 0 and (i > 12 or discourse.ends_sentence(para.text) and len(para.text) > 120):
            break  # prose before any header line: there is no printed header at the top
        elif found and discourse.ends_sentence(para.text) and len(para.text) > 120:
            break
    if found == 0:
        return 0
    return end


def _footer_start(paras: list[_Para], after: int) -> int:
    for i in range(after, len(paras)):
        key = fold(paras[i].text)
        if headers.FOOTER_LINE.match(key) and len(paras[i].text) < 80:
            return i
    return len(paras)


# ------------------------------------------------------------------ units

def _top_level(body: list[_Para]) -> tuple[str, str] | None:
    """(kind, style) of the markers that number the units, or None for an unmarked body."""
    markers = [p.marker for p in body if p.marker is not None]
    for kinds in (("article",), ("arabic", "word")):
        for marker in markers:
            if marker.kind in kinds:
                return marker.kind, marker.style
    for kinds in (("letter",), ("roman",)):
        for marker in markers:
            if marker.kind in kinds:
                return marker.kind, marker.style
    return None


def _is_furniture(para: _Para, last: bool) -> bool:
    """Page wrappers: captions, boilerplate, bylines, headlines and date lines."""
    text = para.text
    if any(line.piped for line in para.lines) or discourse.is_repeated(text):
        return True
    if discourse.is_caption(text) or discourse.is_boilerplate(text):
        return True
    if last:
        return discourse.is_byline(text) or not _HAS_LOWER.search(text)
    if not discourse.ends_sentence(text):
        # A headline or a caption; a long paragraph is prose even without a full stop.
        return len(discourse.sentences(text)) < 2 and len(text) < 200
    return False


def _is_heading(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 15 and text.isupper() and not discourse.ends_sentence(text.rstrip(":"))


def _numbered_units(body: list[_Para], kind: str, style: str) -> list[_Unit]:
    units: list[_Unit] = []
    current: _Unit | None = None
    section: str | None = None
    for i, para in enumerate(body):
        marker = para.marker
        last = i == len(body) - 1
        if marker is not None and marker.kind == kind and (marker.style == style or kind != "arabic"):
            current = _Unit(marker.number, section, [para])
            units.append(current)
            continue
        if marker is not None and marker.kind in SECTION_KINDS and kind not in SECTION_KINDS:
            section = para.body.strip() or para.text
            current = None
            continue
        if marker is None and _is_heading(para.text) and units:
            section = para.text.strip()  # a heading in capitals with no numeral: "NHIỆM VỤ CỤ THỂ"
            current = None
            continue
        if current is None:
            continue
        own = para.body if marker is not None and marker.kind == "bullet" else para.text
        if discourse.is_boilerplate(own) or discourse.is_caption(own) or any(line.piped for line in para.lines):
            current = None if discourse.is_boilerplate(own) else current
            continue
        if marker is None or marker.kind not in ("letter", "paren", "decimal", "bullet", "arabic", "word"):
            if discourse.is_closing(para.text):
                current = None
                continue
            if _ISSUER_VOICE.match(fold(para.text)):
                current = _Unit("", section, [para])
                units.append(current)
                continue
            if not discourse.instructs(para.text) and any(discourse.is_report(s) for s in discourse.sentences(para.text)):
                current = None  # the news story goes on after the list: background, figures
                continue
            if _is_furniture(para, last) and not last:
                continue
            if last and discourse.is_byline(para.text):
                continue
        current.paras.append(para)
    return units


def _unmarked_units(body: list[_Para]) -> list[_Unit]:
    units: list[_Unit] = []
    absorbing: _Unit | None = None  # a unit whose last sentence announced a list ("Cụ thể như sau:")
    top_bullet: str | None = None  # the sign of bullets that are units; others under them are sub-items
    previous: _Unit | None = None
    for i, para in enumerate(body):
        last = i == len(body) - 1
        bullet = para.marker.style if para.marker and para.marker.kind == "bullet" else None
        text = para.body if bullet else para.text
        if (bullet and top_bullet and bullet != top_bullet and previous is not None and units
                and units[-1] is previous and not _is_furniture(para, last)):
            previous.paras.append(para)  # "+ ..." under a "- ..." unit
            continue
        if (last and absorbing is None and _cut_off_item(text) and not discourse.is_caption(text)
                and not discourse.is_boilerplate(text)):
            units.append(_Unit("", None, [para]))
            continue
        if _is_furniture(para, last) or discourse.is_closing(text):
            continue
        key = fold(text)
        if absorbing is not None and discourse.directed_order(text) is None and not _AGENCY_START.match(key):
            absorbing.paras.append(para)
            continue
        absorbing = None
        if discourse.is_sapo(text):
            continue
        if re.search(r":\s*[\"'”)]*\s*$", text):  # a lead-in, or a unit that announces its details
            if discourse.instructs(text, lead=True):
                unit = _Unit("", None, [para])
                units.append(unit)
                absorbing = unit
            continue
        if discourse.instructs(text):
            previous = _Unit("", None, [para])
            units.append(previous)
            if bullet and top_bullet is None:
                top_bullet = bullet
        else:
            previous = None
    return _drop_repeated_leads(units)


def _cut_off_item(text: str) -> bool:
    """The passage's last paragraph, cut mid-item: "Sở Tài Chí", "Tuyên truy", "Các cơ quan thông tin của"."""
    if discourse.ends_sentence(text) or any(discourse.is_report(s) for s in discourse.sentences(text)):
        return False
    key = fold(text)
    words = text.split()
    return (bool(_AGENCY_START.match(key)) or discourse.has_cue(text)
            or len(words) <= 3 and any(w[:1].islower() for w in words))


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", fold(text))
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def _drop_repeated_leads(units: list[_Unit]) -> list[_Unit]:
    """A news lead that the body goes on to repeat is not a unit of its own."""
    keep: list[_Unit] = []
    for i, unit in enumerate(units):
        text = " ".join(p.text for p in unit.paras)
        grams = _trigrams(text)
        if i < 2 and len(grams) >= 4 and len(discourse.sentences(text)) <= 2:
            repeated = 0.0
            for later in units[i + 1:]:
                other = " ".join(p.text for p in later.paras)
                if len(other) > len(text) * 1.1:
                    repeated = max(repeated, len(grams & _trigrams(other)) / len(grams))
            if repeated >= 0.5:
                continue
        keep.append(unit)
    return keep


def _unit_paragraph(unit: _Unit) -> Paragraph:
    first = unit.paras[0]
    pieces = [first.body if first.marker and first.marker.kind in TOP_KINDS + ("letter", "roman", "bullet")
              else first.text]
    pieces += [p.text for p in unit.paras[1:]]
    text = "\n".join(piece.strip() for piece in pieces if piece.strip())
    return Paragraph(number=unit.number, text=text, section=unit.section, start=first.start, end=unit.paras[-1].end)


# ------------------------------------------------------------------ entry points

def segment(text: str) -> tuple[Header, list[Paragraph]]:
    """Header fields and top-level task paragraphs of a dispatch.

    Offsets are into `normalise_text(text)` (what `Dispatch.text` holds).
    Never raises on text; a text with no recognisable body gives no paragraphs.
    """
    text = normalise_text(text)
    lines, page_date = _lines(text)
    paras = _paragraphs(lines)
    head_end = _header_end(paras)
    foot = _footer_start(paras, head_end)
    body = paras[head_end:foot]

    top = _top_level(body)
    if top is not None:
        units = _numbered_units(body, *top)
    else:
        units = _unmarked_units(body)
    paragraphs = [p for p in (_unit_paragraph(u) for u in units) if p.text]

    header = _read_header(text, paras, head_end, foot, body, page_date)
    return header, paragraphs


def _read_header(text: str, paras: list[_Para], head_end: int, foot: int, body: list[_Para],
                 page_date: str | None) -> Header:
    header = Header()
    if head_end:
        printed: list[str] = []
        for para in paras[:head_end]:
            for line in para.lines:
                if line.blank_before:
                    printed.append("")
                printed.append(line.text)
        headers.read_printed_header(printed, header)
    if foot < len(paras):
        header.signer = headers.read_footer([line.text for p in paras[foot:] for line in p.lines])
    year = None
    if page_date:
        year = int(page_date[:4])
    else:
        year = headers.page_year([p.text for p in paras[:6]]) or headers.common_year(text)
    if head_end:
        headers.complete_from_body(header, [p.text for p in body], year)
    else:
        headers.read_news_header([p.text for p in paras[:foot]], header, year)
    return header


class Segmenter:
    """Pipeline stage: `doc.text` → `doc.header`, `doc.paragraphs`."""

    name = "segment"
    requires = frozenset({"text"})
    provides = frozenset({"header", "paragraphs"})

    def __call__(self, doc: Dispatch) -> Dispatch:
        doc.header, doc.paragraphs = segment(doc.text or "")
        return doc
