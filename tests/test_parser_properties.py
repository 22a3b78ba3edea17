"""Properties of the parser on arbitrary text: it never raises, and its offsets hold."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vntasks.pipeline.normalise import normalise_text
from vntasks.pipeline.numbering import read_marker
from vntasks.pipeline.segment import segment

FRAGMENTS = [
    "1.", "2)", "3-", "4/", "a)", "b.", "đ)", "I.", "II.", "A.", "Một là,", "Thứ nhất:", "Thứ Năm, 12/03/2020",
    "Điều 1.", "(1)", "1.1.", "- ", "+ ", "• ", "**", "*", "|", "![]()", "Kính gửi:", "Số: 12/UBND-VP", "Số: /UBND",
    "V/v ", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Nơi nhận:", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Hà Nội, ngày  tháng 13 năm 2021", "ngày 31/02/3020", "date 2021-07 ", "null ", "Ảnh: ", "Nguồn:",
    "Theo đó, ", "UBND tỉnh yêu cầu", "Sở Y tế", "chủ trì, phối hợp", "về việc ", "ban hành Công văn số ",
    "Với nội dung trên", "(QNO) - ", "Xem chi tiết", "./.", ":", ";", ".", ",", " ", "\n", "\n\n", "\t", "\u00a0",
    "Ủy", "uỷ", "Đ", "—", "“", "”", "…", "(", ")",
]

marker_like = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=60).map("".join)


def _plain(text: str) -> str:
    """Without the markdown and table signs the parser drops from printed text."""
    return re.sub(r"[*_|#>\\\[\]()!\s]", "", text)


def _check(text: str) -> None:
    header, paragraphs = segment(text)
    norm = normalise_text(text)
    for p in paragraphs:
        assert p.text and p.text == p.text.strip()
        assert 0 <= p.start < p.end <= len(norm)
        first = p.text.split()[0]
        assert _plain(first) in _plain(norm[p.start:p.end])
        assert p.actions == [] and p.agencies == [] and p.mentions == []
    for name in ("issuer", "number", "date", "subject", "signer"):
        assert getattr(header, name) is None or isinstance(getattr(header, name), str)
    if header.date is not None:
        assert len(header.date) in (7, 10)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marker_like)
def test_never_raises_on_marker_like_text(text):
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_read_marker_stays_inside_its_text(text):
    marker = read_marker(text)
    if marker is not None:
        assert 0 < marker.end <= len(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Sở Y tế giám sát dịch.", "Công an tỉnh lập chốt kiểm soát.",
                                 "UBND các huyện tuyên truyền cho người dân."]), min_size=1, max_size=6))
def test_numbered_items_come_back_in_order(items):
    text = "UBND tỉnh yêu cầu:\n\n" + "\n\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    _, paragraphs = segment(text)
    assert [(p.number, p.text) for p in paragraphs] == [(str(i), item) for i, item in enumerate(items, 1)]
