"""Header fields (GUIDELINE §4): the seeds exactly, the web passages' partial headers, invented snippets."""
from __future__ import annotations

import json
import re

import pytest

from vntasks.corpus.jsonl import iter_jsonl
from vntasks.pipeline.document import HEADER_FIELDS
from vntasks.pipeline.header import issuer_from_capitals
from vntasks.pipeline.normalise import match_key
from vntasks.pipeline.segment import segment

# Measured 2026-11-22 on the web passages' header fields (rules written while
# reading them): 252 of 259 exact (0.973). A regression guard, not an estimate.
WEB_HEADER_FLOOR = 0.93


def test_seed_headers_equal_gold(seeds_dir, seeds_gold):
    for line in seeds_gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        header, _ = segment((seeds_dir / record["source"]).read_text(encoding="utf-8"))
        assert header.to_json() == record["header"], record["id"]


def _lenient(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [_lenient(v) for v in value]
    value = match_key(value).lower().replace("ủy ban nhân dân", "ubnd")
    return re.sub(r"\s+", " ", value).strip()


def test_web_header_accuracy(shared_corpus, report):
    exact = lenient = total = 0
    per_field = {name: [0, 0] for name in HEADER_FIELDS}
    for _, record in iter_jsonl(shared_corpus / "web.jsonl"):
        gold = record.get("header") or {}
        if not gold:
            continue
        header, _ = segment((shared_corpus / "web" / record["source"]).read_text(encoding="utf-8"))
        for name, want in gold.items():
            got = getattr(header, name)
            total += 1
            per_field[name][1] += 1
            if got == want:
                exact += 1
                per_field[name][0] += 1
            lenient += _lenient(got) == _lenient(want)
    fields = ", ".join(f"{name} {ok}/{n}" for name, (ok, n) in per_field.items() if n)
    report("header fields on web passages (developed on them)",
           f"exact {exact}/{total} = {exact / total:.3f}; ignoring case, tone-mark style and UBND/Ủy ban nhân dân "
           f"{lenient / total:.3f}; {fields}")
    assert exact / total >= WEB_HEADER_FLOOR


# ---------------------------------------------------------------- printed header

PRINTED = """**ỦY BAN NHÂN DÂN
HUYỆN AN BÌNH**

**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc**

Số: /UBND-VP
V/v thực hiện Công văn số 12/SYT-
NV ngày 02/3/2022 của Sở Y tế

An Bình, ngày   tháng 3 năm 2022

Kính gửi:

- Các phòng, ban, ngành huyện;
- UBND các xã, thị trấn.

Thực hiện Công văn số 12/SYT-NV, UBND huyện yêu cầu:

1. Phòng Y tế tăng cường giám sát.

Nơi nhận:
- Như trên;
- Lưu: VT.

**TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH**

Trần Thị Mai
"""


def test_printed_header_fields():
    header, paragraphs = segment(PRINTED)
    assert header.to_json() == {
        "issuer": "UBND huyện An Bình",
        "number": "",
        "date": "2022-03",
        "subject": "thực hiện Công văn số 12/SYT-NV ngày 02/3/2022 của Sở Y tế",
        "recipients": ["Các phòng, ban, ngành huyện", "UBND các xã, thị trấn"],
        "signer": "Trần Thị Mai",
    }
    assert [p.text for p in paragraphs] == ["Phòng Y tế tăng cường giám sát."]


def test_printed_number_and_date_with_markdown():
    header, _ = segment("ỦY BAN NHÂN DÂN\nTỈNH AN BÌNH\n\nSố *1693* /UBND-VP\n\nAn Bình, ngày *01* tháng *9* năm 2021\n")
    assert (header.number, header.date) == ("1693/UBND-VP", "2021-09-01")


def test_subject_printed_without_vv_and_inline_recipients():
    text = ("THÀNH ỦY AN BÌNH\n\nSố 25-CV/TU\n\nTăng cường công tác phòng,\nchống dịch Covid-19\n\n"
            "ĐẢNG CỘNG SẢN VIỆT NAM\n\nAn Bình, ngày 19 tháng 7 năm 2021\n\n"
            "Kính gửi: Các chi bộ cơ sở; UBND thành phố.\n\nThường trực Thành ủy yêu cầu:\n\n1. Các chi bộ quán triệt.\n")
    header, _ = segment(text)
    assert header.issuer == "Thành ủy An Bình"
    assert header.number == "25-CV/TU"
    assert header.subject == "Tăng cường công tác phòng, chống dịch Covid-19"
    assert header.recipients == ["Các chi bộ cơ sở", "UBND thành phố"]


@pytest.mark.parametrize(
    "lines, issuer",
    [
        (["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC KẠN"], "UBND thành phố Bắc Kạn"),
        (["ĐẢNG BỘ TỈNH BẮC KẠN", "THÀNH ỦY BẮC KẠN"], "Thành ủy Bắc Kạn"),
        (["UBND TỈNH AN BÌNH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"], "Sở Giáo dục và Đào tạo"),
        (["SỞ Y TẾ TỈNH AN BÌNH"], "Sở Y tế tỉnh An Bình"),
        (["ỦY BAN NHÂN DÂN"], "UBND"),
    ],
)
def test_issuer_in_capitals_is_recased(lines, issuer):
    assert issuer_from_capitals(lines) == issuer


def test_bare_printed_issuer_takes_the_name_the_body_uses():
    text = ("ỦY BAN NHÂN DÂN |\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\nSố: 55/UBND-VX |\n"
            "Quận 7, ngày 31 tháng 12 năm 2020 |\nKính gửi: |\n- Thủ trưởng các cơ quan thuộc quận; |\n"
            "Ủy ban nhân dân Quận 7 yêu cầu các đơn vị triển khai các nội dung sau:\n1. Tăng cường tuyên truyền.\n")
    header, paragraphs = segment(text)
    assert header.issuer == "Ủy ban nhân dân Quận 7"
    assert header.recipients == ["Thủ trưởng các cơ quan thuộc quận"]
    assert (header.number, header.date) == ("55/UBND-VX", "2020-12-31")
    assert [p.number for p in paragraphs] == ["1"]


# ---------------------------------------------------------------- news sentences

def test_news_report_of_a_dispatch():
    text = ("Ngày 5/8/2021, UBND tỉnh An Bình vừa có Công văn số 7341 /UBND-KGVX về việc đẩy mạnh quét mã QR "
            "tại các địa điểm công cộng.\n\nTheo đó, UBND tỉnh yêu cầu các sở, ban, ngành khẩn trương triển khai.")
    header, _ = segment(text)
    assert header.to_json() == {"issuer": "UBND tỉnh An Bình", "number": "7341/UBND-KGVX", "date": "2021-08-05",
                                "subject": "đẩy mạnh quét mã QR tại các địa điểm công cộng"}


def test_news_year_from_the_page_date_and_recipients():
    text = ("date 2021-08 Ngày 24.8, Công an TP.HCM đã có văn bản gửi Thủ trưởng Công an các quận, huyện về việc "
            "tăng cường kiểm soát người ra vào thành phố.\n\nCông an TP.HCM yêu cầu các chốt kiểm soát làm việc 24/24.")
    header, paragraphs = segment(text)
    assert header.issuer == "Công an TP.HCM"
    assert header.date == "2021-08-24"
    assert header.recipients == ["Thủ trưởng Công an các quận, huyện"]
    assert paragraphs[0].text.startswith("Công an TP.HCM yêu cầu")


def test_news_signer_and_title_stripped():
    text = "Chủ tịch UBND tỉnh An Bình Võ Văn Hải đã ký Quyết định thiết lập vùng cách ly y tế tại xã An Phú."
    header, _ = segment(text)
    assert (header.issuer, header.signer) == ("UBND tỉnh An Bình", "Võ Văn Hải")
    assert header.subject == "thiết lập vùng cách ly y tế tại xã An Phú"


def test_cited_document_is_not_the_dispatch():
    text = ("Thực hiện Công văn số 99/BYT-DP của Bộ Y tế về việc phòng, chống dịch sởi, UBND huyện vừa ban hành "
            "Công văn số 257/UBND-VP về việc tăng cường tiêm chủng vắc xin sởi.")
    header, _ = segment(text)
    assert (header.issuer, header.number, header.subject) == ("UBND huyện", "257/UBND-VP",
                                                              "tăng cường tiêm chủng vắc xin sởi")


def test_headline_document_and_parenthesised_number():
    header, _ = segment("Văn bản số 338/UBND-KGVX của UBND tỉnh An Bình.\n\nUBND tỉnh yêu cầu các huyện cách ly.")
    assert (header.issuer, header.number) == ("UBND tỉnh An Bình", "338/UBND-KGVX")
    header, _ = segment("UBND tỉnh chỉ đạo tăng cường phòng, chống dịch (Công văn số 549/UBND-KGVX, ngày 02/5/2021).")
    assert (header.number, header.date) == ("549/UBND-KGVX", "2021-05-02")


def test_plain_text_header_without_blank_lines():
    text = ("UBND TỈNH AN BÌNH\nSỞ Y TẾ\nSố: 1234/SYT-NVY\nV/v tăng cường phòng, chống dịch bệnh\nsốt xuất huyết\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nAn Bình, ngày 05 tháng 7 năm 2023\n"
            "Kính gửi:\n- Trung tâm Kiểm soát bệnh tật tỉnh;\n- Trung tâm Y tế các huyện.\n"
            "Sở Y tế đề nghị các đơn vị triển khai thực hiện một số nội dung sau:\n"
            "I. CÔNG TÁC GIÁM SÁT\n1. Tăng cường giám sát ca bệnh.\nII. CÔNG TÁC ĐIỀU TRỊ\n1. Chuẩn bị thuốc.\n"
            "Nơi nhận:\n- Như trên;\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Văn Tám")
    header, paragraphs = segment(text)
    assert header.to_json() == {
        "issuer": "Sở Y tế", "number": "1234/SYT-NVY", "date": "2023-07-05",
        "subject": "tăng cường phòng, chống dịch bệnh sốt xuất huyết",
        "recipients": ["Trung tâm Kiểm soát bệnh tật tỉnh", "Trung tâm Y tế các huyện"], "signer": "Nguyễn Văn Tám"}
    assert [(p.number, p.section) for p in paragraphs] == [("1", "CÔNG TÁC GIÁM SÁT"), ("1", "CÔNG TÁC ĐIỀU TRỊ")]


def test_cong_dien_addressees_and_kind_line():
    text = ("CÔNG ĐIỆN\nVề việc tăng cường phòng, chống dịch cúm A(H5N1)\nCHỦ TỊCH UBND TỈNH ĐIỆN:\n"
            "- Giám đốc Sở Y tế;\n- Chủ tịch UBND các huyện.\n"
            "Chủ tịch UBND tỉnh yêu cầu:\n1. Sở Y tế giám sát ca bệnh trên người.\n")
    header, paragraphs = segment(text)
    assert header.issuer == "UBND tỉnh"
    assert header.subject == "tăng cường phòng, chống dịch cúm A(H5N1)"
    assert header.recipients == ["Giám đốc Sở Y tế", "Chủ tịch UBND các huyện"]
    assert [p.text for p in paragraphs] == ["Sở Y tế giám sát ca bệnh trên người."]
