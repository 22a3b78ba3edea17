"""The cue words of GUIDELINE §2 as patterns, one list per action label.

The guideline already states which words signal which action; with ~430 gold
paragraphs a text classifier cannot relearn all of that, least of all for
rare labels (social_support, vaccination). These patterns enter the trained
model as features (`CueFeatures`) and, on their own, make the keyword
baseline (`RuleActionModel`).

Patterns are matched on `cue_key(text)`: modern tone marks, lower case,
underscores of word-segmented text turned back into spaces. Each entry is
(name, regex); the name becomes a feature name. `TABLE` holds the cue column
of the §2 table, `SETTLED` the phrases that §2.1 (settled cases) adds.
"""
from __future__ import annotations

from vntasks.pipeline.normalise import match_key

_VACCINE = r"(?:vắc[ -]?xin|vaccine?|vacxin|vac-xin)"
_OXYGEN = r"(?:ô[ -]?xy|oxy|ôxy)"

# label -> [(name, regex)]: the cue column of the §2 table.
TABLE: dict[str, list[tuple[str, str]]] = {
    "testing": [
        ("xét nghiệm", r"xét nghiệm"),
        ("lấy mẫu", r"lấy mẫu"),
        ("sàng lọc", r"sàng lọc"),
        ("truy vết", r"truy vết"),
        ("F0/F1/F2", r"\bf[0-3]\b"),
        ("khai báo y tế", r"khai báo y tế"),
        ("phát hiện sớm", r"phát hiện sớm|sớm phát hiện"),
    ],
    "quarantine": [
        ("cách ly", r"cách ly"),
        ("phong tỏa", r"phong tỏa"),
        ("khoanh vùng", r"khoanh vùng"),
        ("giãn cách", r"[gd]iãn cách"),
        ("ai ở đâu ở đó", r"ai ở đâu ở đó"),
        ("hạn chế tập trung", r"hạn chế (?:việc )?tập trung|tập trung đông người"),
        ("người về từ vùng dịch", r"(?:người|trường hợp)[^.;]{0,40}(?:về|đến) từ[^.;]{0,40}(?:vùng|khu vực|địa phương)[^.;]{0,20}dịch"),
        ("theo dõi sức khỏe", r"theo dõi sức khỏe"),
        ("chốt kiểm soát", r"chốt kiểm soát|chốt kiểm dịch|chốt chặn"),
    ],
    "propaganda": [
        ("tuyên truyền", r"tuyên truyền"),
        ("truyền thông", r"truyền thông"),
        ("thông tin cho người dân", r"thông tin (?:cho|đến|tới) (?:người dân|nhân dân|cộng đồng)"),
        ("vận động", r"vận động"),
        ("phổ biến", r"phổ biến"),
        ("5K", r"\b5k\b"),
        ("đưa tin", r"đưa tin"),
    ],
    "social_support": [
        ("an sinh xã hội", r"an sinh xã hội"),
        ("hỗ trợ người dân", r"hỗ trợ (?:cho )?(?:người dân|nhân dân|người lao động|lao động|người sử dụng lao động)"),
        ("Nghị quyết 68", r"nghị quyết (?:số )?68"),
        ("lương thực thực phẩm", r"lương thực|(?<!an toàn )(?<!vệ sinh )thực phẩm"),
        ("thiếu ăn thiếu mặc", r"thiếu ăn|thiếu mặc|thiếu đói"),
        ("chăm lo đời sống", r"chăm lo(?: đời sống)?"),
    ],
    "vaccination": [
        ("tiêm chủng", r"tiêm chủng"),
        ("tiêm vắc xin", rf"tiêm(?: phòng)?(?: {_VACCINE})?|{_VACCINE}"),
    ],
    "medical_care": [
        ("điều trị", r"điều trị"),
        ("thu dung", r"thu dung"),
        ("y tế cơ sở", r"y tế cơ sở"),
        ("trạm y tế lưu động", r"trạm y tế lưu động"),
        ("máy thở", r"máy thở"),
        ("ô xy", _OXYGEN),
        ("vật tư", r"vật tư"),
        ("sinh phẩm", r"sinh phẩm"),
        ("trang thiết bị y tế", r"trang thiết bị|thiết bị y tế"),
        ("tập huấn nhân viên y tế", r"tập huấn"),
        ("4 tại chỗ", r"(?:4|bốn) tại chỗ"),
    ],
    "inspection": [
        ("kiểm tra", r"kiểm tra"),
        ("giám sát việc thực hiện", r"giám sát (?:việc|công tác)? ?(?:thực hiện|chấp hành|triển khai|tuân thủ)"),
        ("xử lý vi phạm", r"xử lý (?:nghiêm )?(?:các )?(?:trường hợp )?vi phạm|xử lý nghiêm"),
        ("chấn chỉnh", r"chấn chỉnh"),
        ("kiểm điểm", r"kiểm điểm"),
        ("xử lý trách nhiệm", r"xử lý trách nhiệm"),
    ],
    "planning": [
        ("kế hoạch", r"kế hoạch"),
        ("phương án", r"phương án"),
        ("kịch bản", r"kịch bản"),
        ("tham mưu", r"tham mưu"),
        ("đề xuất", r"đề xuất"),
        ("báo cáo", r"báo cáo"),
        ("tổng hợp", r"tổng hợp"),
        ("rà soát", r"rà soát"),
        ("đánh giá", r"đánh giá"),
        ("chuẩn bị sẵn sàng", r"chuẩn bị sẵn sàng|sẵn sàng"),
        ("thực hiện nghiêm các văn bản", r"thực hiện (?:nghiêm |tốt |có hiệu quả )?(?:các )?(?:văn bản|chỉ đạo|chỉ thị|công văn|công điện|kế hoạch)"),
    ],
}

# label -> [(name, regex)]: phrases from the settled cases (§2.1) and the
# "includes" column, which the cue column leaves implicit.
SETTLED: dict[str, list[tuple[str, str]]] = {
    "testing": [
        ("test kit / test nhanh", r"kít? xét nghiệm|test nhanh|\bpcr\b"),
        ("QR / khai báo", r"quét mã|mã qr|\bqr\b|khai báo|bluezone|pc-?covid"),
        ("giám sát dịch bệnh", r"giám sát[^.;]{0,30}(?:dịch|ca bệnh|ca mắc|trường hợp|đàn|dịch tễ)"),
        ("phát hiện", r"phát hiện"),
        ("điều tra dịch tễ", r"điều tra dịch tễ|dịch tễ"),
        ("kiểm tra y tế cửa khẩu", r"kiểm tra y tế|kiểm dịch y tế|đo thân nhiệt"),
    ],
    "quarantine": [
        ("đóng cửa / tạm dừng", r"đóng cửa|tạm dừng|tạm ngừng|dừng (?:các )?hoạt động|ngừng hoạt động"),
        ("không tổ chức / tụ tập", r"không tổ chức|tụ tập|hạn chế (?:tổ chức|đi lại|ra ngoài|di chuyển|ra khỏi)"),
        ("nghỉ học / học trực tuyến", r"nghỉ học|cho học sinh nghỉ|học trực tuyến|dạy học trực tuyến|họp trực tuyến|làm việc (?:tại nhà|từ xa|trực tuyến)"),
        ("ở nhà / giữ khoảng cách", r"ở (?:tại )?nhà|giữ khoảng cách|khoảng cách tối thiểu"),
        ("nhập cảnh trái phép / biên giới", r"nhập cảnh trái phép|xuất nhập cảnh trái phép|đường mòn|lối mở|tuần tra"),
        ("kiểm dịch vận chuyển", r"kiểm dịch vận chuyển|kiểm soát vận chuyển|vận chuyển[^.;]{0,30}(?:gia súc|gia cầm|động vật)"),
        ("nhốt / xích chó", r"(?:nhốt|xích|buộc|rọ mõm)[^.;]{0,20}chó|chó[^.;]{0,30}(?:nhốt|xích|buộc|rọ mõm)"),
        ("kiểm soát người ra vào", r"(?:kiểm soát|quản lý)[^.;]{0,30}(?:ra,? vào|đi lại|di chuyển|người về|người đến)"),
    ],
    "propaganda": [
        ("khuyến cáo / hướng dẫn người dân", r"khuyến cáo|hướng dẫn (?:cho )?(?:người dân|nhân dân|cộng đồng)"),
        ("nâng cao nhận thức", r"nâng cao nhận thức|nhận thức"),
        ("báo chí / đăng tải", r"báo chí|đăng tải|phát thanh|loa|cổng thông tin"),
    ],
    "social_support": [
        ("nhu yếu phẩm / hàng hóa thiết yếu", r"nhu yếu phẩm|hàng hóa thiết yếu|thiết yếu"),
        ("bình ổn thị trường", r"bình ổn|găm hàng|tăng giá|ổn định thị trường|thị trường hàng hóa"),
        ("chính sách hỗ trợ", r"chính sách hỗ trợ|gói hỗ trợ|trợ cấp|cứu trợ|hoàn cảnh khó khăn|hộ nghèo"),
    ],
    "vaccination": [
        ("mũi tiêm / điểm tiêm", r"mũi tiêm|điểm tiêm|sau tiêm|tiêm mũi|tiêm bổ sung"),
    ],
    "medical_care": [
        ("khám chữa bệnh", r"khám,? chữa bệnh|khám bệnh|cấp cứu|hồi sức|giường bệnh|bệnh viện dã chiến"),
        ("thuốc / nhân lực y tế", r"\bthuốc\b(?! khử)|nhân lực|cơ số thuốc|khẩu trang"),
    ],
    "inspection": [
        ("xử phạt / thanh tra", r"xử phạt|thanh tra|chế tài"),
        ("chịu trách nhiệm", r"chịu trách nhiệm trước"),
        ("kiểm soát vệ sinh thú y", r"vệ sinh thú y|giết mổ"),
    ],
    "planning": [
        ("quán triệt", r"quán triệt"),
        ("theo dõi tình hình", r"theo dõi (?:chặt chẽ )?(?:sát )?(?:tình hình|diễn biến)"),
        ("quy định của ngành y tế", r"(?:quy định|hướng dẫn) của (?:ngành y tế|bộ y tế)"),
        ("dự trù / dự phòng", r"dự trù|dự phòng|chủ động (?:các )?(?:phương án|kế hoạch)"),
        ("danh sách", r"lập danh sách|thống kê"),
    ],
}


def cue_key(text: str) -> str:
    """The form cues are matched on: modern tone marks, lower case, no segmentation underscores."""
    return match_key(text.replace("_", " ")).lower()


# Spans whose cues GUIDELINE §2 does not count on their own; group 1 is the span.
CONTEXTS: dict[str, str] = {
    # "a quoted title of an earlier document": Công văn số 123/UBND ... về việc <title>
    "cited_title": (r"(?:công văn|công điện|chỉ thị|kế hoạch|quyết định|nghị quyết|thông báo|hướng dẫn|thông tư"
                    r"|văn bản)\s+(?:số\s+)?[\w/.\-]*\d[^.;:\n]{0,60}?\svề (?:việc )?((?:[^,;.:\n]|, chống)+)"),
    # "a communication task is propaganda only, whatever its message says"
    "communication": (r"(?:tuyên truyền|vận động|khuyến cáo|truyền thông|phổ biến|thông tin (?:cho|đến|tới))"
                      r"([^.;\n]*)"),
}
