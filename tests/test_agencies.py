"""The agency tagger (GUIDELINE §3): mentions, categories, roles, paragraph agencies.

Sentences are invented in the style of real dispatches (or taken from the
customer's seeds); none is copied from the web passages.
"""
from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from vntasks.pipeline.agencies import AgencyTagger, Lexicon, LexiconError
from vntasks.pipeline.document import Dispatch, Header, Paragraph


@pytest.fixture(scope="module")
def tagger() -> AgencyTagger:
    return AgencyTagger(Lexicon.load())


def tag(tagger: AgencyTagger, text: str, issuer: str | None = None) -> Paragraph:
    paragraph = tagger.tag(Paragraph("1", text), issuer)
    for m in paragraph.mentions:  # every mention is an exact slice of the printed text
        assert text[m.start:m.end] == m.text
    return paragraph


def found(paragraph: Paragraph) -> list[tuple[str, str, str]]:
    return [(m.text, m.category, m.role) for m in paragraph.mentions]


# -- names, levels and categories ---------------------------------------------------------

@pytest.mark.parametrize("text, mention, category", [
    ("UBND các xã, phường triển khai ngay việc rà soát.", "UBND các xã, phường", "local_government"),
    ("Ủy ban nhân dân các huyện, thị xã, thành phố tổ chức kiểm tra.",
     "Ủy ban nhân dân các huyện, thị xã, thành phố", "local_government"),
    ("Ban CHQS huyện bố trí lực lượng tại các chốt.", "Ban CHQS huyện", "military"),
    ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh tăng cường tuần tra biên giới.",
     "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "military"),
    ("BCĐ phòng, chống dịch Covid-19 huyện họp đánh giá tình hình.",
     "BCĐ phòng, chống dịch Covid-19 huyện", "steering_committee"),
    ("Sở TT&TT hướng dẫn các cơ quan báo chí đưa tin.", "Sở TT&TT", "culture_information"),
    ("Phòng LĐ-TB&XH rà soát đối tượng được hỗ trợ.", "Phòng LĐ-TB&XH", "labour_social"),
    ("Phòng Lao động, Thương binh và Xã hội lập danh sách.", "Phòng Lao động, Thương binh và Xã hội", "labour_social"),
    ("Ủy ban MTTQ huyện vận động nhân dân ủng hộ.", "Ủy ban MTTQ huyện", "front_mass_orgs"),
    ("Phòng Văn hóa - Thông tin tăng cường tuyên truyền.", "Phòng Văn hóa - Thông tin", "culture_information"),
    ("Trung tâm Y tế huyện lấy mẫu xét nghiệm.", "Trung tâm Y tế huyện", "health"),
    ("Trạm Y tế xã theo dõi sức khỏe người về từ vùng dịch.", "Trạm Y tế xã", "health"),
    ("Công an thị xã xử lý nghiêm các trường hợp vi phạm.", "Công an thị xã", "police"),
    ("Chi cục Thú y giám sát đàn gia cầm.", "Chi cục Thú y", "agriculture"),
    ("Sở GD&ĐT chỉ đạo các trường học khử khuẩn.", "Sở GD&ĐT", "education"),
    ("Văn phòng HĐND và UBND huyện tổng hợp báo cáo.", "Văn phòng HĐND và UBND huyện", "office"),
    ("Sở Tài nguyên và Môi trường hướng dẫn xử lý chất thải.", "Sở Tài nguyên và Môi trường", "other"),
    ("Ban Quản lý các khu công nghiệp kiểm tra các doanh nghiệp.", "Ban Quản lý các khu công nghiệp", "other"),
    ("Sở Giao thông vận tải tạm dừng các tuyến xe khách.", "Sở Giao thông vận tải", "transport"),
    ("Chi cục Quản lý thị trường kiểm soát giá khẩu trang.", "Chi cục Quản lý thị trường", "industry_trade"),
    ("Kho bạc Nhà nước tỉnh bảo đảm kinh phí chi trả.", "Kho bạc Nhà nước tỉnh", "finance"),
    ("Các cấp ủy, tổ chức đảng lãnh đạo thực hiện nghiêm.", "Các cấp ủy, tổ chức đảng", "party"),
    ("Chủ tịch UBND các xã chịu trách nhiệm trước UBND huyện.", "Chủ tịch UBND các xã", "local_government"),
    ("Giám đốc Sở Y tế báo cáo kết quả.", "Giám đốc Sở Y tế", "health"),
    ("Sở Y tế thành phố Cao Lộc chủ trì.", "Sở Y tế thành phố Cao Lộc", "health"),
])
def test_names_levels_and_categories(tagger, text, mention, category):
    paragraph = tag(tagger, text)
    assert found(paragraph)[0] == (mention, category, "lead")
    assert paragraph.agencies == [category]
    assert paragraph.scores["agencies"] == {category: 1.0}


def test_old_tone_spelling_is_matched_and_kept_as_printed(tagger):
    paragraph = tag(tagger, "Uỷ ban nhân dân các xã, thị trấn và Huyện uỷ chỉ đạo quyết liệt.")
    assert found(paragraph) == [
        ("Uỷ ban nhân dân các xã, thị trấn", "local_government", "lead"),
        ("Huyện uỷ", "party", "lead"),
    ]


def test_mention_stops_before_an_area_phrase(tagger):
    paragraph = tag(tagger, "Các cơ quan báo chí trên địa bàn tỉnh đẩy mạnh tuyên truyền.")
    assert found(paragraph) == [("Các cơ quan báo chí", "culture_information", "lead")]


# -- lists ------------------------------------------------------------------------------------

def test_levels_sharing_one_head_are_one_mention(tagger):
    paragraph = tag(tagger, "UBND các huyện, thành phố và Trung tâm Y tế các huyện, thành phố rà soát ngay.")
    assert found(paragraph) == [
        ("UBND các huyện, thành phố", "local_government", "lead"),
        ("Trung tâm Y tế các huyện, thành phố", "health", "lead"),
    ]


def test_sectors_sharing_a_head_are_separate_mentions(tagger):
    paragraph = tag(tagger, "Sở Y tế, Công Thương theo chức năng kiểm tra việc cung ứng thuốc.")
    assert found(paragraph) == [("Sở Y tế", "health", "lead"), ("Công Thương", "industry_trade", "lead")]


def test_sectors_listed_after_a_colon(tagger):
    paragraph = tag(tagger, "Các sở: Y tế, Tài chính và UBND các huyện khẩn trương thực hiện.")
    assert found(paragraph) == [
        ("Y tế", "health", "lead"),
        ("Tài chính", "finance", "lead"),
        ("UBND các huyện", "local_government", "lead"),
    ]
    assert paragraph.agencies == ["health", "finance", "local_government"]


def test_school_kinds_sharing_one_head_stay_one_mention(tagger):
    paragraph = tag(tagger, "Các trường mầm non, tiểu học tạm dừng đón học sinh.")
    assert found(paragraph) == [("Các trường mầm non, tiểu học", "education", "lead")]


def test_catch_all_run_and_generic_addressees(tagger):
    paragraph = tag(tagger, "Các sở, ban, ngành, đoàn thể tỉnh; UBND các huyện thực hiện nghiêm chỉ đạo trên.")
    assert found(paragraph) == [
        ("Các sở, ban, ngành, đoàn thể tỉnh", "all_units", "lead"),
        ("UBND các huyện", "local_government", "lead"),
    ]
    paragraph = tag(tagger, "Các cơ quan, đơn vị, địa phương chủ động rà soát kế hoạch.")
    assert found(paragraph) == [("Các cơ quan, đơn vị, địa phương", "all_units", "lead")]
    paragraph = tag(tagger, "Các ngành, các cấp tiếp tục thực hiện nghiêm các biện pháp.")
    assert found(paragraph) == [("Các ngành, các cấp", "all_units", "lead")]


def test_localities_alone_are_local_government(tagger):
    paragraph = tag(tagger, "Các địa phương tổ chức tiêm vắc xin cho người dân.")
    assert found(paragraph) == [("Các địa phương", "local_government", "lead")]


def test_organise_is_not_an_organisation(tagger):
    paragraph = tag(tagger, "Tổ chức tập huấn cho nhân viên y tế tuyến xã.")
    assert paragraph.mentions == []
    assert paragraph.agencies == ["all_units"]


def test_title_and_unit_glued_by_word_segmentation_are_split(tagger):
    paragraph = tag(tagger, "Trưởng Phòng Y tế huyện chịu trách nhiệm theo dõi diễn biến dịch.")
    assert found(paragraph) == [("Trưởng Phòng Y tế huyện", "health", "lead")]
    paragraph = tag(tagger, "Báo Cao Bằng, Đài Phát thanh - Truyền hình tỉnh đưa tin kịp thời.")
    assert found(paragraph) == [("Báo Cao Bằng", "culture_information", "lead"),
                                ("Đài Phát thanh - Truyền hình tỉnh", "culture_information", "lead")]


def test_common_misspellings_and_quotes(tagger):
    # underthesea respells "nghành" as "ngành"; the mention keeps the printed text
    paragraph = tagger.tag(Paragraph("1", "Các nghành chức năng  và  Uỷ ban nhân dân xã\nthực hiện.",
                                     tokens=["Các", "ngành", "chức năng", "và", "Ủy ban nhân dân", "xã", "thực hiện", "."]))
    assert found(paragraph) == [("Các nghành chức năng", "all_units", "lead"),
                                ("Uỷ ban nhân dân xã", "local_government", "lead")]
    assert found(tag(tagger, "“Sở Y tế” chủ trì.")) == [("Sở Y tế", "health", "lead")]


def test_place_names_are_not_agencies(tagger):
    paragraph = tag(tagger, "UBND thành phố Hội An và UBND thành phố Hải Phòng rà soát.")
    assert [m.text for m in paragraph.mentions] == ["UBND thành phố Hội An", "UBND thành phố Hải Phòng"]


def test_a_name_cut_off_with_the_passage_takes_the_sector_it_begins(tagger):
    paragraph = tag(tagger, "Sở Y tế chủ trì. Sở Tài Chí")
    assert found(paragraph)[-1] == ("Sở Tài Chí", "finance", "lead")
    paragraph = tag(tagger, "Giao UBND các xã, phư")
    assert found(paragraph) == [("UBND các xã, phư", "local_government", "lead")]


def test_party_bodies_of_a_committee_stay_one_mention(tagger):
    paragraph = tag(tagger, "Ban Tuyên giáo Huyện ủy định hướng công tác tuyên truyền.")
    assert found(paragraph) == [("Ban Tuyên giáo Huyện ủy", "party", "lead")]


def test_two_kinds_of_body_in_one_list_are_two_mentions(tagger):
    paragraph = tag(tagger, "Các trường học, doanh nghiệp trên địa bàn chủ động phòng dịch.")
    assert found(paragraph) == [("Các trường học", "education", "lead"), ("doanh nghiệp", "other", "lead")]


def test_levels_run_after_cap(tagger):
    paragraph = tag(tagger, "UBND các huyện chỉ đạo cấp xã, phường, thị trấn thống kê người về từ vùng dịch.")
    assert found(paragraph)[-1] == ("cấp xã, phường, thị trấn", "local_government", "lead")


# -- roles ------------------------------------------------------------------------------------

def test_lead_and_support_from_chu_tri_phoi_hop(tagger):
    paragraph = tag(tagger, "Sở Y tế chủ trì, phối hợp với Công an tỉnh, UBND các huyện tổ chức truy vết.")
    assert found(paragraph) == [
        ("Sở Y tế", "health", "lead"),
        ("Công an tỉnh", "police", "support"),
        ("UBND các huyện", "local_government", "support"),
    ]
    assert paragraph.agencies == ["health"]


def test_subject_that_cooperates_leads(tagger):
    paragraph = tag(tagger, "Sở GD&ĐT phối hợp chặt chẽ với Sở Y tế hướng dẫn phòng bệnh trong trường học.")
    assert found(paragraph) == [("Sở GD&ĐT", "education", "lead"), ("Sở Y tế", "health", "support")]


def test_cung_makes_support(tagger):
    paragraph = tag(tagger, "Sở Thông tin và Truyền thông chủ trì, cùng Đài Phát thanh và Truyền hình tỉnh đưa tin.")
    assert found(paragraph) == [
        ("Sở Thông tin và Truyền thông", "culture_information", "lead"),
        ("Đài Phát thanh và Truyền hình tỉnh", "culture_information", "support"),
    ]


def test_giao_marks_the_one_given_work_not_the_giver(tagger):
    paragraph = tag(tagger, "UBND tỉnh giao Bộ Chỉ huy Quân sự tỉnh, Sở Y tế chủ động phối hợp với Công an tỉnh.",
                    issuer="UBND tỉnh Cao Bằng")
    assert found(paragraph) == [
        ("Bộ Chỉ huy Quân sự tỉnh", "military", "lead"),
        ("Sở Y tế", "health", "lead"),
        ("Công an tỉnh", "police", "support"),
    ]


def test_de_nghi(tagger):
    paragraph = tag(tagger, "Đề nghị Ủy ban MTTQ Việt Nam huyện và các tổ chức chính trị - xã hội huyện vận động nhân dân.")
    assert found(paragraph) == [
        ("Ủy ban MTTQ Việt Nam huyện", "front_mass_orgs", "lead"),
        ("các tổ chức chính trị - xã hội huyện", "front_mass_orgs", "lead"),
    ]


def test_issuer_giving_the_order_is_not_marked(tagger):
    issuer = "UBND tỉnh Hà Giang"
    paragraph = tag(tagger, "Chủ tịch UBND tỉnh chỉ đạo Công an tỉnh lập chốt kiểm soát.", issuer=issuer)
    assert found(paragraph) == [("Công an tỉnh", "police", "lead")]
    paragraph = tag(tagger, "Theo đó, UBND tỉnh yêu cầu: UBND các huyện rà soát người về từ vùng dịch.", issuer=issuer)
    assert found(paragraph) == [("UBND các huyện", "local_government", "lead")]


def test_a_body_that_requires_something_of_others_is_given_work_too(tagger):
    # §3.1: in "X chỉ đạo / yêu cầu Y" X acts as well, unless X is the issuer or a province authority
    paragraph = tag(tagger, "Ban Quản lý các khu công nghiệp tỉnh yêu cầu các doanh nghiệp xây dựng phương án.",
                    issuer="UBND tỉnh Hà Nam")
    assert found(paragraph) == [("Ban Quản lý các khu công nghiệp tỉnh", "other", "lead"),
                                ("các doanh nghiệp", "other", "lead")]
    paragraph = tag(tagger, "Thường trực Tỉnh ủy yêu cầu các cấp ủy, tổ chức đảng lãnh đạo thực hiện.")
    assert found(paragraph) == [("các cấp ủy, tổ chức đảng", "party", "lead")]


def test_an_abbreviation_in_parentheses_is_not_another_mention(tagger):
    paragraph = tag(tagger, "Trung tâm Kiểm soát bệnh tật tỉnh (CDC) hướng dẫn các Trạm Y tế xã.")
    assert found(paragraph) == [("Trung tâm Kiểm soát bệnh tật tỉnh", "health", "lead"),
                                ("các Trạm Y tế xã", "health", "lead")]


def test_a_lower_body_that_directs_its_units_leads(tagger):
    paragraph = tag(tagger, "UBND các huyện chỉ đạo UBND cấp xã tổ chức tiêm phòng.", issuer="UBND tỉnh Hà Giang")
    assert found(paragraph) == [("UBND các huyện", "local_government", "lead"),
                                ("UBND cấp xã", "local_government", "lead")]


def test_cited_authors_report_recipients_and_advisees_are_not_marked(tagger):
    paragraph = tag(tagger, "Sở Y tế tham mưu cho UBND tỉnh triển khai Công văn số 12/BYT-DP của Bộ Y tế; "
                            "báo cáo UBND tỉnh trước ngày 15/3.")
    assert found(paragraph) == [("Sở Y tế", "health", "lead")]
    paragraph = tag(tagger, "Tiếp tục thực hiện nghiêm Công văn số 5308/UBND-VXNV ngày 13/8/2021 của Ủy ban nhân dân tỉnh.")
    assert paragraph.mentions == [] and paragraph.agencies == ["all_units"]


def test_related_units_support_named_leads_and_lead_alone(tagger):
    paragraph = tag(tagger, "Phòng Y tế, UBND các xã và các đơn vị liên quan tăng cường kiểm tra.")
    assert found(paragraph)[-1] == ("các đơn vị liên quan", "all_units", "support")
    assert paragraph.agencies == ["health", "local_government"]
    paragraph = tag(tagger, "Các đơn vị liên quan tăng cường kiểm tra.")
    assert found(paragraph) == [("Các đơn vị liên quan", "all_units", "lead")]


def test_lead_own_units_after_chi_dao_are_not_marked(tagger):
    paragraph = tag(tagger, "Sở Y tế chỉ đạo các đơn vị trực thuộc sẵn sàng thu dung người bệnh.")
    assert found(paragraph) == [("Sở Y tế", "health", "lead")]


def test_single_sector_issuer_gives_its_units_its_category(tagger):
    paragraph = tag(tagger, "Thủ trưởng các đơn vị bố trí cán bộ trực tại các chốt.", issuer="Công an tỉnh Lào Cai")
    assert found(paragraph) == [("Thủ trưởng các đơn vị", "police", "lead")]


def test_units_of_the_issuing_department(tagger):
    paragraph = tag(tagger, "Trưởng các phòng, đơn vị thuộc Sở bố trí cán bộ trực.", issuer="Sở Tư pháp tỉnh Bắc Kạn")
    assert found(paragraph) == [("Trưởng các phòng, đơn vị thuộc Sở", "other", "lead")]


def test_subject_after_a_fronted_clause_or_reported_speech(tagger):
    paragraph = tag(tagger, "Trong trường hợp phát hiện ca bệnh, các xã, thị trấn khoanh vùng ngay.")
    assert found(paragraph) == [("các xã, thị trấn", "local_government", "lead")]
    paragraph = tag(tagger, "Công văn nêu rõ, Sở Công Thương bảo đảm nguồn hàng thiết yếu.")
    assert found(paragraph) == [("Sở Công Thương", "industry_trade", "lead")]


def test_a_document_sent_to_bodies_with_a_task_makes_them_leads(tagger):
    paragraph = tag(tagger, "UBND tỉnh có văn bản gửi các sở, ngành, UBND các huyện triển khai tiêm chủng.",
                    issuer="UBND tỉnh Lai Châu")
    assert found(paragraph) == [("các sở, ngành", "all_units", "lead"), ("UBND các huyện", "local_government", "lead")]


def test_sent_with_a_purpose_is_support(tagger):
    # seed 000, item 2
    text = ("Đối với những tham mưu, đề xuất đề nghị các đơn vị gửi Văn bản về UBND thành phố qua "
            "Văn phòng HĐND-UBND thành phố để tổng hợp, báo cáo chung.")
    paragraph = tag(tagger, text, issuer="UBND thành phố Bắc Kạn")
    assert ("Văn phòng HĐND-UBND thành phố", "office", "support") in found(paragraph)
    assert all(m.text != "UBND thành phố" for m in paragraph.mentions)


def test_counts_and_past_actions_are_not_tasks(tagger):
    assert tag(tagger, "5 cơ sở cách ly tập trung đã được thiết lập.").mentions == []
    assert tag(tagger, "Hiện nay, ngành Y tế đã bố trí 120 giường bệnh.").mentions == []
    assert found(tag(tagger, "100% trường học tổ chức tổng vệ sinh.")) == [("100% trường học", "education", "lead")]


def test_the_quantifier_of_a_shared_head_list_stays_out(tagger):
    paragraph = tag(tagger, "Ngoài ra, các Sở Công Thương, Tài chính cần chủ động bảo đảm hàng hóa.")
    assert found(paragraph) == [("Sở Công Thương", "industry_trade", "lead"), ("Tài chính", "finance", "lead")]


def test_a_body_named_twice_is_marked_once(tagger):
    paragraph = tag(tagger, "Sở Y tế hướng dẫn cách ly. Sở Y tế tổng hợp kết quả xét nghiệm.")
    assert found(paragraph) == [("Sở Y tế", "health", "lead")]


def test_no_one_named_falls_back_to_all_units(tagger):
    paragraph = tag(tagger, "Chủ động triển khai các biện pháp phòng, chống dịch trên địa bàn.")
    assert paragraph.mentions == []
    assert paragraph.agencies == ["all_units"]
    assert paragraph.scores["agencies"] == {"all_units": 0.5}


# -- the stage ------------------------------------------------------------------------------

def test_stage_contract_and_document_header(tagger):
    assert tagger.name == "agencies"
    assert tagger.requires == frozenset({"paragraphs", "tokens"})
    assert tagger.provides == frozenset({"mentions", "agencies"})
    doc = Dispatch("d", "d.txt", header=Header(issuer="UBND huyện Ba Bể"), paragraphs=[
        Paragraph("1", "UBND huyện yêu cầu Phòng Y tế kiểm tra.", tokens=["UBND", "huyện", "yêu cầu", "Phòng", "Y tế", "kiểm tra", "."]),
        Paragraph("2", "Tiếp tục thực hiện nghiêm các văn bản."),
    ])
    out = tagger(doc)
    assert found(out.paragraphs[0]) == [("Phòng Y tế", "health", "lead")]
    assert out.paragraphs[1].agencies == ["all_units"]
    assert out.paragraphs[0].to_json()["mentions"][0] == {
        "text": "Phòng Y tế", "category": "health", "role": "lead", "start": 19, "end": 29}


def test_tokens_that_split_a_name_are_repaired(tagger):
    text = "Sở Lao động - Thương binh và Xã hội chủ trì."
    words = ["Sở Lao", "động", "-", "Thương binh", "và", "Xã", "hội chủ", "trì", "."]  # a bad segmentation
    paragraph = tagger.tag(Paragraph("1", text, tokens=words))
    assert found(paragraph) == [("Sở Lao động - Thương binh và Xã hội", "labour_social", "lead")]


# -- the lexicon ----------------------------------------------------------------------------

def test_lexicon_names_and_phrases():
    lexicon = Lexicon.load()
    names = lexicon.names()
    assert "Bộ Chỉ huy Quân sự" in names and "bộ Chỉ huy Quân sự" in names
    assert all(len(re.findall(r"\w+", n)) >= 2 for n in names)
    text = "phối hợp với uỷ ban nhân dân xã và Sở GD-ĐT, Sở Lao động Thương binh và Xã hội"
    assert [text[a:b] for a, b in lexicon.find_phrases(text)] == [
        "uỷ ban nhân dân", "GD-ĐT", "Lao động Thương binh và Xã hội"]
    assert lexicon.classes("Ủy ban nhân dân")["body"] == "local_government"
    assert lexicon.classes("UỶ BAN NHÂN DÂN") == lexicon.classes("Ủy ban nhân dân")


def test_a_name_added_to_the_lexicon_file_is_found(tmp_path):
    data = json.loads((resources.files("vntasks.corpus") / "lexicon" / "agencies.json").read_text("utf-8"))
    text = "Trung tâm Phục hồi chức năng tỉnh tiếp nhận người bệnh."
    assert found(AgencyTagger(Lexicon(data)).tag(Paragraph("1", text))) == []
    data["bodies"]["health"].append("Trung tâm Phục hồi chức năng")
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    paragraph = AgencyTagger(Lexicon.load(path)).tag(Paragraph("1", text))
    assert found(paragraph) == [("Trung tâm Phục hồi chức năng tỉnh", "health", "lead")]


def test_bad_lexicon_files_name_the_file_and_entry(tmp_path):
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps({"bodies": {"hospital": ["Bệnh viện"]}}), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"agencies\.json: bodies\.hospital: unknown category 'hospital'"):
        Lexicon.load(path)
    path.write_text('{"bodies": ', encoding="utf-8")
    with pytest.raises(LexiconError, match=r"agencies\.json:1: invalid JSON"):
        Lexicon.load(path)
    path.write_text(json.dumps({"names": []}), encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown section"):
        Lexicon.load(path)
    with pytest.raises(LexiconError, match="cannot read"):
        Lexicon.load(tmp_path / "missing.json")


# -- measured figures -------------------------------------------------------------------------

def test_missed_names_are_learned_only_from_what_the_tagger_missed():
    from vntasks.pipeline.document import Mention
    from vntasks.training.agency_cv import missed_names

    def doc(i, mentions):
        para = Paragraph("1", "x", mentions=[Mention(t, c, "lead") for t, c in mentions])
        return Dispatch(f"d{i}", "d.txt", paragraphs=[para])

    gold = [doc(i, [("Sở Y tế", "health"), ("Tổ phản ứng nhanh", "other"), ("các sở, ngành", "all_units")])
            for i in range(3)]
    pred = [doc(i, [("Sở Y tế", "health")]) for i in range(3)]
    assert missed_names(gold, pred) == [("Tổ phản ứng nhanh", "other")]
    assert missed_names(gold[:1], pred[:1]) == []  # seen once: not enough


def test_cross_validated_figures_on_seeds_and_web_passages(seeds_gold, shared_corpus, report):
    from vntasks.corpus.jsonl import read_corpus
    from vntasks.training.agency_cv import cross_validate

    docs = read_corpus([seeds_gold, shared_corpus / "web.jsonl"])
    figures = cross_validate(docs)
    everything = figures["all"]
    exact, role = everything["mentions.exact"], everything["mentions.role"]
    report("agency mentions (seeds+web, gold paragraphs)",
           f"exact P {exact['precision']:.3f} R {exact['recall']:.3f} F1 {exact['f1']:.3f}; with role F1 {role['f1']:.3f}")
    report("paragraph agencies (seeds+web, gold paragraphs)",
           f"macro-F1 {everything['agencies.macro_f1']:.3f}, micro-F1 {everything['agencies.micro_f1']:.3f}, "
           f"exact set {everything['agencies.subset_accuracy']:.3f}")
    assert everything["paragraphs"] == sum(len(d.paragraphs) for d in docs)
    assert exact["f1"] >= 0.80 and role["f1"] >= 0.80
    assert everything["agencies.macro_f1"] >= 0.90
    assert figures["seeds"]["agencies.macro_f1"] >= 0.85
    assert all(v["f1"] >= 0.6 for v in everything["agencies.per_category"].values())
