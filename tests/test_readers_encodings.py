"""Legacy Vietnamese encodings: Windows-1258, TCVN3 (ABC), VNI → Unicode NFC, and no misfire on UTF-8.

The encoders below are written here, from the byte tables, so every sentence
makes a real round trip: Unicode → legacy bytes → the reader → Unicode. The
well-known mojibake strings are an independent check of the tables: they are
what a TCVN3 or VNI "Cộng hoà xã hội chủ nghĩa Việt Nam" looks like when
opened in the wrong font, as seen on countless old government files.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vntasks.pipeline import legacy_encodings as le
from vntasks.pipeline.errors import DocumentError
from vntasks.pipeline.readers import decode_bytes, read_document

SENTENCES = [
    "Sở Y tế chủ trì, phối hợp với Công an tỉnh và Uỷ ban nhân dân các huyện tổ chức xét nghiệm, "
    "truy vết các trường hợp tiếp xúc gần.",
    "Đề nghị các đơn vị khẩn trương rà soát, báo cáo kết quả thực hiện trước ngày 15 tháng 8 năm 2021.",
    "Trung tâm Kiểm soát bệnh tật hướng dẫn người dân đeo khẩu trang, giữ khoảng cách, hạn chế tụ tập "
    "đông người; Bệnh viện đa khoa tỉnh chuẩn bị giường bệnh, thuốc và oxy.",
    "Kỹ thuật viên mỗi ngày kiểm tra, bảo đảm an toàn, không để xảy ra tình trạng lẫn lộn; ưu tiên "
    "tiêm vắc xin cho người cao tuổi, phụ nữ ẵm con nhỏ và người khuyết tật.",
    "Thủ trưởng các sở, ban, ngành quyết định việc tạm dừng hoạt động không thiết yếu, hỗ trợ lương "
    "thực cho hộ nghèo, ổn định đời sống của nhân dân ở vùng cách ly.",
]
DOCUMENT = "\n\n".join(SENTENCES) + "\n“Chỉ thị” số 15 – khẩn…\n"
ALL_LOWER = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"


def _punctuation_byte(ch: str) -> int | None:
    """Curly quotes, dashes, ellipsis: legacy fonts keep Windows-1252's punctuation at 0x80-0x9F."""
    try:
        encoded = ch.encode("cp1252")
    except UnicodeEncodeError:
        return None
    return encoded[0] if 0x80 <= encoded[0] < 0xA0 else None


def encode_tcvn3(text: str, capitals_font: bool = False) -> bytes:
    """Unicode → TCVN3. TCVN3 has no upper-case toned letters: with `capitals_font`, write them as the
    lower-case codes, as text typed in the `.VnTimeH` capitals font is stored; otherwise refuse them."""
    inverse = {letter: code for code, letter in le.TCVN3.items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out.append(inverse[ch])
        elif ord(ch) < 128:
            out.append(ord(ch))
        elif _punctuation_byte(ch) is not None:
            out.append(_punctuation_byte(ch))
        elif capitals_font and ch.lower() in inverse:
            out.append(inverse[ch.lower()])
        else:
            raise ValueError(f"{ch!r} has no TCVN3 code")
    return bytes(out)


def encode_vni(text: str) -> bytes:
    single = {letter: code for code, letter in le.VNI_SINGLE.items()}
    lower_marks = {"".join(sorted(marks)): code for code, marks in le.VNI_MARKS_LOWER.items()}
    upper_marks = {"".join(sorted(marks)): code for code, marks in le.VNI_MARKS_UPPER.items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in single:
            out.append(single[ch])
            continue
        if ord(ch) < 128 or _punctuation_byte(ch) is not None:
            out.append(ord(ch) if ord(ch) < 128 else _punctuation_byte(ch))
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if "\u031b" in marks:  # horn: ơ/ư are single bytes in VNI
            marks = marks.replace("\u031b", "")
            base_byte = single[unicodedata.normalize("NFC", base + "\u031b")]
        else:
            base_byte = ord(base)
        table = upper_marks if base.isupper() else lower_marks
        out.append(base_byte)
        out.append(table["".join(sorted(marks))])
    return bytes(out)


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 keeps â/ê/ô/ă/ơ/ư/đ precomposed and writes the tone as a combining byte."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def test_known_mojibake_strings_decode():
    assert le.tcvn3_to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert le.tcvn3_to_unicode("§éc lËp - Tù do - H¹nh phóc") == "Độc lập - Tự do - Hạnh phúc"
    assert le.tcvn3_to_unicode("Thñ t\u00adíng ChÝnh phñ") == "Thủ tướng Chính phủ"
    assert le.vni_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert le.vni_to_unicode("Ñoäc laäp - Töï do - Haïnh phuùc") == "Độc lập - Tự do - Hạnh phúc"
    assert le.vni_to_unicode("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@pytest.mark.parametrize("letter", list(ALL_LOWER) + [c.upper() for c in "ăâđêôơư"])
def test_every_tcvn3_letter_round_trips(letter):
    assert le.tcvn3_to_unicode(encode_tcvn3(letter).decode("latin-1")) == letter


@pytest.mark.parametrize("letter", list(ALL_LOWER) + list(ALL_LOWER.upper()))
def test_every_vni_letter_round_trips(letter):
    assert le.vni_to_unicode(encode_vni(letter).decode("latin-1")) == letter


@pytest.mark.parametrize("name, encode", [("tcvn3", encode_tcvn3), ("vni", encode_vni),
                                          ("windows-1258", encode_cp1258)])
def test_legacy_file_is_detected_and_converted(name, encode):
    data = encode(DOCUMENT)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = decode_bytes(data, "old.txt")
    assert decoded.encoding == name
    assert decoded.text == unicodedata.normalize("NFC", DOCUMENT)


@pytest.mark.parametrize("name, encode", [("tcvn3", encode_tcvn3), ("vni", encode_vni)])
def test_font_encoded_text_saved_as_unicode_is_repaired(name, encode):
    # A .docx typed in .VnTime / VNI-Times: the characters are the legacy bytes seen as Windows-1252.
    seen_as_unicode = encode(DOCUMENT).decode("cp1252", errors="strict")
    decoded = decode_bytes(seen_as_unicode.encode("utf-8"), "font.txt")
    assert decoded.encoding == name
    assert decoded.text == DOCUMENT


def test_tcvn3_headings_typed_in_capitals_font_come_back_in_capitals():
    # .VnTimeH: ASCII letters typed as capitals, accented letters as lower-case codes.
    heading = "".join(c.upper() if c.isascii() else c for c in encode_tcvn3(
        "cộng hoà xã hội chủ nghĩa việt nam").decode("latin-1"))
    assert le.tcvn3_to_unicode(heading) == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_mixed_document_converts_only_the_legacy_lines():
    legacy_line = encode_tcvn3(SENTENCES[1]).decode("cp1252")
    text = SENTENCES[0] + "\n\n" + legacy_line + "\n\n" + SENTENCES[2]
    decoded = decode_bytes(text.encode("utf-8"), "mixed.txt")
    assert decoded.text == SENTENCES[0] + "\n\n" + SENTENCES[1] + "\n\n" + SENTENCES[2]


def test_double_encoded_utf8_is_repaired():
    mangled = "".join(chr(b) if 0x80 <= b < 0xA0 and b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                      else bytes([b]).decode("cp1252") for b in DOCUMENT.encode("utf-8"))
    decoded = decode_bytes(mangled.encode("utf-8"), "web.txt")
    assert decoded.encoding == "utf-8 read as windows-1252"
    assert decoded.text == DOCUMENT


def test_utf16_with_bom_is_read():
    decoded = decode_bytes(DOCUMENT.encode("utf-16"), "notepad.txt")
    assert decoded.text == DOCUMENT and decoded.encoding == "utf-16"


def test_undecodable_bytes_are_rejected_with_reason():
    data = bytes(range(0x80, 0x100)) * 20  # high bytes only: no reading gives Vietnamese words
    with pytest.raises(DocumentError) as err:
        decode_bytes(b"Van ban " + data, "junk.txt")
    assert err.value.kind in {"encoding", "binary"}
    latin_french = "Le préfet a décidé de fermer les écoles à cause de l'épidémie; réunion à l'hôtel de ville."
    with pytest.raises(DocumentError) as err:
        decode_bytes(latin_french.encode("latin-1"), "french.txt")
    assert err.value.kind == "encoding"
    assert "not UTF-8" in err.value.message and "best guess" in err.value.message


def test_valid_utf8_is_never_converted(seeds_dir):
    for text in [DOCUMENT, *SENTENCES, "Cà Mau, Bà Rịa", "Café à la française, naïve résumé"]:
        decoded = decode_bytes(text.encode("utf-8"), "u.txt")
        assert decoded.encoding == "utf-8" and decoded.text == unicodedata.normalize("NFC", text)
    for path in sorted(seeds_dir.glob("*.txt")):
        raw = path.read_bytes()
        assert decode_bytes(raw, path.name).text == unicodedata.normalize("NFC", raw.decode("utf-8-sig"))


def test_real_web_passages_are_not_converted(shared_corpus):
    paths = sorted((shared_corpus / "web").glob("*.txt"))
    assert paths
    for path in paths:
        raw = path.read_bytes()
        decoded = decode_bytes(raw, path.name)
        assert decoded.encoding == "utf-8", path.name
        assert decoded.text == unicodedata.normalize("NFC", raw.decode("utf-8-sig"))


_WORDS = SENTENCES[0].split() + SENTENCES[2].split() + SENTENCES[3].split() + ["Café", "naïve", "Übung", "año"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40))
def test_no_misfire_on_random_valid_utf8(words):
    text = " ".join(words)
    assert decode_bytes(text.encode("utf-8"), "h.txt").text == unicodedata.normalize("NFC", text)


def test_docx_in_vntime_font_is_converted(tmp_path):
    import io

    import docx

    document = docx.Document()
    for sentence in SENTENCES[:3]:
        document.add_paragraph(encode_tcvn3(sentence).decode("cp1252"))
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_document(Path("old.docx"), buffer.getvalue(), "old.docx")
    assert read.encoding == "tcvn3"
    assert read.text == "\n\n".join(SENTENCES[:3])
