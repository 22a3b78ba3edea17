"""The dispatch parser: task paragraphs (GUIDELINE §1) on the seeds, the web passages and invented snippets."""
from __future__ import annotations

import json
import re

import pytest

from vntasks.corpus.jsonl import iter_jsonl
from vntasks.pipeline.document import Dispatch
from vntasks.pipeline.normalise import normalise_text
from vntasks.pipeline.segment import Segmenter, segment

# Measured 2026-11-22: P 0.990, R 1.000, F1 0.995 on the 122 web passages. The
# rules were written while reading those passages, so this floor guards against
# regressions; it is not an estimate for unseen provinces.
WEB_F1_FLOOR = 0.97


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def match_paragraphs(predicted: list[str], gold: list[str]) -> int:
    """One-to-one matches between texts equal after collapsing whitespace."""
    left = [_collapse(t) for t in gold]
    hits = 0
    for text in predicted:
        key = _collapse(text)
        if key in left:
            left.remove(key)
            hits += 1
    return hits


def _seed_records(seeds_gold):
    return [json.loads(line) for line in seeds_gold.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------- seeds: exact

def test_seeds_paragraphs_equal_gold(seeds_dir, seeds_gold):
    for record in _seed_records(seeds_gold):
        _, paragraphs = segment((seeds_dir / record["source"]).read_text(encoding="utf-8"))
        got = [(p.number, p.text) for p in paragraphs]
        want = [(p["number"], p["text"]) for p in record["paragraphs"]]
        assert got == want, record["id"]


def test_seed_offsets_cover_their_paragraphs(seeds_dir, seeds_gold):
    for record in _seed_records(seeds_gold):
        text = normalise_text((seeds_dir / record["source"]).read_text(encoding="utf-8"))
        _, paragraphs = segment(text)
        for p in paragraphs:
            span = text[p.start:p.end]
            assert span.find(p.text.split("\n")[0][:40]) >= 0
            assert _collapse(p.text.split("\n")[-1][-40:]) in _collapse(span)


# ---------------------------------------------------------------- web passages

@pytest.fixture(scope="module")
def web_segmented(shared_corpus):
    out = []
    for record in iter_jsonl(shared_corpus / "web.jsonl"):
        gold = record if isinstance(record, dict) else record[1]
        text = (shared_corpus / "web" / gold["source"]).read_text(encoding="utf-8")
        out.append((gold, segment(text)))
    return out


def test_web_segmentation_f1(web_segmented, report):
    tp = n_pred = n_gold = 0
    for gold, (_, paragraphs) in web_segmented:
        predicted = [p.text for p in paragraphs]
        wanted = [p["text"] for p in gold["paragraphs"]]
        tp += match_paragraphs(predicted, wanted)
        n_pred += len(predicted)
        n_gold += len(wanted)
    precision, recall = tp / n_pred, tp / n_gold
    f1 = 2 * precision * recall / (precision + recall)
    report("segmentation on web passages (developed on them)",
           f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f} ({tp} of {n_gold} gold, {n_pred} predicted, "
           f"{len(web_segmented)} passages)")
    assert n_gold == 403
    assert f1 >= WEB_F1_FLOOR


def test_web_numbers_of_matched_paragraphs(web_segmented):
    """Where a paragraph is found, its printed number is the gold one."""
    wrong = []
    for gold, (_, paragraphs) in web_segmented:
        by_text = {_collapse(p["text"]): p["number"] for p in gold["paragraphs"]}
        for p in paragraphs:
            want = by_text.get(_collapse(p.text))
            if want is not None and want != p.number:
                wrong.append((gold["id"], p.number, want))
    assert wrong == []


# ---------------------------------------------------------------- invented snippets

def texts(text: str) -> list[tuple[str, str]]:
    return [(p.number, p.text) for p in segment(text)[1]]


@pytest.mark.parametrize(
    "markers, numbers",
    [
        (["1.", "2."], ["1", "2"]),
        (["1)", "2)"], ["1", "2"]),
        (["1-", "2-"], ["1", "2"]),
        (["1/", "2/"], ["1", "2"]),
        (["a)", "b)"], ["a", "b"]),
        (["a.", "b."], ["a", "b"]),
        (["Một là,", "Hai là,"], ["Một", "Hai"]),
        (["Thứ nhất,", "Thứ hai,"], ["Thứ nhất", "Thứ hai"]),
        (["Thứ nhất:", "Thứ 2:"], ["Thứ nhất", "Thứ 2"]),
        (["Điều 1.", "Điều 2."], ["1", "2"]),
        (["Điều 1:", "Điều 2:"], ["1", "2"]),
    ],
)
def test_numbering_styles(markers, numbers):
    text = (
        "UBND huyện yêu cầu các đơn vị thực hiện các nội dung sau:\n\n"
        f"{markers[0]} Sở Y tế tăng cường giám sát dịch bệnh.\n\n"
        f"{markers[1]} Phòng Giáo dục và Đào tạo chỉ đạo các trường học vệ sinh lớp học.\n"
    )
    assert texts(text) == [
        (numbers[0], "Sở Y tế tăng cường giám sát dịch bệnh."),
        (numbers[1], "Phòng Giáo dục và Đào tạo chỉ đạo các trường học vệ sinh lớp học."),
    ]


def test_number_glued_to_text():
    assert texts("1.Giao Sở Y tế lấy mẫu xét nghiệm.\n2.Giao Công an tỉnh lập chốt kiểm soát.") == [
        ("1", "Giao Sở Y tế lấy mẫu xét nghiệm."),
        ("2", "Giao Công an tỉnh lập chốt kiểm soát."),
    ]


def test_sub_items_and_continuations_stay_inside_their_item():
    text = (
        "1. Sở Y tế:\n"
        "a) Tăng cường giám sát;\n"
        "b) Chuẩn bị thuốc, vật tư.\n\n"
        "Đối với các ca nghi nhiễm, phải cách ly ngay.\n\n"
        "2. Công an tỉnh:\n"
        "- Lập chốt kiểm soát;\n"
        "+ Kiểm tra người ra vào.\n"
    )
    assert texts(text) == [
        ("1", "Sở Y tế:\na) Tăng cường giám sát;\nb) Chuẩn bị thuốc, vật tư.\n"
              "Đối với các ca nghi nhiễm, phải cách ly ngay."),
        ("2", "Công an tỉnh:\n- Lập chốt kiểm soát;\n+ Kiểm tra người ra vào."),
    ]


def test_decimal_and_paren_sub_items_are_not_units():
    text = "1. Sở Y tế thực hiện:\n1.1. Giám sát dịch;\n(1) Lấy mẫu;\n2. Sở Tài chính bố trí kinh phí."
    assert [n for n, _ in texts(text)] == ["1", "2"]


def test_top_level_style_is_the_first_one_used():
    text = "1. Sở Y tế thực hiện:\n1) Giám sát dịch;\n2) Lấy mẫu xét nghiệm.\n2. Sở Tài chính bố trí kinh phí."
    assert texts(text) == [
        ("1", "Sở Y tế thực hiện:\n1) Giám sát dịch;\n2) Lấy mẫu xét nghiệm."),
        ("2", "Sở Tài chính bố trí kinh phí."),
    ]


def test_section_headings_are_context_not_units():
    text = (
        "I. NHIỆM VỤ CHUNG\n\n1. Các sở, ngành tăng cường tuyên truyền.\n\n"
        "II. NHIỆM VỤ CỤ THỂ\n\n1. Sở Y tế chủ trì giám sát dịch.\n\n2. Công an tỉnh lập chốt kiểm soát.\n"
    )
    paragraphs = segment(text)[1]
    assert [(p.number, p.section) for p in paragraphs] == [
        ("1", "NHIỆM VỤ CHUNG"), ("1", "NHIỆM VỤ CỤ THỂ"), ("2", "NHIỆM VỤ CỤ THỂ")]
    assert paragraphs[0].text == "Các sở, ngành tăng cường tuyên truyền."


def test_page_break_rejoined():
    text = (
        "1. Từng cấp, từng ngành chủ động phương án trong phạm vi chức năng, nhiệm vụ, quyền\n\n"
        "hạn và địa bàn quản lý.\n\n2. Sở Y tế chuẩn bị vật tư.\n"
    )
    assert texts(text)[0] == ("1", "Từng cấp, từng ngành chủ động phương án trong phạm vi chức năng, "
                                   "nhiệm vụ, quyền hạn và địa bàn quản lý.")


def test_hard_wrapped_lines_rejoined():
    text = (
        "Theo đó, UBND tỉnh yêu cầu Sở Nông nghiệp và Phát triển nông thôn tăng cường công tác kiểm\n"
        "dịch động vật, kiểm soát chặt chẽ việc vận chuyển gia súc, gia cầm ra vào địa bàn tỉnh và chỉ đạo\n"
        "Chi cục Thú y lấy mẫu giám sát tại các chợ buôn bán gia cầm, cơ sở giết mổ trên địa bàn.\n"
        "UBND tỉnh yêu cầu UBND các huyện, thị xã, thành phố chỉ đạo chính quyền cấp xã tổ chức\n"
        "thực hiện tốt các biện pháp phòng, chống dịch bệnh, giám sát chặt chẽ đàn gia súc, gia cầm.\n"
        "UBND tỉnh cũng yêu cầu Công an tỉnh phối hợp với lực lượng thú y kiểm soát việc vận chuyển\n"
        "gia súc, gia cầm và sản phẩm gia súc, gia cầm qua các trạm kiểm soát trên các tuyến đường.\n"
    )
    got = texts(text)
    assert len(got) == 3
    assert got[0][1].startswith("Theo đó, UBND tỉnh yêu cầu") and "chỉ đạo Chi cục Thú y" in got[0][1]


def test_duplicate_numbers_kept_in_order():
    text = "1. Sở Y tế giám sát dịch.\n1. Văn phòng UBND tham mưu kế hoạch.\n2. Sở Tài chính bố trí kinh phí."
    assert [n for n, _ in texts(text)] == ["1", "1", "2"]


def test_unmarked_body_one_unit_per_instruction_after_lead_in():
    text = (
        "Tăng cường phòng, chống dịch sốt xuất huyết\n\n"
        "Ngày 12/3/2024, UBND tỉnh ban hành Công văn số 123/UBND-KGVX về việc tăng cường phòng, chống dịch "
        "sốt xuất huyết.\n\n"
        "Ảnh minh họa\n\n"
        "Theo đó, UBND tỉnh yêu cầu:\n\n"
        "Sở Y tế chủ trì, phối hợp với các địa phương giám sát chặt chẽ tình hình dịch bệnh.\n\n"
        "UBND các huyện, thị xã, thành phố chỉ đạo tổ chức chiến dịch diệt lăng quăng.\n\n"
        "Sốt xuất huyết là bệnh truyền nhiễm do muỗi vằn truyền.\n\n"
        "Minh Anh\n"
    )
    assert texts(text) == [
        ("", "Sở Y tế chủ trì, phối hợp với các địa phương giám sát chặt chẽ tình hình dịch bệnh."),
        ("", "UBND các huyện, thị xã, thành phố chỉ đạo tổ chức chiến dịch diệt lăng quăng."),
    ]


def test_news_lead_with_its_own_task_is_a_unit():
    text = (
        "Ngày 5/8, UBND tỉnh ban hành văn bản giao Công an tỉnh lập chốt kiểm soát tại các cửa ngõ vào tỉnh.\n\n"
        "UBND tỉnh cũng giao Sở Công Thương bảo đảm cung ứng hàng hóa thiết yếu cho người dân.\n"
    )
    assert len(texts(text)) == 2


def test_lead_repeated_by_the_body_is_dropped():
    text = (
        "Chủ tịch UBND tỉnh yêu cầu Sở Giáo dục và Đào tạo chuẩn bị cho học sinh trở lại trường vào ngày 22-2.\n\n"
        "Theo đó, Chủ tịch UBND tỉnh đề nghị các ngành, địa phương tuyệt đối không được chủ quan.\n\n"
        "Ngoài ra, Chủ tịch UBND tỉnh yêu cầu Sở Giáo dục và Đào tạo chuẩn bị cho học sinh trở lại trường "
        "vào ngày 22-2, bảo đảm đầy đủ các biện pháp phòng, chống dịch.\n"
    )
    got = [t for _, t in texts(text)]
    assert len(got) == 2 and got[0].startswith("Theo đó")


def test_background_figures_and_reports_are_not_units():
    text = (
        "Theo đó, Sở Y tế tăng cường giám sát các ổ dịch.\n\n"
        "Tính đến ngày 6/8, toàn tỉnh ghi nhận 120 ca mắc.\n\n"
        "Trước đó, ngày 1/8, Trung tâm Y tế huyện đã tổ chức phun hóa chất tại xã An Bình.\n\n"
        "Theo ông Nguyễn Văn A, Giám đốc Sở Y tế, tình hình dịch còn phức tạp.\n"
    )
    assert [t for _, t in texts(text)] == ["Theo đó, Sở Y tế tăng cường giám sát các ổ dịch."]


def test_bulleted_body_after_lead_in():
    text = (
        "Thực hiện chỉ đạo của Thủ tướng tại các văn bản:\n"
        "- Công điện số 15/CĐ-TTg ngày 2/5/2021 của Thủ tướng Chính phủ;\n"
        "Ủy ban nhân dân tỉnh chỉ đạo như sau:\n"
        "- Các sở, ngành tiếp tục thực hiện nghiêm các biện pháp phòng, chống dịch theo hướng dẫn của Bộ Y tế.\n"
        "- Sở Y tế chủ trì tổ chức tiêm vắc xin cho người dân.\n"
        "Yêu cầu các cơ quan, đơn vị, địa phương tổ chức triển khai thực hiện nghiêm túc./.\n"
    )
    assert texts(text) == [
        ("", "Các sở, ngành tiếp tục thực hiện nghiêm các biện pháp phòng, chống dịch theo hướng dẫn của Bộ Y tế."),
        ("", "Sở Y tế chủ trì tổ chức tiêm vắc xin cho người dân."),
    ]


def test_preamble_closing_and_footer_excluded():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH AN BÌNH\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 12/UBND-VX\nV/v phòng, chống dịch\n\nAn Bình, ngày 3 tháng 4 năm 2022\n\n"
        "Kính gửi:\n- Các sở, ban, ngành tỉnh;\n- UBND các huyện.\n\n"
        "Thực hiện Công điện số 15/CĐ-TTg, UBND tỉnh yêu cầu:\n\n"
        "1. Sở Y tế tăng cường giám sát.\n\n2. UBND các huyện lập chốt kiểm soát.\n\n"
        "Với nội dung trên, các đơn vị triển khai thực hiện./.\n\n"
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn Bình\n"
    )
    assert texts(text) == [("1", "Sở Y tế tăng cường giám sát."), ("2", "UBND các huyện lập chốt kiểm soát.")]


def test_tail_in_the_issuers_voice_is_its_own_unit():
    text = (
        "UBND tỉnh chỉ đạo như sau:\n\nMột là: Tạm dừng các lễ hội.\n\nHai là: Tạm dừng hoạt động karaoke.\n\n"
        "UBND tỉnh cũng giao Sở Y tế chủ trì, phối hợp với các địa phương"
    )
    assert texts(text) == [("Một", "Tạm dừng các lễ hội."), ("Hai", "Tạm dừng hoạt động karaoke."),
                           ("", "UBND tỉnh cũng giao Sở Y tế chủ trì, phối hợp với các địa phương")]


def test_cut_off_last_item_kept():
    text = ("Theo đó, UBND tỉnh yêu cầu Sở Y tế giám sát chặt chẽ dịch bệnh.\n\n"
            "Sở Thông tin và Truyền thông chỉ đạo các cơ quan báo chí tuyên truy")
    assert [t for _, t in texts(text)][-1] == "Sở Thông tin và Truyền thông chỉ đạo các cơ quan báo chí tuyên truy"
    assert texts("Theo đó, UBND tỉnh yêu cầu Sở Y tế giám sát dịch bệnh.\n\nSở Tài Chí")[-1] == ("", "Sở Tài Chí")


def test_byline_and_source_are_not_cut_off_items():
    text = "Theo đó, UBND tỉnh yêu cầu Sở Y tế giám sát dịch bệnh.\n\nThanh Hương"
    assert len(texts(text)) == 1
    assert len(texts(text.replace("Thanh Hương", "Nguồn: baobinhduong.vn"))) == 1


def test_markdown_and_page_wrappers_do_not_leak():
    text = (
        "**Chi tiết bài viết**\n\n| Ảnh minh họa |\n\n**1.** Sở Y tế **khẩn trương** tổ chức tiêm vắc xin.\n\n"
        "**2.** Sở Tài chính bố trí kinh phí.\n\nXem chi tiết văn bản tại đây./.\n"
    )
    assert texts(text) == [("1", "Sở Y tế khẩn trương tổ chức tiêm vắc xin."), ("2", "Sở Tài chính bố trí kinh phí.")]


def test_photo_credit_glued_to_the_next_sentence_is_cut():
    text = ("Trẻ tiêm vắc xin tại trạm y tế - Ảnh: THU HIỀNNgày 6-9, UBND thành phố có văn bản gửi các sở, "
            "UBND các quận triển khai chiến dịch tiêm chủng vắc xin sởi.")
    assert texts(text) == [("", "Ngày 6-9, UBND thành phố có văn bản gửi các sở, UBND các quận triển khai "
                                "chiến dịch tiêm chủng vắc xin sởi.")]


def test_no_header_and_no_body():
    header, paragraphs = segment("Sở Y tế chủ trì giám sát dịch bệnh.")
    assert paragraphs[0].text == "Sở Y tế chủ trì giám sát dịch bệnh." and header.issuer is None
    assert segment("")[1] == []
    assert segment("Thanh Hương\n\n12/03/2020 10:31")[1] == []


def test_offsets_point_into_the_normalised_text():
    raw = "Kính gửi:\r\n- Các sở.\r\n\r\n1.\u00a0Sở Y tế giám sát dịch.\r\n2. Công an tỉnh lập chốt."
    text = normalise_text(raw)
    for p in segment(raw)[1]:
        assert text[p.start:p.end].endswith(p.text.split("\n")[-1])


def test_segmenter_stage_fills_header_and_paragraphs():
    stage = Segmenter()
    assert stage.name == "segment" and stage.requires == {"text"} and stage.provides == {"header", "paragraphs"}
    doc = stage(Dispatch(id="x", source="x.txt", text=normalise_text("Theo đó, UBND tỉnh yêu cầu Sở Y tế giám sát.")))
    assert doc.header.issuer == "UBND tỉnh"
    assert [p.text for p in doc.paragraphs] == ["Theo đó, UBND tỉnh yêu cầu Sở Y tế giám sát."]
    assert all(p.actions == [] and p.agencies == [] and p.mentions == [] for p in doc.paragraphs)


@pytest.mark.parametrize(
    "text",
    [
        "Nguồn lực phòng, chống dịch phải được bảo đảm đầy đủ.",
        "Cập nhật danh sách người về từ vùng dịch hằng ngày.",
        "Hiện nay, dịch bệnh diễn biến phức tạp, các địa phương cần chủ động phương án.",
        "Thời gian qua, dịch đã lan rộng; các đơn vị phải tăng cường giám sát.",
    ],
)
def test_instructions_that_look_like_furniture_or_background(text):
    assert texts(f"Theo đó, UBND tỉnh yêu cầu Sở Y tế giám sát dịch.\n\n{text}\n\nSở Tài chính bố trí kinh phí.")[1] \
        == ("", text)


@pytest.mark.parametrize(
    "text",
    [
        "Thời gian qua, Sở Y tế đã chỉ đạo các trạm y tế phun hóa chất diệt muỗi.",
        "Ngày 3/4, UBND tỉnh vừa ban hành Công văn số 88/UBND-VX về việc phòng, chống dịch sởi.",
        "UBND tỉnh vừa có văn bản yêu cầu các sở, ngành triển khai thực hiện các nội dung liên quan.",
        "Phạm vi cách ly gồm 14 xã, phường với 24.759 hộ gia đình.",
        "Sởi là bệnh truyền nhiễm lây qua đường hô hấp.",
    ],
)
def test_news_sentences_that_are_not_instructions(text):
    got = texts(f"{text}\n\nSở Y tế giám sát chặt chẽ dịch bệnh.\n\nSở Tài chính bố trí kinh phí.")
    assert [t for _, t in got] == ["Sở Y tế giám sát chặt chẽ dịch bệnh.", "Sở Tài chính bố trí kinh phí."]


def test_sub_bullets_stay_with_their_unmarked_unit():
    text = (
        "Chủ tịch UBND tỉnh yêu cầu:\n"
        "- Giám đốc Sở Y tế: Chỉ đạo các cơ sở y tế sẵn sàng thu dung bệnh nhân;\n"
        "+ Tổ chức tập huấn cho nhân viên y tế;\n"
        "+ Dự trữ thuốc, vật tư.\n"
        "- Giám đốc Công an tỉnh chỉ đạo truy vết các trường hợp F1.\n"
    )
    assert texts(text) == [
        ("", "Giám đốc Sở Y tế: Chỉ đạo các cơ sở y tế sẵn sàng thu dung bệnh nhân;\n"
             "+ Tổ chức tập huấn cho nhân viên y tế;\n+ Dự trữ thuốc, vật tư."),
        ("", "Giám đốc Công an tỉnh chỉ đạo truy vết các trường hợp F1."),
    ]


def test_unit_announcing_details_keeps_them():
    text = (
        "UBND tỉnh chỉ đạo Công an tỉnh, Sở Y tế thành lập 3 chốt kiểm soát dịch bệnh. Cụ thể như sau:\n"
        "Chốt 1: Quốc lộ 20 tại huyện A.\n"
        "Chốt 2: Quốc lộ 28 tại huyện B.\n"
        "UBND tỉnh giao Công an tỉnh chủ trì, phối hợp với Sở Y tế quyết định thành lập chốt.\n"
    )
    got = texts(text)
    assert len(got) == 2
    assert got[0][1].endswith("Chốt 1: Quốc lộ 20 tại huyện A.\nChốt 2: Quốc lộ 28 tại huyện B.")


def test_heading_in_capitals_without_numeral_ends_the_item():
    text = ("1. Sở Y tế giám sát dịch.\n\nNHIỆM VỤ CỦA CÁC ĐỊA PHƯƠNG\n\n"
            "2. UBND các huyện lập chốt kiểm soát.\n")
    paragraphs = segment(text)[1]
    assert [(p.number, p.text, p.section) for p in paragraphs] == [
        ("1", "Sở Y tế giám sát dịch.", None), ("2", "UBND các huyện lập chốt kiểm soát.", "NHIỆM VỤ CỦA CÁC ĐỊA PHƯƠNG")]


def test_news_background_after_the_list_is_not_continuation():
    text = ("UBND tỉnh yêu cầu:\n1. Sở Y tế giám sát dịch.\n2. Công an tỉnh lập chốt kiểm soát.\n"
            "Trước đó, ngày 3/5, tỉnh đã ghi nhận 12 ca mắc tại xã An Phú.\n")
    assert texts(text)[-1] == ("2", "Công an tỉnh lập chốt kiểm soát.")
