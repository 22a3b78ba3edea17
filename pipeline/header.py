"""Header fields of a dispatch (GUIDELINE §4).

Two sources, tried in this order for each field:

- the printed header and footer: the issuer block in capitals, `Số:`, the
  `..., ngày .. tháng .. năm ....` line, `V/v`, `Kính gửi:` and the signer
  under `TM.`/`KT.`;
- for a dispatch reposted on a web page, the news sentences that report it:
  "Ngày 5/8/2021, UBND tỉnh vừa có Công văn số 7341/UBND-KGVX về việc ...",
  "Theo đó, UBND tỉnh yêu cầu ...".

Values are kept as printed (markdown, bullets and the closing `;`/`.` of a
list line removed); only the issuer from a header in capitals is re-cased
("ỦY BAN NHÂN DÂN / THÀNH PHỐ BẮC KẠN" → "UBND thành phố Bắc Kạn").
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from vntasks.pipeline.document import Header
from vntasks.pipeline.normalise import LOWER, UPPER, fold

MOTTO = re.compile(r"^(cộng hòa xã hội chủ nghĩa|độc lập\s*[-–]\s*tự do|đảng cộng sản việt nam|việt nam\s*$)")
NUMBER_LINE = re.compile(r"^số\s*[:.]?\s*(?=[\d/])")
VV_LINE = re.compile(r"^v/v\b\s*[.:]?\s*")
DATE_LINE = re.compile(r"^[^,\n]{0,60},\s*ngày\b[^\n]{0,20}?tháng\b[^\n]{0,12}?năm\s*\d{4}")
TO_LINE = re.compile(r"^[-–]?\s*kính gửi\s*:?\s*")
FOOTER_LINE = re.compile(r"^(nơi nhận|tm\.?\s|t/m\b|kt\.?\s|tl\.\s|q\.\s|gửi bản|lưu\s*:)")
_TITLE_LINE = re.compile(
    r"^(tm\.?|t/m|kt\.?|tl\.?|q\.)?\s*(phó\s+)?(chủ tịch|bí thư|giám đốc|trưởng ban|chánh văn phòng|"
    r"thủ trưởng|trưởng phòng|ủy ban nhân dân|ban thường vụ|ban chỉ đạo)\b"
)
_FORMAL_DATE = re.compile(r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})")
_SHORT_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])")
_PAGE_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/])|(\d{4})-(\d{2})(?:-(\d{2}))?")
_YEAR = re.compile(r"(?<![\d/.-])(?:\d{1,2}\s*[/.-]\s*){1,2}((?:19|20)\d{2})(?!\d)|năm\s+((?:19|20)\d{2})\b")

_ADMIN = ("thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "xã", "phường")
_ORG_HEAD = (
    r"(?:Văn phòng (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)|Ủy ban nhân dân|Uỷ ban nhân dân|UBND|"
    r"[Ss]ở|Ban [Cc]hỉ đạo|Ban Thường vụ|Ban thường vụ|Thường trực|Tỉnh [uủ]ỷ?|Thành [uủ]ỷ?|Huyện [uủ]ỷ?|"
    r"Tỉnh ủy|Thành ủy|Huyện ủy|Tỉnh uỷ|Thành uỷ|Huyện uỷ|Công an|Trung tâm|Bộ|Cục|Chi cục|Phòng|Hội)"
)
_TITLES = r"(?:(?:Phó |Quyền )?(?:Chủ tịch|Giám đốc|Trưởng ban|Bí thư|Chánh Văn phòng|Trưởng phòng)\s+)"
_VERBS = (
    r"(?:(?:vừa|đã|cũng|trân trọng|tiếp tục|mới|chính thức|khẩn trương|vừa qua)\s+)*"
    r"(?:ban hành|có|ký|ra|gửi|phát đi|yêu cầu|đề nghị|chỉ đạo|giao|quyết định|đồng ý|thống nhất|"
    r"thông báo|truyền đạt|nhấn mạnh|cho biết|lưu ý|chủ trương)\b"
)
_ISSUE_VERB = re.compile(r"^(?:(?:vừa|đã|cũng|mới)\s+)*(?:ban hành|có|ký|ra|gửi|phát đi)\s+(?:\w+\s+){0,2}?"
                         r"(?:công văn|văn bản|chỉ thị|quyết định|công điện|kế hoạch|thông báo|nghị quyết)\b")
_DOC = r"(?:công văn|văn bản|chỉ thị|quyết định|công điện|kế hoạch|thông báo|nghị quyết|hướng dẫn)"
_DOC_NUMBER = re.compile(
    rf"\b{_DOC}\s+(?:(?:hỏa tốc|hoả tốc|khẩn|văn)\s+)*(?:số\s*:?\s*)?(\d[\w–/.-]*(?:\s*[/–-]\s*[\wđ&.]+)*(?:\s+[a-zđ]{{2,}}/[a-zđ]+)?)"
)
_OF = re.compile(r"\bcủa\s+")
_SUBJECT_STOP = re.compile(
    r"(?:\.\s|\.$|\s\((?:công văn|văn bản|quyết định)|\s+tại\s+(?:công văn|văn bản)|[,;]\s*(?:trong đó|theo đó|yêu cầu|"
    r"đề nghị|gửi|nêu rõ)\b|\s+gửi\s)"
)
_CITED = re.compile(r"\b(thực hiện|căn cứ|theo|tại|triển khai)\s+(?:\S+\s+){0,2}?$")
_SURNAMES = set(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đoàn Đinh Trương Lâm Mai Cao "
    "Hà Lưu Tạ Châu Tô Trịnh Lương Đàm Cù Thái Văn Kiều Quách Triệu Lại Hứa Chu Mạc Từ Vương Tăng Khổng "
    "Nông Lò Hầu Thân Giang Kim Lưu Mạch Phùng Tôn Thạch Diệp Âu Đồng".split()
)


# ---------------------------------------------------------------- helpers

def _clean_value(text: str) -> str:
    text = re.sub(r"^\s*[-–+•]\s*", "", text)
    text = text.strip().rstrip(" ;,.").strip()
    return re.sub(r"\s+", " ", text)


def _join(lines: Sequence[str]) -> str:
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if re.search(r"\w-$", out):  # "237/TB-" + "VPCP"
            out += line
        else:
            out = f"{out} {line}" if out else line
    return out


def _iso(year: str | int, month: str | int | None, day: str | int | None) -> str | None:
    try:
        y = int(year)
        if not month:
            return None
        m = int(month)
        if not 1 <= m <= 12 or not 1900 <= y <= 2100:
            return None
        if not day:
            return f"{y:04d}-{m:02d}"
        d = int(day)
        return f"{y:04d}-{m:02d}-{d:02d}" if 1 <= d <= 31 else f"{y:04d}-{m:02d}"
    except ValueError:
        return None


def formal_date(text: str) -> str | None:
    """`ngày 01 tháng 9 năm 2021` → 2021-09-01; a blank day gives 2021-09."""
    m = _FORMAL_DATE.search(fold(text))
    return _iso(m.group(3), m.group(2), m.group(1)) if m else None


def page_year(lines: Sequence[str]) -> int | None:
    """The year of the page's own date line (or of the search index's `date 2021-07`)."""
    for line in lines[:8]:
        m = _PAGE_DATE.search(line)
        if m:
            return int(m.group(3) or m.group(4))
    return None


def common_year(text: str) -> int | None:
    """The year most often printed in full in `text`, to complete a `Ngày 5/8` date."""
    years = Counter(int(m.group(1) or m.group(2)) for m in _YEAR.finditer(fold(text)))
    return years.most_common(1)[0][0] if years else None


def _number(raw: str) -> str:
    """`1693 /UBND-VP` → `1693/UBND-VP`; a blank number (`/UBND-VP`) → ``."""
    raw = raw.replace("–", "-").strip().rstrip(".,;")
    m = re.match(r"(\d*)\s*((?:\s*[/-]\s*[\wĐđ&.]+)*)(?:\s+([A-ZĐ]{2,}/[A-ZĐ]+))?", raw)
    if not m or not m.group(1):
        return ""
    suffix = re.sub(r"\s*([/-])\s*", r"\1", m.group(2)).rstrip(".")
    extra = f" {m.group(3)}" if m.group(3) and not suffix else ""
    return m.group(1) + suffix + extra


def _title_case(words: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() or w.islower() else w for w in words.split())


def issuer_from_capitals(lines: Sequence[str]) -> str | None:
    """The issuer block in capitals, re-cased: "UBND thành phố Bắc Kạn", "Thành ủy Bắc Kạn"."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return None
    # "ĐẢNG BỘ TỈNH X / THÀNH ỦY X": the last line that names a body is the issuer.
    last = lines[-1]
    if len(lines) > 1 and fold(last).startswith(_ADMIN):
        name = f"{lines[-2]} {last}"
    else:
        name = last
    key = fold(name)
    key_words = key.split()
    words = name.split()
    out: list[str] = []
    i = 0
    if key.startswith(("ủy ban nhân dân", "uỷ ban nhân dân")):
        out.append("UBND")
        i = 4
    while i < len(words):
        rest = " ".join(key_words[i:])
        level = next((a for a in _ADMIN if rest.startswith(a + " ") or rest == a), None)
        if level:
            n = len(level.split())
            out.append(level)
            out.append(_title_case(" ".join(words[i + n:])))
            break
        word = words[i]
        if not out:
            out.append(word[:1].upper() + word[1:].lower())
        elif out[-1].lower() in ("và", "-") or out[-1] in ("Sở", "Ban", "Phòng", "Bộ", "Trung", "Thành", "Tỉnh", "Huyện"):
            out.append(word[:1].upper() + word[1:].lower() if word.lower() != "và" else "và")
        else:
            out.append(word.lower() if word.isupper() and not any(c.isdigit() for c in word) else word)
        i += 1
    return " ".join(p for p in out if p) or None


def _split_recipients(text: str) -> list[str]:
    text = _clean_value(text)
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    else:
        parts = re.split(
            r",\s+(?=(?:các|cùng|UBND|Ủy ban|Uỷ ban|Sở|Thủ trưởng|Chủ tịch|Giám đốc|Ban)\b)|\s+và\s+(?=(?:các|UBND|Ủy ban|Uỷ ban)\b)",
            text,
        )
    out = [_clean_value(re.sub(r"^(?:cùng|và)\s+", "", p.strip())) for p in parts]
    return [p for p in out if p]


# ---------------------------------------------------------- printed header

def read_printed_header(lines: Sequence[str], header: Header) -> None:
    """Fill fields from the printed header lines (blank lines as "")."""
    i = 0
    issuer_lines: list[str] = []
    seen_other = False
    subject_candidates: list[list[str]] = []
    while i < len(lines):
        line = lines[i].strip()
        key = fold(line)
        if not line:
            i += 1
            continue
        if MOTTO.match(key):
            seen_other = True
        elif NUMBER_LINE.match(key):
            seen_other = True
            header.number = _number(line[NUMBER_LINE.match(key).end():])
            # "Số: ... \n V/v ..." may share the block; so may a subject printed without V/v.
            block = []
            j = i + 1
            while j < len(lines) and lines[j].strip() and not VV_LINE.match(fold(lines[j].strip())):
                block.append(lines[j])
                j += 1
            if block and not any(MOTTO.match(fold(b.strip())) or DATE_LINE.match(fold(b.strip())) for b in block):
                subject_candidates.append(block)
                i = j
                continue
        elif VV_LINE.match(key):
            seen_other = True
            block = [line[VV_LINE.match(key).end():]]
            j = i + 1
            while j < len(lines) and lines[j].strip() and not DATE_LINE.match(fold(lines[j].strip())):
                block.append(lines[j])
                j += 1
            header.subject = _join(block).rstrip(" .") or None
            i = j
            continue
        elif DATE_LINE.match(key):
            seen_other = True
            header.date = formal_date(line) or header.date
        elif TO_LINE.match(key):
            seen_other = True
            inline = line[TO_LINE.match(key).end():]
            recipients: list[str] = []
            j = i + 1
            while j < len(lines):
                nxt = lines[j].strip()
                if not nxt:
                    j += 1
                    continue
                if re.match(r"^[-–+•]\s*", nxt) and not TO_LINE.match(fold(nxt)):
                    value = _clean_value(nxt)
                    if value:
                        recipients.append(value)
                    j += 1
                    continue
                break
            if not recipients:
                recipients = _split_recipients(inline)
            header.recipients = recipients or None
            i = j
            continue
        elif not seen_other and line.upper() == line and any(c.isalpha() for c in line):
            issuer_lines.append(line)
        elif seen_other and header.subject is None and not line.isupper():
            subject_candidates.append([line])
        i += 1
    if issuer_lines:
        header.issuer = issuer_from_capitals(issuer_lines)
    if header.subject is None:
        for block in subject_candidates:
            text = _join(block)
            if text and len(text) < 250 and not text.endswith(":"):
                header.subject = text.rstrip(" .")
                break


def read_footer(lines: Sequence[str]) -> str | None:
    """The signer: the name printed under the `TM.`/`KT.`/`CHỦ TỊCH` block."""
    after_title = False
    for line in lines:
        line = line.strip()
        if not line:
            continue
        key = fold(line)
        if _TITLE_LINE.match(key):
            after_title = True
            continue
        if after_title and _looks_like_name(line):
            return line
    return None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or any(c.isdigit() for c in text) or re.search(r"[:;,.()/]", text):
        return False
    return all(w[0].isupper() for w in words)


# ------------------------------------------------------------- news report

_ORG = re.compile(
    rf"(?:(?<=^)|(?<=[\s,(]))(?:{_TITLES})?(?P<org>{_ORG_HEAD}(?:[ \t]+[^\s,.;:()]+|,[ \t]+[A-ZĐ][^\s,.;:()]*|[ \t]+\([^()]*\)){{0,14}}?)"
    rf"[ \t,]+(?P<verb>{_VERBS})"
)


def _split_person(org: str) -> tuple[str, str | None]:
    """"UBND tỉnh Hà Tĩnh Võ Trọng Hải" → ("UBND tỉnh Hà Tĩnh", "Võ Trọng Hải")."""
    words = org.split()
    for k in range(2, len(words) - 1):
        if words[k] in _SURNAMES and all(w[:1].isupper() for w in words[k:]) and 2 <= len(words) - k <= 4:
            if words[k - 1][:1].isupper() and fold(words[k - 1]) not in ("ubnd",):
                return " ".join(words[:k]), " ".join(words[k:])
    return org, None


def _clean_org(org: str) -> str:
    org = re.sub(r"\s*\([^()]*\)\s*$", "", org.strip())
    org = re.sub(r",?\s*(?:Trưởng|Phó|Chủ tịch|Giám đốc)\b.*$", "", org)
    return org.strip(" ,–-")


def _news_issuer(sentence: str) -> tuple[str, str | None, re.Match[str]] | None:
    for m in _ORG.finditer(sentence):
        org, person = _split_person(_clean_org(m.group("org")))
        if len(org.split()) < 2 or fold(org) in ("phòng chuyên môn",):
            continue
        before = fold(sentence[:m.start()])
        if re.search(r"\b(của|theo|thực hiện|căn cứ|với|cho|và|gửi)\s*$", before):
            continue
        return org, person, m
    return None


def read_news_header(paragraphs: Sequence[str], header: Header, year: int | None) -> None:
    """Fill the fields still empty from the sentences that report the dispatch."""
    for text in paragraphs:
        for sentence in re.split(rf"(?<=[.!?])\s+(?=[{UPPER}(])", text):
            _read_sentence(sentence, header, year)
        if header.issuer and header.subject and header.number is not None and header.date:
            break
    if header.subject is None:
        for text in paragraphs[:3]:
            key = fold(text)
            if key.startswith("về ") and not text.rstrip().endswith((".", ":")):
                header.subject = text.strip()[3:].strip()
                break


def _read_sentence(sentence: str, header: Header, year: int | None) -> None:
    key = fold(sentence)
    found = _news_issuer(sentence)
    issue_at = None
    if found:
        org, person, m = found
        verb_key = fold(m.group("verb"))
        issuing = bool(_ISSUE_VERB.match(fold(sentence[m.start("verb"):])))
        if header.issuer is None:
            header.issuer = org
            if person and issuing and header.signer is None:
                header.signer = person
            if header.date is None:
                header.date = _date_before(sentence[:m.start()], year)
        if issuing or verb_key.endswith(("thông báo", "truyền đạt")):
            issue_at = m.start("verb")
    # A headline like "Văn bản Số 338/UBND-KGVX của UBND tỉnh Bắc Ninh".
    if header.issuer is None:
        doc = re.match(rf"^\s*{_DOC}\b[^.]*?\bcủa\s+", key)
        if doc:
            rest = sentence[doc.end():]
            om = re.match(rf"{_ORG_HEAD}(?:\s+[^\s,.;:()]+){{0,8}}?(?=\s+(?:về|v/v|Về)\b|[.,;]|$)", rest)
            if om:
                header.issuer = _clean_org(om.group(0))
            issue_at = 0
    if issue_at is None:
        if header.number is None and (pm := re.search(rf"\((?:theo\s+)?{_DOC}\s+số\s*:?\s*([^,)]+)(?:,\s*ngày\s*([^)]+))?\)", key)):
            header.number = _number(sentence[pm.start(1):pm.end(1)])
            if header.date is None and pm.group(2):
                header.date = _short_date(pm.group(2), year)
        if header.number is None and (tm := re.search(rf"\btại\s+{_DOC}\s+số\s*:?\s*([^,]+?)(?:,\s*ngày\s*(\S+))?[.,;)]", key)):
            header.number = _number(sentence[tm.start(1):tm.end(1)])
            if header.date is None and tm.group(2):
                header.date = _short_date(tm.group(2), year)
        if header.subject is None and re.search(r"\b(truyền đạt|thông báo)\s+ý kiến\b", key):
            am = re.search(r"\bvề (?:việc )?", key)
            if am:
                header.subject = _subject(sentence[am.end():])
        return
    tail_key = key[issue_at:]
    dm = _DOC_NUMBER.search(tail_key)
    if dm and _CITED.search(key[:issue_at + dm.start()]) is None:
        if header.number is None:
            header.number = _number(sentence[issue_at + dm.start(1):issue_at + dm.end(1)])
        after = key[issue_at + dm.end():]
        if header.date is None and (da := re.match(r"\s*,?\s*(?:ngày|,)\s*(\d[\d/.\s-]*\d)", after)):
            header.date = _short_date(da.group(1), year)
    elif dm is None and header.date is None:
        pass
    if header.date is None and (da := re.search(r"ban hành\s+(?:ngày|vào ngày)\s*(\d[\d/.\s-]*\d)", tail_key)):
        header.date = _short_date(da.group(1), year)
    if header.subject is None:
        start = issue_at
        while True:
            am = re.search(r"\b(về việc|v/v|về)\s+", key[start:])
            if not am:
                break
            at = start + am.start()
            if not _CITED.search(key[max(0, at - 80):at]) or "ban hành" in key[issue_at:at]:
                header.subject = _subject(sentence[start + am.end():])
                break
            start = start + am.end()
        if header.subject is None:
            vm = re.search(rf"\b{_DOC}\b(?:\s+(?:hỏa tốc|khẩn))?(?:\s+số\s*:?\s*\S+)?\s+(?!số\b|yêu cầu|đề nghị|chỉ đạo|gửi|giao|của|ngày|tại|này|trên|đó)(?=[{LOWER}])", key[issue_at:])
            if vm:
                header.subject = _subject(sentence[issue_at + vm.end():])
    if header.recipients is None:
        rm = re.search(r"\b(gửi|đề nghị|chỉ đạo)\s+(?=\S)", key[issue_at:])
        if rm:
            begin = issue_at + rm.end()
            stop = re.search(r"\s+(về việc|v/v|về)\b|,\s*(nêu rõ|yêu cầu|đề nghị)\b|[.:]\s|[.:]$", key[begin:])
            if stop and (rm.group(1) == "gửi" or stop.group(1)):
                header.recipients = _split_recipients(sentence[begin:begin + stop.start()]) or None
            elif rm.group(1) == "gửi":
                cue = re.search(r"\s(tăng cường|triển khai|thực hiện|tổ chức|khẩn trương)\b", key[begin:])
                if cue:
                    header.recipients = _split_recipients(sentence[begin:begin + cue.start()]) or None


def _subject(text: str) -> str | None:
    stop = _SUBJECT_STOP.search(fold(text))
    value = text[:stop.start()] if stop else text
    value = value.strip().rstrip(" .;,")
    return value or None


def _short_date(text: str, year: int | None) -> str | None:
    if m := _FORMAL_DATE.search(fold(text)):
        return _iso(m.group(3), m.group(2), m.group(1))
    m = _SHORT_DATE.search(text)
    if not m:
        return None
    y = m.group(3) or year
    return _iso(y, m.group(2), m.group(1)) if y else None


def _date_before(text: str, year: int | None) -> str | None:
    """A date printed just before the issuer: "Ngày 21/01/2021, Chủ tịch ...", "sáng 15-2, ..."."""
    tail = text[-45:]
    m = None
    for m in _SHORT_DATE.finditer(tail):
        pass
    if not m:
        fm = _FORMAL_DATE.search(fold(tail))
        return _iso(fm.group(3), fm.group(2), fm.group(1)) if fm else None
    if not re.search(r"\b(ngày|sáng|chiều|tối|trưa|nay)\s*(nay\s*)?$", fold(tail[:m.start()])):
        return None
    y = m.group(3) or year
    return _iso(y, m.group(2), m.group(1)) if y else None


def complete_from_body(header: Header, body: Sequence[str]) -> None:
    """A printed issuer without its place ("ỦY BAN NHÂN DÂN") takes the fuller name the body uses."""
    if header.issuer and fold(header.issuer) in ("ubnd", "ủy ban nhân dân"):
        header.issuer = None
        probe = Header()
        read_news_header(body, probe, None)
        header.issuer = probe.issuer or "UBND"
