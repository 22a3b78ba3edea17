"""Who is given work, and who leads (GUIDELINE §3.1 roles).

A phrase found by `vntasks.pipeline.mentions` is marked only where the
syntax around it gives it work:

- subject of its clause ("Sở Y tế chủ trì ..."; after "Theo đó," or a
  number) -> lead, unless it is the one giving the order ("UBND tỉnh yêu
  cầu ...", "Chủ tịch UBND tỉnh giao ...");
- after an order verb ("Giao X", "Đề nghị X", "yêu cầu X", "chỉ đạo X")
  -> lead; the lead's own unnamed units after "chỉ đạo" are not marked;
- after "phối hợp (chặt chẽ) với", "cùng (với)", "hỗ trợ", "giữa" -> support;
- after "gửi ... / qua X" with a stated purpose ("để tổng hợp") -> support;
- in a list with the previous phrase (joined by ",", ";", "và", "(")
  -> the previous phrase's role ("cùng" makes it support);
- anywhere else (author of a cited document, recipient of a report,
  "tham mưu cho UBND tỉnh", a place) -> not marked.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from vntasks.pipeline.agencies import canon
from vntasks.pipeline.mentions import Candidate
from vntasks.pipeline.normalise import match_key

LEAD, SUPPORT = "lead", "support"

# Ends a clause: sentence punctuation, a line break, a colon, a sub-item marker "(2)" / "b)".
# Reported speech ("Chỉ thị nêu rõ, ...") also starts a clause.
_BOUNDARY = re.compile(
    r"[.;!?](?=\s|$)|\n|:(?=\s|$)|\(\d+\)|(?<![\w)])[a-zđ]\)\s|\b(?:nêu rõ|cho biết|khẳng định)\s*[,:]?\s",
    re.IGNORECASE,
)
# Where the area of a listed body is given, the list goes on after it.
_AREA = re.compile(
    r"\s*(?:trên địa bàn(?:\s+(?:toàn\s+)?(?:tỉnh|huyện|thành phố|thị xã|xã|quận|TP))?|"
    r"(?:trong toàn|tại)\s+(?:tỉnh|huyện|thành phố|thị xã|xã|quận|TP))",
    re.IGNORECASE,
)
# A fronted adverbial clause before the subject: "Trong trường hợp ..., các huyện ..."
_FRONTED = re.compile(
    r"^(?:trong trường hợp|trường hợp|khi|nếu|sau khi|trước khi|từ ngày|đến ngày|trước ngày|ngày \d|từ \d|"
    r"trong thời gian|hiện nay|trong khi)\b.*,$",
    re.IGNORECASE | re.DOTALL,
)
_CONNECTOR = re.compile(r"[\s,;/]*(?:(và|cùng với|cùng|\()[\s,;/]*)?", re.IGNORECASE)
_INTRO = re.compile(
    r"^(?:[\s\-–+•*.,:;()\d“”\"'‘’]+|"
    r"theo (?:kế hoạch|công văn|văn bản|chỉ thị|công điện|quyết định|thông báo)(?: này| trên| số [\w/\-]+)?|theo đó|đồng thời|ngoài ra|bên cạnh đó|trong đó|riêng|cụ thể|mặt khác|"
    r"tiếp đó|cùng với đó|đặc biệt|sau đó|tiếp theo|thứ \w+|\w+ là|các|những|tất cả)",
    re.IGNORECASE,
)
_ADVERB = r"(?:\s+(?:triệt để|quyết liệt|chặt chẽ|ngay|kịp thời|sát sao|thường xuyên|cho))*"
_DIRECTIVE = re.compile(
    r"(?:^|[^\w])(giao|yêu cầu|đề nghị|chỉ đạo|hướng dẫn|huy động|đôn đốc|phân công|kêu gọi|"
    r"giao nhiệm vụ cho|giao trách nhiệm cho|(?:công văn|văn bản|công điện|kế hoạch)\s+gửi(?:\s+(?:đến|cho))?)"
    + _ADVERB + r"[\s,:]*$",
    re.IGNORECASE,
)
_SUPPORT = re.compile(
    r"(?:^|[^\w])(?:phối h[ợọ]p(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?|cùng(?:\s+với)?|tham gia cùng|hỗ trợ|"
    r"chặt chẽ với|giữa)[\s,:]*$",
    re.IGNORECASE,
)
_SEND = re.compile(r"(?:^|[^\w])(?:gửi|gửi về|gửi cho|gửi đến|về|qua|cho)\s*$", re.IGNORECASE)
_PURPOSE = re.compile(r"^[\s,]*(?:\([^)]*\)\s*)?để(?!\w)", re.IGNORECASE)
_GIVER = re.compile(
    r"^[\s,]*(?:(?:cũng|đã|vừa|mới|có|ban hành|văn bản|công văn|chỉ thị|công điện|quyết định|thông báo|"
    r"kết luận|số|[\w/\-.]*\d[\w/\-.]*)\s+)*(yêu cầu|giao|đề nghị|chỉ thị|lưu ý|nhấn mạnh|chỉ đạo|quyết định|"
    r"đồng ý|cho phép|thống nhất|chấp thuận|(?:văn bản|công văn|công điện)\s+gửi)(?!\w)",
    re.IGNORECASE,
)
_PAST = re.compile(r"^\s*(?:cũng\s+)?(?:đã|vừa)\s", re.IGNORECASE)
# The lead's own units, not marked after "X chỉ đạo" (§3.1).
_OWN_UNIT_WORDS = ("đơnvị", "chứcnăng", "chuyênmôn", "trựcthuộc")
# With no header, who may be the one giving orders: a province or city authority.
_AUTHORITY = re.compile(
    r"(?:thường trực\s+|ban thường vụ\s+)?(?:(?:ubnd|ủy ban nhân dân)\s+(?:tỉnh|thành phố|tp)\b|tỉnh ủy|thành ủy)|"
    r"chính phủ|thủ tướng|bộ\s"
)
_SYNONYMS = (("ủybannhândân", "ubnd"), ("hộiđồngnhândân", "hđnd"), ("thànhphố", "tp"), ("ủyban", "ub"))


def _issuer_key(text: str) -> str:
    key = canon(text)
    for long, short in _SYNONYMS:
        key = key.replace(long, short)
    return key


def _is_issuer(candidate: Candidate, issuer: str | None) -> bool:
    """Is this the body that issued the dispatch (or, when unknown, a province-level authority)?"""
    key = _issuer_key(candidate.core_text or candidate.text)
    if issuer:
        other = _issuer_key(issuer)
        return bool(key) and (other.startswith(key) or key.startswith(other))
    return _is_authority(candidate)


def _is_authority(candidate: Candidate) -> bool:
    """A province or city authority, a ministry or the government: those who give orders."""
    text = match_key(candidate.core_text or candidate.text).lower()
    return "các" not in text and bool(_AUTHORITY.match(text))


def _clause_start(text: str, position: int) -> int:
    start = 0
    for match in _BOUNDARY.finditer(text, 0, position):
        start = match.end()
    return start


def _strip_intro(context: str) -> str:
    while True:
        match = _INTRO.match(context)
        if not match or not match.group():
            return context.strip()
        context = context[match.end():]


def assign_roles(text: str, candidates: Sequence[Candidate], issuer: str | None = None) -> list[str | None]:
    """The role of each candidate, or None where it is not given work."""
    roles: list[str | None] = []
    for i, cand in enumerate(candidates):
        prev = candidates[i - 1] if i else None
        between = _AREA.sub(" ", text[prev.end:cand.start]) if prev else ""
        joined = prev is not None and _CONNECTOR.fullmatch(between)
        if joined and prev is not None:
            role = roles[-1]
            if "(" in between and (cand.titled or cand.text.isupper()):
                role = None  # "(Trưởng Ban ...)" is a role, "(CDC)" an abbreviation, not sub-units
            elif role is not None and re.search(r"cùng", between, re.IGNORECASE):
                role = SUPPORT
            roles.append(role)
            continue
        start = max(_clause_start(text, cand.start), prev.end if prev else 0)
        context = match_key(text[start:cand.start])
        after = text[cand.end:candidates[i + 1].start] if i + 1 < len(candidates) else text[cand.end:]
        bare = _strip_intro(context)
        if bare.lower() == "đối với" and after.lstrip().startswith(":"):  # "Đối với Trung tâm Y tế huyện:"
            roles.append(LEAD)
            continue
        if not bare or _FRONTED.match(bare):
            giver = _GIVER.match(after)
            if not giver and _PAST.match(after):  # "ngành Y tế đã bố trí ...": a report, not a task
                roles.append(None)
                continue
            if giver and (_is_issuer(cand, issuer) or _is_authority(cand)):
                roles.append(None)
            else:
                roles.append(LEAD)
            continue
        if _SUPPORT.search(context):
            roles.append(SUPPORT)
            continue
        directive = _DIRECTIVE.search(context)
        if directive:
            own_units = cand.kind == "group" and any(w in canon(cand.text) for w in _OWN_UNIT_WORDS)
            if own_units and directive.group(1).lower() in {"chỉ đạo", "hướng dẫn"}:
                roles.append(None)
            else:
                roles.append(LEAD)
            continue
        if _SEND.search(context) and _PURPOSE.match(after):
            roles.append(None if _is_issuer(cand, issuer) and issuer else SUPPORT)  # reports to the issuer itself
            continue
        roles.append(None)
    return roles
