"""What an unnumbered paragraph of a dispatch, or of a web repost of one, is doing.

A dispatch reposted on a web page comes wrapped in page furniture (headline,
date line, photo caption, byline, "Xem chi tiết") and in the journalist's own
sentences (the news lead that only says a document was issued, background,
figures, who said what). GUIDELINE §1 keeps none of them; what is left are the
paragraphs that give an instruction. The cues here describe how Vietnamese
administrative and news prose is written, not any one document. Regexes run
on `fold(text)` (lower case, modern tone marks), which has the same length as
the text, so a match on the key can be read back from the printed text.
"""
from __future__ import annotations

import re

from vntasks.pipeline.normalise import UPPER, fold

TERMINAL = re.compile(r"""[.!?;:…](?:\s*[./]+)?[\s"'”’)\]»]*$""")

# ---------------------------------------------------------------- page furniture
_CAPTION = re.compile(
    r"((?:^|[.(\-–|]\s*)ảnh\s*:|\bảnh minh h[ọo]a\b|\(ảnh\b|\bảnh\s*\(|(?:^|\()\s*nguồn\s*(?:ảnh|tin)?\s*:|"
    r"\bnguồn internet\b|\bảnh\s+(?:nguồn\b|internet\b)|^audio$|^video$|!\[)"
)
_BOILERPLATE = re.compile(
    r"^\*?\s*(xem (chi tiết|thêm|công văn|toàn văn|văn bản|tại)|chi tiết (bài viết|công văn|văn bản|chỉ thị|xem)|"
    r"tải (về|văn bản)|tài liệu đính kèm|file đính kèm|in bài viết|tin nổi bật|xuất bản thông tin|"
    r"ý kiến (bạn đọc|của bạn)|ý kiến\s*$|bình luận\s*$|chia sẻ\s*:?\s*$|(số )?lượt (xem|đọc)|cập nhật\s*(:|lúc)|"
    r"tin liên quan|bài liên quan|gửi kèm|nguồn\s*(?::|tin\b|ảnh\b|$)|theo\s*:|tin, ảnh|tin và ảnh)"
    r"|\b(tại đây|tại link|link sau|bấm vào đây)\b"
)
# A news lead opens with the outlet's tag: "(QNO) - ", "TTO - ", "VTV.vn - ".
_SAPO = re.compile(
    rf"^\s*(\([^()\n]{{2,30}}\)\s*[-–—]?\s*|(?:[{UPPER}]{{2,}}[\w.]*(?: [{UPPER}]{{2,}}){{0,3}}|\S+\.vn|"
    rf"\S+(?: \S+){{0,2}} TV)\s*[-–—]\s*)(?=\S)"
)

# ---------------------------------------------------------------- instructions
# Verbs and modals of directives. Domain nouns (cách ly, xét nghiệm) are not
# cues: "Phạm vi cách ly, 14 xã" describes, it does not instruct.
_CUES = re.compile(
    r"\b(yêu cầu|đề nghị|giao|chỉ đạo|chủ trì|phối hợp|chịu trách nhiệm|có trách nhiệm|cần|phải|"
    r"khẩn trương|tăng cường|đẩy mạnh|triển khai|thực hiện|tổ chức|tiếp tục|chủ động|rà soát|kiểm tra|"
    r"giám sát|tuyên truyền|truyền thông|hướng dẫn|tạm dừng|dừng|tạm ngưng|ngưng|tạm nghỉ|nghỉ học|"
    r"cho nghỉ|nghỉ đến|đi học|hạn chế|nghiêm cấm|cấm|không được|tuyệt đối|bảo đảm|đảm bảo|chuẩn bị|"
    r"xây dựng|thành lập|thiết lập|bố trí|quyết định|đồng ý|thống nhất|lưu ý|nhấn mạnh|nêu rõ|cho phép|"
    r"theo dõi|báo cáo|tham mưu|đề xuất|vận động|phát động|huy động|cập nhật|thông báo|quán triệt|phổ biến|"
    r"xử lý|áp dụng|duy trì|kiện toàn|củng cố|sẵn sàng|nâng cao|khuyến cáo|khuyến khích|nắm chắc|nắm bắt|"
    r"quản lý|tiến hành|phân công|ưu tiên|bổ sung|kêu gọi|nhắc nhở|không để|không tổ chức|nên)\b"
)
# Document references and nouns that look like cues: "Ban Chỉ đạo", "Thông báo số 131",
# "theo chỉ đạo của", "ý kiến chỉ đạo".
_NOT_CUES = re.compile(
    r"\b(?:công văn|văn bản|chỉ thị|quyết định|công điện|kế hoạch|thông báo|nghị quyết|hướng dẫn|thông tư|nghị định)"
    r"\s+(?:số\s*:?\s*)?[\w/.–-]*\d[\w/.–-]*"
    r"|\b(?:ban|tiểu ban|trưởng ban|ủy ban)\s+chỉ đạo\b|\bchỉ huy\b"
    r"|\b(?:ý kiến|văn bản|nội dung|công tác)\s+chỉ đạo\b"
    r"|\b(?:ý kiến|tinh thần|theo|đúng)\s+(?:chỉ đạo|yêu cầu|đề nghị|hướng dẫn|kế hoạch)\b"
    r"|\b(?:chỉ đạo|yêu cầu|đề nghị|hướng dẫn|quyết định|kế hoạch) (?:của|tại)\b"
    r"|\bthời gian (?:thực hiện|áp dụng)\b|\bthông báo mới\b"
)
_DIRECTIVE = r"(?:yêu cầu|đề nghị|giao(?: nhiệm vụ)?(?: cho)?|chỉ đạo|đôn đốc)"
# Whom an order is addressed to: a body, an office holder, a group of people.
_ADDRESSEE = (
    r"(?:các|tất cả|toàn thể|toàn bộ|mọi|từng|mỗi|thủ trưởng|chủ tịch|phó chủ tịch|giám đốc|lãnh đạo|"
    r"trưởng|người đứng đầu|ban|ubnd|ủy ban|sở|phòng|công an|trung tâm|bộ|đài|báo|hội|đoàn|ngành|"
    r"cơ quan|đơn vị|địa phương|cục|chi cục|bảo hiểm|bệnh viện|văn phòng|lực lượng|cán bộ|người dân|"
    r"nhân dân|học sinh|chính quyền|cấp ủy|tổ|thành viên|bí thư|huyện|tỉnh|thành phố|quận|xã|phường|"
    r"trạm|viện|doanh nghiệp|nhà trường|trường|cơ sở|chi bộ|đảng|mặt trận|liên đoàn|người|hộ|chủ)\b"
)
_DIRECTED = re.compile(rf"(?<!của )(?<!theo )(?<!ý kiến )\b{_DIRECTIVE}\s+(?:cho\s+)?{_ADDRESSEE}")
_DIRECTED_ANY = re.compile(rf"(?<!của )(?<!theo )(?<!ý kiến )\b{_DIRECTIVE}\s+(?:cho\s+)?(?=\w)")
_TASK_VERB = re.compile(
    r"\b(triển khai|thực hiện|tăng cường|tập trung|tổ chức|khẩn trương|tiếp tục|đẩy mạnh|nhanh chóng|chủ động)\b"
)
# "... triển khai thực hiện các nội dung sau", "... tăng cường các biện pháp phòng, chống dịch".
# "phòng, chống dịch bệnh Covid-19 (trên địa bàn tỉnh)" and nothing more specific.
_AGAINST = r"phòng,?\s+chống(?:\s+(?!theo\b|để\b|nhằm\b|tại\b|đối với\b|bằng\b|cho\b)[^\s;,.]+){0,9}"
_VACUOUS_TASK = re.compile(
    r"^(?:(?:khẩn trương|nghiêm túc|tập trung|tổ chức|triển khai|thực hiện|tăng cường|tiếp tục|đẩy mạnh|"
    r"nhanh chóng|quyết liệt|đồng bộ|nghiêm|tốt|có hiệu quả|hiệu quả|chủ động|,|và)\s*)*"
    rf"(?:(?:(?:một số|các|những)\s+)?(?:nội dung|nhiệm vụ|biện pháp|giải pháp|công tác|văn bản)"
    r"(?:\s+(?:liên quan|sau|như sau|cụ thể|trọng tâm|trên|nêu trên|chỉ đạo))?"
    rf"(?:\s+(?:về\s+)?{_AGAINST})?|{_AGAINST})"
    r"\s*[.:;]*\s*$"
)

# ---------------------------------------------------------------- the journalist's voice
_DOC = r"(?:công văn|văn bản|chỉ thị|quyết định|công điện|kế hoạch|thông báo|nghị quyết|hướng dẫn)"
_DOC_NUMBER = r"(?:\s+(?:hỏa tốc|hoả tốc|khẩn))?(?:\s+(?:số\s*:?\s*)?[\w./–-]*\d[\w./–-]*(?:\s*[/–-]\s*[\w.]+)*)?"
# Issued in the news sense: "vừa ban hành Công văn", "ban hành Công văn số 123", "Ngày 5/8, ... ban hành văn bản".
_ISSUED = re.compile(
    rf"\b(?:vừa|đã|mới)\s+(?:ban hành|có|ký|ra|phát đi)\s+(?:\w+\s+){{0,2}}?{_DOC}\b{_DOC_NUMBER}"
    rf"|\b(?:ban hành|ký|phát đi|có)\s+(?:\w+\s+){{0,1}}?{_DOC}\s+(?:hỏa tốc\s+|hoả tốc\s+|khẩn\s+)?(?:số\s*:?\s*)?[\w./–-]*\d[\w./–-]*(?:\s*[/–-]\s*[\w.]+)*"
    rf"|\b{_DOC}\s+(?:hỏa tốc\s+|khẩn\s+)?(?:số:?\s*)?[\w./–-]*\d[\w./–-]*\s*(?:được|vừa được|đã được)\s+ban hành"
    rf"|\((?:theo\s+)?{_DOC}\s+số\b"
    r"|\b(?:truyền đạt|thông báo)\s+(?:ý kiến|kết luận)"
    r"|\bđược ban hành\b|\b(?:vừa|đã)\s+có\s+(?:ý kiến\s+)?chỉ đạo\b"
)
# "Ngày 5/8, UBND tỉnh ban hành văn bản ...": a dated report of an issue.
_DATED_ISSUE = re.compile(
    rf"\b(?:ngày|sáng|chiều|tối|trưa)\s+(?:nay\s+)?\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\b.{{0,120}}?"
    rf"\b(?:ban hành|ký|có|ra|phát đi)\s+(?:\w+\s+){{0,2}}?(?:công văn|văn bản|chỉ thị|quyết định|công điện)\b"
)
_DECIDES = re.compile(r"^[\s,]*(?:ngày\s+\S+\s+)?(?:thống nhất|đồng ý|quyết định|cho phép|cho\s)")
_ABOUT = re.compile(r"\b(về việc|v/v|về)\b")
_LATER_CLAUSE = re.compile(r"[;,]\s*(?:trong đó|theo đó|đồng thời|nhấn mạnh|nêu rõ)\b")
_REPORT_OPENER = re.compile(
    r"^(?:trước đó|trong thời gian qua|thời gian qua|tính đến|đến nay|hiện nay|hiện tại|hiện,|qua kiểm tra|"
    r"đến (?:sáng|trưa|chiều|tối|hết)\b|có \d|"
    r"theo (?:ông|bà|đồng chí|lãnh đạo|đại diện|báo cáo|kết quả|thống kê|số liệu|ghi nhận|sở|ban|ubnd|"
    r"ủy ban|trung tâm|cdc|bộ|phòng|bệnh viện|chi cục|cục)\b)"
)
_RETRO = re.compile(r"\b(trong thời gian qua|thời gian qua|thời gian vừa qua|vừa qua|từ đầu năm)\b.*\bđã\b")
_DECISION = re.compile(r"(?:yêu cầu|giao|chỉ đạo|đề nghị|quyết định|thống nhất|đồng ý|cho phép)$")
_SAID = re.compile(r"\b(cho biết|cho hay|đánh giá cao)\b")
_MODAL = re.compile(r"\b(cần|phải)\b")
_PREAMBLE = re.compile(
    rf"^(?:để|nhằm|trước (?:tình hình|diễn biến)|căn cứ|thực hiện\s+(?:{_DOC}|chỉ đạo|ý kiến|kết luận|"
    r"nghị định|thông tư)\b)"
)
_SUBJECT_START = re.compile(
    r"^\s*(?:các|tất cả|sở|ubnd|ủy ban|công an|trung tâm|phòng|ban|đài|báo|hội|đoàn|thủ trưởng|chủ tịch|"
    r"giám đốc|trường|cơ sở|đơn vị|ngành|lực lượng|người|học sinh|nhà trường|văn phòng|tỉnh|thành phố|huyện|"
    r"thường trực|bộ|cục|chi cục|bí thư)\b"
)

# ---------------------------------------------------------------- closing
_CLOSING = re.compile(
    r"^(?:với (?:các )?nội dung trên|trên đây là|trong quá trình (?:tổ chức )?(?:triển khai )?thực hiện,? nếu|"
    r"nhận được (?:công văn|văn bản)|(?:công văn|văn bản|quyết định|chỉ thị) này có hiệu lực|"
    r"quyết định (?:này )?có hiệu lực|các biện pháp (?:trên|nêu trên) được áp dụng)"
    r"|chịu trách nhiệm thi hành (?:quyết định|chỉ thị)"
)
# "Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện (và báo cáo kết quả về UBND tỉnh)./."
_CLOSING_SHORT = re.compile(
    r"^(?:[\w ,]{0,60}?\b(?:yêu cầu|đề nghị)\s+)?(?:các|thủ trưởng|giám đốc|chủ tịch)[\w ,]{0,80}?"
    r"(?:nghiêm túc\s+)?(?:tổ chức\s+)?(?:triển khai\s+)?(?:thực hiện|triển khai)(?:\s+nghiêm túc|\s+nghiêm)?"
    r"(?:[,;]?\s*(?:và\s+)?(?:định kỳ\s+)?báo cáo\b[^.;]{0,100})?\s*[./]*$"
)
_SENTENCE_END = re.compile(rf"(?<=[.!?…])\s+(?=[\"“(]?[{UPPER}0-9])")
_ABBREV = re.compile(rf"(?:^|[\s(.])[{UPPER}][\w]{{0,2}}\.$")


def sentences(text: str) -> list[str]:
    """`text` cut after full stops, keeping abbreviations like `TP.` whole."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[start:match.start()]
        if _ABBREV.search(head):
            continue
        out.append(head)
        start = match.end()
    out.append(text[start:])
    return [s for s in out if s.strip()]


def ends_sentence(text: str) -> bool:
    return bool(TERMINAL.search(text.rstrip()))


def is_caption(text: str) -> bool:
    key = fold(text).strip()
    return bool(_CAPTION.search(key)) and len(key) < 300


def is_boilerplate(text: str) -> bool:
    return bool(_BOILERPLATE.search(fold(text).strip()))


def is_repeated(text: str) -> bool:
    """A headline or caption the page printed twice, glued: "... 17/2.Học sinh Đà Nẵng ..."."""
    text = text.strip()
    head = text[:20]
    at = text.find(head, 10) if len(head) == 20 else -1
    return at > 0 and text[at - 1] != " "


def is_closing(text: str) -> bool:
    key = fold(text).strip()
    if _CLOSING.search(key):
        return True
    return len(key.split()) <= 25 and bool(_CLOSING_SHORT.match(key))


def is_sapo(text: str) -> bool:
    return bool(_SAPO.match(text))


def is_byline(text: str) -> bool:
    """A short run of capitalised words with no sentence punctuation: an author or outlet."""
    words = text.replace("/", " ").split()
    if not words or len(words) > 5 or ends_sentence(text):
        return False
    return all(w[0].isupper() or not w[0].isalpha() for w in words)


def _cue_key(text: str) -> str:
    return _NOT_CUES.sub(lambda m: " " * len(m.group(0)), fold(text))


def has_cue(text: str) -> bool:
    return bool(_CUES.search(_cue_key(text)))


def directed_order(text: str) -> re.Match[str] | None:
    """`yêu cầu/giao/đề nghị/chỉ đạo` followed by whom it is addressed to."""
    key = _cue_key(text)
    if m := _DIRECTED.search(key):
        return m
    for m in _DIRECTED_ANY.finditer(key):
        if text[m.end():m.end() + 1].isupper():
            return m
    return None


def is_vacuous_order(sentence: str) -> bool:
    """An order whose task is only "carry out the measures": "yêu cầu các sở triển khai các nội dung sau"."""
    order = directed_order(sentence)
    if order is None:
        return False
    key = _cue_key(sentence)
    before = key[:order.start()]
    if ";" in before and _CUES.search(before):  # an instruction of its own came first
        return False
    first = _CUES.search(key, order.end())
    if first is None or not _TASK_VERB.match(key, first.start()):
        return False
    return bool(_VACUOUS_TASK.match(fold(sentence)[first.start():]))


def is_issuance_report(sentence: str) -> bool:
    """"X ban hành Công văn số ... về việc ..." with no order of its own."""
    key = fold(sentence)
    issued = _ISSUED.search(key) or _DATED_ISSUE.search(key)
    if not issued or directed_order(sentence[:issued.start()]):
        return False
    rest = key[issued.end():]
    if _DIRECTED.search(rest) or directed_order(sentence[issued.end():]):
        return is_vacuous_order(sentence[issued.start():])
    if _DECIDES.match(rest):
        return False
    if sent := re.match(r"\s*gửi\s+", rest):  # "có văn bản gửi các sở ... triển khai chiến dịch ..."
        task = _CUES.search(_cue_key(sentence[issued.end():]), sent.end())
        about = _ABOUT.search(rest, sent.end())
        if task and not (about and about.start() < task.start()):
            return bool(_VACUOUS_TASK.match(rest[task.start():]))
    later = _LATER_CLAUSE.search(rest)
    return not (later and has_cue(sentence[issued.end() + later.end():]))


def is_report(sentence: str) -> bool:
    """Background, figures, or someone reporting what was done."""
    key = fold(sentence).strip()
    order = directed_order(sentence)
    if _RETRO.search(key):  # "thời gian qua, X đã chỉ đạo ...": what was done, unless it says what must be
        return not _MODAL.search(key)
    if opener := _REPORT_OPENER.match(key):
        if key.startswith(("theo ", "tính đến", "trước đó")):
            return True
        return order is None and not _MODAL.search(key, opener.end())
    said = _SAID.search(key)
    if said and (order is None or re.search(r"\bđã\b", key[said.end():order.start()])):
        return True
    if order is not None:
        return False
    return _reports_past(sentence)


def _reports_past(sentence: str) -> bool:
    """The main verb is in the past: "UBND tỉnh đã tổ chức họp", "các trường đã thực hiện vệ sinh"."""
    key = _cue_key(sentence)
    start = 0
    if purpose := re.match(r"^\s*(?:để|nhằm)\b[^,]*?(?:,|\bthì\b)", key):
        start = purpose.end()
    first = _CUES.search(key, start)
    if first is None or not re.search(r"\b(?:đã|vừa)\s+(?:\S+\s+)?$", key[start:first.start()]):
        return False
    if _DECISION.match(first.group(0)) or _MODAL.search(key, first.end()):
        return False
    # "..., đã kết thúc X, các đơn vị tổ chức Y": a new clause that instructs.
    for clause in re.split(r"[,;]", key[first.end():])[1:]:
        if _SUBJECT_START.match(clause) and _CUES.search(clause) and "đã" not in clause.split():
            return False
    return True


def _is_preamble(sentence: str) -> bool:
    """"Để ...", "Thực hiện Công văn số ...": a purpose or basis with no main clause of its own."""
    key = fold(sentence).strip()
    if not _PREAMBLE.match(key) or directed_order(sentence) or _MODAL.search(key):
        return False
    return not any(_SUBJECT_START.match(clause) for clause in re.split(r",|\bthì\b", key)[1:])


def instructs(text: str, *, lead: bool = False) -> bool:
    """Does the paragraph give at least one instruction?

    With `lead=True` the last sentence (the one ending in ":") is ignored, so
    "X giao ... . Cụ thể như sau:" still counts for its first sentence.
    """
    parts = sentences(text)
    if lead:
        parts = parts[:-1]
    for part in parts:
        if is_issuance_report(part) or is_report(part) or is_vacuous_order(part) or _is_preamble(part):
            continue
        if has_cue(part):
            return True
    return False
