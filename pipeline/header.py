"""Header fields of a dispatch (GUIDELINE §4).

Two sources; the printed one wins where both give a field:

- the printed header and footer: the issuer block in capitals, `Số:`, the
  `..., ngày .. tháng .. năm ....` line, `V/v`, `Kính gửi:` and the signer
  under `TM.`/`KT.`;
- for a dispatch reposted on a web page, the news sentences that report it:
  "Ngày 5/8/2021, UBND tỉnh vừa có Công văn số 7341/UBND-KGVX về việc ...",
  "Theo đó, UBND tỉnh yêu cầu ...".

Values are kept as printed (markdown, bullets and a list line's closing `;`
or `.` removed). Only an issuer printed in capitals is re-cased
("ỦY BAN NHÂN DÂN / THÀNH PHỐ BẮC KẠN" → "UBND thành phố Bắc Kạn").
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from vntasks.pipeline.discourse import sentences
from vntasks.pipeline.document import Header
from vntasks.pipeline.normalise import LOWER, UPPER, fold

MOTTO = re.compile(r"^(cộng hòa xã hội chủ nghĩa|độc lập\s*[-–]\s*tự do|đảng cộng sản việt nam|việt nam\s*$)")
NUMBER_LINE = re.compile(r"^số\s*[:.]?\s*(?=[\d/])")
VV_LINE = re.compile(r"^(?:v/v|về việc)\b\s*[.:]?\s*")
# Capital lines that name the kind of document or its urgency, not who issued it.
_DOC_KIND = re.compile(r"^(công điện|chỉ thị|quyết định|kế hoạch|thông báo|công văn|hỏa tốc|hoả tốc|khẩn|thượng khẩn|"
                       r"mật|tối mật)\b")
DATE_LINE = re.compile(r"^[^,\n]{0,60},\s*ngày\b[^\n]{0,20}?tháng\b[^\n]{0,12}?năm\s*\d{4}")
TO_LINE = re.compile(r"^[-–]?\s*(?:kính gửi\s*:?|[^:\n]{0,60}\bđiện\s*:)\s*")
FOOTER_LINE = re.compile(r"^(nơi nhận|tm\.?\s|t/m\b|kt\.?\s|tl\.\s|q\.\s|gửi bản|lưu\s*:)")
_TITLE_LINE = re.compile(
    r"^(tm\.?|t/m|kt\.?|tl\.?|q\.)?\s*(phó\s+)?(chủ tịch|bí thư|giám đốc|trưởng ban|chánh văn phòng|"
    r"thủ trưởng|trưởng phòng|ủy ban nhân dân|ban thường vụ|ban chỉ đạo)\b"
)
_BULLET = re.compile(r"^[-–+•]\s*")

_FORMAL_DATE = re.compile(r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})")
_SHORT_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])")
_PAGE_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/])|(\d{4})-(\d{2})(?:-(\d{2}))?")
_YEAR = re.compile(r"(?<![\d/.-])(?:\d{1,2}\s*[/.-]\s*){1,2}((?:19|20)\d{2})(?!\d)|năm\s+((?:19|20)\d{2})\b")

_ADMIN = ("thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "xã", "phường")
# Bodies printed in capitals, and how they are written in running text.
_CAPITAL_HEADS = {
    "ủy ban nhân dân": "UBND", "hội đồng nhân dân": "HĐND", "thành ủy": "Thành ủy", "tỉnh ủy": "Tỉnh ủy",
    "huyện ủy": "Huyện ủy", "quận ủy": "Quận ủy", "thị ủy": "Thị ủy", "đảng ủy": "Đảng ủy",
    "ban thường vụ": "Ban Thường vụ", "ban chỉ đạo": "Ban Chỉ đạo", "văn phòng": "Văn phòng", "sở": "Sở",
    "phòng": "Phòng", "công an": "Công an", "trung tâm": "Trung tâm", "bộ chỉ huy": "Bộ Chỉ huy", "ban": "Ban",
    "chi cục": "Chi cục", "cục": "Cục", "hội": "Hội", "bộ": "Bộ",
}

# ------------------------------------------------------------------ news sentences
_DOC = r"(?:công văn|văn bản|chỉ thị|quyết định|công điện|kế hoạch|thông báo|nghị quyết|hướng dẫn)"
_HEAD = (
    r"(?:Văn phòng (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)|Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Sở|(?<!cơ )sở(?= [" + UPPER + r"])|"
    r"Ban [Cc]hỉ đạo|Ban [Tt]hường vụ|Thường trực|Tỉnh [uủ]ỷ|Thành [uủ]ỷ|Huyện [uủ]ỷ|Tỉnh ủy|Thành ủy|Huyện ủy|"
    r"Công an|Trung tâm|Bộ|Cục|Chi cục|Phòng|Hội)"
)
_TITLES = r"(?:(?:Phó |Quyền )?(?:Chủ tịch|Giám đốc|Trưởng ban|Bí thư|Chánh Văn phòng|Trưởng phòng)\s+)"
# A word of a body's name: may hold dots ("TP.HCM"), or be "TP." itself.
_TOKEN = r"(?!(?:đã|vừa|sẽ|cũng|được|do|là|có|đang|cho|để|về|tại|khi|nếu|thì|theo|trong|với|phải|cần)\b)(?:TP\.|Tp\.|[^\s,;:()]*[^\s,;:().])"
_VERBS = (
    r"(?:(?:vừa|đã|cũng|trân trọng|tiếp tục|mới|chính thức|khẩn trương|vừa qua)\s+)*"
    r"(?:ban hành|có|ký|ra|gửi|phát đi|yêu cầu|đề nghị|chỉ đạo|giao|quyết định|đồng ý|thống nhất|"
    r"thông báo|truyền đạt|nhấn mạnh|lưu ý|chủ trương)\b"
)
_ORG = re.compile(
    rf"(?:(?<=^)|(?<=[\s,(]))(?:{_TITLES})?(?P<org>{_HEAD}(?:[ \t]+{_TOKEN}|,[ \t]+(?:chống\b|[{UPPER}]{_TOKEN}?)"
    rf"|[ \t]+\([^()]*\)|[ \t]+-[ \t]+{_TOKEN}){{0,14}}?)[ \t,]+(?P<verb>{_VERBS})"
)
_ISSUE = re.compile(
    rf"\b(?:ban hành|ký|ra|phát đi)\s+(?:\w+\s+){{0,2}}?{_DOC}\b|\b{_DOC}\b(?=\s+gửi\b)"
    r"|\bcó\s+(?:\w+\s+)?(?:công văn|văn bản|chỉ thị|quyết định|công điện)\b"
    rf"|\b{_DOC}\b[^.]{{0,40}}?\bđược ban hành\b"
)
_DOC_NUMBER = re.compile(
    rf"\b{_DOC}\s+(?:(?:hỏa tốc|hoả tốc|khẩn|văn)\s+)*(?:số\s*:?\s*)?(\d+(?:\s*[/–-]\s*[\wđ&.]+)*(?:\s+[a-zđ]{{2,}}/[a-zđ]+)?)"
)
_CITED = re.compile(r"\b(thực hiện|căn cứ|theo(?! đó))\s+(?:\S+\s+){0,2}?$")
_SUBJECT_STOP = re.compile(
    r"(?:\.\s|\.$|\s\((?:công văn|văn bản|quyết định)|\s+tại\s+(?:công văn|văn bản)|[,;]\s*(?:trong đó|theo đó|"
    r"yêu cầu|đề nghị|gửi|nêu rõ)\b|\s+gửi\s|\s+do\s+(?:ủy ban|uỷ ban|ubnd|sở|ban|bộ|hội đồng|thủ tướng|chủ tịch|"
    r"văn phòng|tỉnh|thành phố|huyện)\b)"
)
# Verbs that end a body's name: "Sở Giáo dục và Đào tạo | tập trung chỉ đạo".
_NOT_NAME = re.compile(
    r"\b(tập trung|tăng cường|triển khai|thực hiện|tổ chức|chủ động|khẩn trương|tiếp tục|phối hợp|chủ trì|rà soát|"
    r"kiểm tra|đẩy mạnh|chịu trách nhiệm|có trách nhiệm|hướng dẫn|thường xuyên|nghiêm túc|nhanh chóng|sớm)\b"
)
_TASK_START = re.compile(r"\s(?:tăng cường|triển khai|thực hiện|tổ chức|khẩn trương|tiếp tục|chủ động|đẩy mạnh)\b")
_PERSON_LIKE_PLACES = {"hồ chí minh", "thừa thiên huế", "thái bình", "hà nam", "hà giang", "cao bằng"}
_SURNAMES = set(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đoàn Đinh Trương Lâm Mai Cao "
    "Hà Lưu Tạ Châu Tô Trịnh Lương Đàm Cù Thái Kiều Quách Triệu Lại Hứa Chu Mạc Từ Vương Tăng Khổng "
    "Nông Lò Hầu Thân Giang Kim Mạch Phùng Tôn Thạch Diệp Âu Đồng".split()
)


# ------------------------------------------------------------------ small helpers

def _clean_value(text: str) -> str:
    text = _BULLET.sub("", text.strip())
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
        if not month or not 1 <= int(month) <= 12 or not 1900 <= y <= 2100:
            return None
        m = int(month)
        if not day or not 1 <= int(day) <= 31:
            return f"{y:04d}-{m:02d}"
        return f"{y:04d}-{m:02d}-{int(day):02d}"
    except ValueError:
        return None


def formal_date(text: str) -> str | None:
    """`ngày 01 tháng 9 năm 2021` → 2021-09-01; a blank day gives 2021-09."""
    m = _FORMAL_DATE.search(fold(text))
    return _iso(m.group(3), m.group(2), m.group(1)) if m else None


def page_year(lines: Sequence[str]) -> int | None:
    """The year of the page's own date line near the top."""
    for line in lines[:8]:
        for m in _PAGE_DATE.finditer(line):
            year = int(m.group(3) or m.group(4))
            if 1990 <= year <= 2100:
                return year
    return None


def common_year(text: str) -> int | None:
    """The year most often printed in full in `text`, to complete a `Ngày 5/8` date."""
    years = Counter(int(m.group(1) or m.group(2)) for m in _YEAR.finditer(fold(text)))
    return years.most_common(1)[0][0] if years else None


def _number(raw: str) -> str:
    """`1693 /UBND-VP` → `1693/UBND-VP`; `587/ VP-VX` → `587/VP-VX`; a blank number (`/UBND-VP`) → ``."""
    raw = raw.replace("–", "-").strip().rstrip(".,;")
    m = re.match(rf"(\d*)((?:\s*[/-]\s*[\w{UPPER}{LOWER}&.]+)*)(?:\s+([A-ZĐ]{{2,}}/[A-ZĐ]+))?", raw)
    if not m or not m.group(1):
        return ""
    suffix = re.sub(r"\s*([/-])\s*", r"\1", m.group(2)).rstrip(".")
    extra = f" {m.group(3)}" if m.group(3) and not suffix else ""
    return m.group(1) + suffix + extra


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


# ------------------------------------------------------------------ printed header

def issuer_from_capitals(lines: Sequence[str]) -> str | None:
    """The issuer block in capitals, re-cased: "UBND thành phố Bắc Kạn", "Thành ủy Bắc Kạn"."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return None
    # "ĐẢNG BỘ TỈNH X / THÀNH ỦY X": the last line names the issuer, unless it is only a place.
    name = f"{lines[-2]} {lines[-1]}" if len(lines) > 1 and fold(lines[-1]).startswith(_ADMIN) else lines[-1]
    words = name.split()
    keys = fold(name).split()
    out: list[str] = []
    i = 0
    for head in sorted(_CAPITAL_HEADS, key=len, reverse=True):
        n = len(head.split())
        if " ".join(keys[:n]) == head:
            out.append(_CAPITAL_HEADS[head])
            i = n
            break
    level_at = next((j for j in range(i, len(words)) if keys[j] in _ADMIN or " ".join(keys[j:j + 2]) in _ADMIN), None)
    place_only = out and (out[0] in ("UBND", "HĐND") or out[0].endswith("ủy"))
    field_end = level_at if level_at is not None else (i if place_only else len(words))
    for j in range(i, field_end):  # "SỞ GIÁO DỤC VÀ ĐÀO TẠO" → "Sở Giáo dục và Đào tạo"
        if keys[j] == "và":
            out.append("và")
        elif j == i or keys[j - 1] in ("và", "-"):
            out.append(_cap(words[j]))
        else:
            out.append(words[j] if any(c.isdigit() for c in words[j]) else words[j].lower())
    if field_end < len(words):
        rest = " ".join(keys[field_end:])
        level = next((a for a in sorted(_ADMIN, key=len, reverse=True) if rest == a or rest.startswith(a + " ")), None)
        k = field_end
        if level:
            out.append(level)
            k += len(level.split())
        out.extend(_cap(w) for w in words[k:])
    return " ".join(w for w in out if w) or None


def _split_recipients(text: str) -> list[str]:
    text = _clean_value(text)
    if not text:
        return []
    titles = r"(?:Thủ trưởng|Chủ tịch|Giám đốc|Trưởng)\b"
    if ";" in text:
        parts = [p for chunk in text.split(";") for p in re.split(rf",\s+(?={titles})", chunk)]
    else:
        parts = re.split(
            rf",\s+(?=(?:các|cùng|UBND|Ủy ban|Uỷ ban|Sở|Ban)\b|{titles})|\s+và\s+(?=(?:các|UBND|Ủy ban|Uỷ ban)\b)", text
        )
    out = [_clean_value(re.sub(r"^(?:cùng|và)\s+", "", p.strip())) for p in parts]
    return [p for p in out if p]


def read_printed_header(lines: Sequence[str], header: Header) -> None:
    """Fill fields from the printed header lines (blank lines given as "")."""
    i = 0
    issuer_lines: list[str] = []
    seen_other = False
    subject_chunks: list[str] = []

    def chunk_from(j: int) -> tuple[list[str], int]:
        block = []
        while j < len(lines) and lines[j].strip():
            block.append(lines[j])
            j += 1
        return block, j

    while i < len(lines):
        line = lines[i].strip()
        key = fold(line)
        if not line:
            i += 1
            continue
        if MOTTO.match(key):
            seen_other = True
        elif (m := NUMBER_LINE.match(key)) is not None:
            seen_other = True
            header.number = _number(line[m.end():])
        elif (m := VV_LINE.match(key)) is not None:
            seen_other = True
            block = [line[m.end():]]
            j = i + 1
            while j < len(lines) and lines[j].strip():
                nxt = fold(lines[j].strip())
                if MOTTO.match(nxt) or DATE_LINE.match(nxt) or TO_LINE.match(nxt) or lines[j].strip().isupper():
                    break
                block.append(lines[j])
                j += 1
            header.subject = _join(block).rstrip(" .") or None
            i = j
            continue
        elif DATE_LINE.match(key):
            seen_other = True
            header.date = formal_date(line) or header.date
        elif (m := TO_LINE.match(key)) is not None:
            seen_other = True
            recipients: list[str] = []
            j = i + 1
            while j < len(lines):
                nxt = lines[j].strip()
                if nxt and not (_BULLET.match(nxt) and not TO_LINE.match(fold(nxt))):
                    break
                if nxt and (value := _clean_value(nxt)):
                    recipients.append(value)
                j += 1
            header.recipients = recipients or _split_recipients(line[m.end():]) or None
            i = j
            continue
        elif not seen_other and line.upper() == line and any(c.isalpha() for c in line):
            if not _DOC_KIND.match(key):
                issuer_lines.append(line)
        elif seen_other and not line.isupper():
            block, j = chunk_from(i)
            subject_chunks.append(_join(block))
            i = j
            continue
        i += 1
    if issuer_lines:
        header.issuer = issuer_from_capitals(issuer_lines)
    if header.subject is None:
        for text in subject_chunks:
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
        if _TITLE_LINE.match(fold(line)):
            after_title = True
        elif after_title and _looks_like_name(line):
            return line
    return None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or any(c.isdigit() for c in text) or re.search(r"[:;,.()/]", text):
        return False
    return all(w[0].isupper() for w in words)


# ------------------------------------------------------------------ news sentences

def _split_person(org: str) -> tuple[str, str | None]:
    """"UBND tỉnh Hà Tĩnh Võ Trọng Hải" → ("UBND tỉnh Hà Tĩnh", "Võ Trọng Hải").

    A person's name starts with a surname and has 2-4 syllables; it follows the
    place ("tỉnh Hà Tĩnh") or, with three syllables or more, the level itself
    ("UBND tỉnh Lê Ngọc Châu"). Place names that look like people are kept.
    """
    words = org.split()
    for k in range(2, len(words) - 1):
        name = words[k:]
        if words[k] not in _SURNAMES or not all(w[:1].isupper() for w in name) or not 2 <= len(name) <= 4:
            continue
        if fold(" ".join(name)) in _PERSON_LIKE_PLACES:
            continue
        after_place = words[k - 1][:1].isupper() and fold(words[k - 1]) != "ubnd"
        after_level = fold(words[k - 1]) in _ADMIN + ("tp", "tp.") and len(name) >= 3
        if after_place or after_level:
            return " ".join(words[:k]), " ".join(name)
    return org, None


def _clean_org(org: str) -> str:
    org = re.sub(r"\s*\([^()]*\)\s*$", "", org.strip())
    org = re.sub(r",?\s*(?:Trưởng|Phó|Chủ tịch|Giám đốc)\b.*$", "", org)
    return org.strip(" ,–-")


def _news_issuer(sentence: str) -> tuple[str, str | None, re.Match[str]] | None:
    """The body that issues or orders in `sentence`: "UBND tỉnh" in "Ngày 5/8, UBND tỉnh vừa có ..."."""
    for m in _ORG.finditer(sentence):
        org, person = _split_person(_clean_org(m.group("org")))
        if len(org.split()) < 2 or fold(org) in ("phòng chuyên môn",) or _NOT_NAME.search(org):
            continue
        before = fold(sentence[:m.start()])
        if re.search(r"\b(của|theo|thực hiện|căn cứ|với|cho|và|gửi|giao|yêu cầu|đề nghị|chỉ đạo|phối hợp|cùng|"
                     r"chủ trì|lãnh đạo|đại diện|về|tới|đến|tại|từ|qua)\s*$", before):
            continue
        return org, person, m
    return None


def read_news_header(paragraphs: Sequence[str], header: Header, year: int | None) -> None:
    """Fill the fields still empty from the sentences that report the dispatch."""
    for text in paragraphs:
        for sentence in sentences(text):
            _read_sentence(sentence, header, year)
    if header.subject is None:
        for text in paragraphs[:3]:
            key = fold(text)
            if key.startswith("về ") and not text.rstrip().endswith((".", ":")):
                header.subject = text.strip()[3:].strip()
                break


def _read_sentence(sentence: str, header: Header, year: int | None) -> None:
    key = fold(sentence)
    found = _news_issuer(sentence)
    issue = _ISSUE.search(key)
    if issue and _CITED.search(key[:issue.start()]):
        issue = None
    if issue is None:  # a title line: "Công văn 1234/UBND-VX năm 2021 về ... do UBND tỉnh X ban hành"
        issue = re.match(rf"^\s*{_DOC}\s+(?:số\s*:?\s*)?\d", key)
    if found and re.match(r"(?:thông báo|truyền đạt)\s+(?:ý kiến|kết luận)", key[found[2].start("verb"):]):
        issue = found[2]  # "Văn phòng UBND tỉnh thông báo ý kiến chỉ đạo ... tại Công văn số ..."
    if found:
        org, person, m = found
        if header.issuer is None:
            header.issuer = org
        elif org.startswith(header.issuer + " ") and all(w[:1].isupper() for w in org[len(header.issuer):].split()):
            header.issuer = org  # "UBND tỉnh" named in full later: "UBND tỉnh Long An"
        if header.date is None:
            header.date = _date_before(sentence[:m.start()], year)
        if issue and issue.start() >= m.start("verb") - 1:
            if person and header.signer is None and re.match(r"(?:đã |vừa )?(?:ký|có|ban hành)\b", key[m.start("verb"):]):
                header.signer = person
    elif header.issuer is None and (doc := re.match(rf"^\s*{_DOC}\s+(?:(?:số\s*:?\s*)?\d[^.]*?\b(?:của|do)\s+|của\s+)", key)):
        # A headline like "Văn bản Số 338/UBND-KGVX của UBND tỉnh Bắc Ninh".
        rest = sentence[doc.end():]
        if om := re.match(rf"{_HEAD}(?:\s+{_TOKEN}){{0,8}}?(?=\s+(?:về|v/v|Về|ban hành)\b|[,;:]|\.\s|\.?$)", rest):
            header.issuer = _clean_org(om.group(0))
        issue = re.match(rf"^\s*{_DOC}", key)
    if issue is None:
        _read_parenthesised(sentence, key, header, year)
        return
    at = issue.start()
    if header.date is None:
        header.date = _date_before(sentence[:at], year)
    dm = _DOC_NUMBER.search(key, at)
    if dm and not _CITED.search(key[:dm.start()]):
        number = _number(sentence[dm.start(1):dm.end(1)])
        old = header.number
        if old is None or (number.startswith(old) and len(number) > len(old) and old and "/" not in old):
            header.number = number
        after = key[dm.end():]
        if header.date is None and (da := re.match(r"\s*,?\s*(?:ngày|,)\s*(\d[\d/.\s-]*\d)", after)):
            header.date = _short_date(da.group(1), year)
    if header.date is None and (da := re.search(r"ban hành\s+(?:ngày|vào ngày)\s*(\d[\d/.\s-]*\d)", key[at:])):
        header.date = _short_date(da.group(1), year)
    if header.subject is None:
        header.subject = _subject_after(sentence, key, at)
    if header.recipients is None:
        header.recipients = _recipients_after(sentence, key, at)


def _read_parenthesised(sentence: str, key: str, header: Header, year: int | None) -> None:
    """"(Công văn số 1074/VP-KGVX, ngày 23/03/2020)" after a news lead."""
    pm = re.search(rf"\((?:theo\s+)?{_DOC}\s+số\s*:?\s*([^,)]+)(?:,\s*ngày\s*([^)]+))?\)", key)
    if pm and header.number is None:
        header.number = _number(sentence[pm.start(1):pm.end(1)])
        if header.date is None and pm.group(2):
            header.date = _short_date(pm.group(2), year)


def _subject_after(sentence: str, key: str, at: int) -> str | None:
    start = at
    while am := re.search(r"\b(về việc|v/v|về)\s+", key[start:]):
        where = start + am.start()
        if not _CITED.search(key[max(0, where - 80):where]) or "ban hành" in key[at:where]:
            return _subject(sentence[start + am.end():])
        start += am.end()
    # "ban hành Quyết định thành lập 5 chốt ...": the document's title follows it directly.
    vm = re.search(
        rf"\b{_DOC}\b(?:\s+(?:hỏa tốc|khẩn))?(?:\s+số\s*:?\s*\S+)?\s+"
        rf"(?!số\b|yêu cầu|đề nghị|chỉ đạo|gửi|giao|của|ngày|tại|này|trên|đó|truyền đạt)(?=[{LOWER}])",
        key[at:],
    )
    return _subject(sentence[at + vm.end():]) if vm else None


def _recipients_after(sentence: str, key: str, at: int) -> list[str] | None:
    rm = re.search(r"\b(gửi|đề nghị|chỉ đạo)\s+(?!của\b|tại\b|về\b)(?=\S)", key[at:])
    if not rm:
        return None
    begin = at + rm.end()
    stop = re.search(r"\s+(về việc|v/v|về)\b|,\s*(nêu rõ|yêu cầu|đề nghị)\b|\.\s|\.$", key[begin:])
    end = stop.start() if stop else None
    if rm.group(1) == "gửi":
        if task := _TASK_START.search(key[begin:]):
            end = task.start() if end is None else min(end, task.start())
    elif not (stop and stop.group(1)):
        return None
    if end is None:
        return None
    return _split_recipients(sentence[begin:begin + end]) or None


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
    printed = m.group(3)
    y = printed if printed and 1900 <= int(printed) <= 2100 else year
    return _iso(y, m.group(2), m.group(1)) if y else None


def _date_before(text: str, year: int | None) -> str | None:
    """A date printed just before the issuer: "Ngày 21/01/2021, Chủ tịch ...", "sáng 15-2, ..."."""
    tail = text[-60:]
    matches = list(_SHORT_DATE.finditer(tail))
    if not matches:
        fm = _FORMAL_DATE.search(fold(tail))
        return _iso(fm.group(3), fm.group(2), fm.group(1)) if fm else None
    m = matches[-1]
    if tail[m.end():].strip(" ,") or not re.search(r"\b(ngày|sáng|chiều|tối|trưa|nay)\s*(nay\s*)?$", fold(tail[:m.start()])):
        return None
    return _short_date(m.group(0), year)


def complete_from_body(header: Header, body: Sequence[str], year: int | None) -> None:
    """Fields the printed header lacks, from the body; a bare "ỦY BAN NHÂN DÂN" takes the fuller name."""
    bare = header.issuer is not None and fold(header.issuer) in ("ubnd", "ủy ban nhân dân")
    if bare:
        header.issuer = None
    read_news_header(body, header, year)
    if bare and header.issuer is None:
        header.issuer = "UBND"
