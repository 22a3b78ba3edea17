"""Readers per format (.docx, .pdf, .html, text) and their protection against hostile files."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from vntasks.pipeline import docx_reader
from vntasks.pipeline.errors import DocumentError
from vntasks.pipeline.readers import read_bytes, read_document

ITEMS = ["Trung tâm Y tế các huyện tổ chức xét nghiệm cho người về từ vùng dịch.",
         "Công an tỉnh phối hợp kiểm tra việc cách ly tại nhà."]


def make_docx(paragraphs: list[tuple[str, str | None]], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, WinAnsi: unaccented text only)."""
    content = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def read(name: str, data: bytes):
    return read_document(Path(name), data, name)


def kind_of(name: str, data: bytes) -> str:
    with pytest.raises(DocumentError) as err:
        read(name, data)
    return err.value.kind


# --- .docx ---------------------------------------------------------------------
def test_docx_keeps_order_tables_and_renders_list_numbers():
    data = make_docx(
        [("Sở Y tế yêu cầu:", None), (ITEMS[0], "List Number"), (ITEMS[1], "List Number"),
         ("một gạch đầu dòng", "List Bullet")],
        table=[["SỞ Y TẾ\nSố: 12/SYT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]],
    )
    text = read("a.docx", data).text
    assert text.split("\n\n") == ["SỞ Y TẾ\nSố: 12/SYT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Sở Y tế yêu cầu:",
                                  f"1. {ITEMS[0]}", f"2. {ITEMS[1]}", "- một gạch đầu dòng"]


def test_truncated_docx_is_a_clear_error():
    data = make_docx([(ITEMS[0], None)])
    assert kind_of("cut.docx", data[: len(data) // 2]) == "bad_docx"


def test_zip_that_is_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert kind_of("x.docx", buffer.getvalue()) == "bad_docx"


def _bomb(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def test_zip_bomb_docx_is_refused_before_parsing():
    # 50 MB of spaces inside word/document.xml: ~50 KB on disk, a 1000-fold inflation.
    data = _bomb({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * (50 * 1024 * 1024)})
    assert len(data) < 200_000
    with pytest.raises(DocumentError) as err:
        read("bomb.docx", data)
    assert err.value.kind == "zip_bomb" and "inflates" in err.value.message


def test_docx_with_too_many_entries_or_too_much_content_is_refused(monkeypatch):
    many = _bomb({f"word/media/{i}.xml": b"x" for i in range(docx_reader.MAX_ENTRIES + 1)})
    assert kind_of("many.docx", many) == "zip_bomb"
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED", 1000)
    assert kind_of("big.docx", make_docx([(ITEMS[0], None)])) == "zip_bomb"


def test_docx_without_text():
    assert kind_of("blank.docx", make_docx([])) == "empty"


# --- .pdf ----------------------------------------------------------------------
def test_pdf_text_layer_is_read():
    text = read("a.pdf", make_pdf(["UBND TINH AN BINH", "1. Trung tam Y te to chuc xet nghiem.",
                                   "2. Cong an tinh kiem tra cach ly."])).text
    assert "1. Trung tam Y te to chuc xet nghiem." in text
    assert "2. Cong an tinh kiem tra cach ly." in text


def test_pdf_without_text_layer_and_broken_pdf():
    assert kind_of("scan.pdf", make_pdf([])) == "no_text_layer"
    assert kind_of("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n") == "bad_pdf"


# --- .html ---------------------------------------------------------------------
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Tin tức</title>
<style>p {color: red}</style><script>var x = "Sở Y tế";</script></head>
<body><header><a href="/">Trang chủ</a> | Đăng nhập</header>
<nav><ul><li>Thời sự</li><li>Y tế</li></ul></nav>
<main><h1>Công văn về phòng, chống dịch</h1>
<p>Sở Y tế <b>yêu cầu</b>:</p>
<p>1. Trung tâm Y tế các huyện tổ chức <a href="#">xét nghiệm</a>.<br>Báo cáo hằng ngày.</p>
<div>2. Công an tỉnh phối hợp kiểm tra.</div></main>
<aside>Tin liên quan: giá vàng hôm nay</aside><div role="navigation">Trang 1 2 3</div>
<footer>Bản quyền thuộc về Cổng thông tin</footer></body></html>"""


def test_html_page_chrome_is_stripped_and_blocks_kept():
    text = read("page.html", PAGE.encode("utf-8")).text
    assert text.split("\n\n") == ["Công văn về phòng, chống dịch", "Sở Y tế yêu cầu:",
                                  "1. Trung tâm Y tế các huyện tổ chức xét nghiệm.\nBáo cáo hằng ngày.",
                                  "2. Công an tỉnh phối hợp kiểm tra."]
    for chrome in ("Trang chủ", "Thời sự", "giá vàng", "Bản quyền", "var x", "color", "Trang 1"):
        assert chrome not in text


def test_html_declared_windows_1258_is_decoded():
    page = PAGE.replace('charset="utf-8"', 'charset="windows-1258"')
    from test_readers_encodings import encode_cp1258

    text = read("old.htm", encode_cp1258(page)).text
    assert "1. Trung tâm Y tế các huyện tổ chức xét nghiệm." in text


# --- text and limits ---------------------------------------------------------------
def test_text_bad_inputs_have_reasons():
    assert kind_of("empty.txt", b"") == "empty"
    assert kind_of("blank.txt", b" \n\n \t") == "empty"
    assert kind_of("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)) == "binary"
    assert kind_of("old.doc", b"\xd0\xcf\x11\xe0 not read") == "unsupported"
    assert kind_of("data.xlsx", b"PK") == "unsupported"


def test_size_limit_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(DocumentError) as err:
        read_bytes(big, "big.txt", max_bytes=1024)
    assert err.value.kind == "too_large" and "2,048 bytes" in err.value.message
