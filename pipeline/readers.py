"""Bytes of a dispatch file → Unicode text, or a DocumentError saying why not.

One reader per format: plain text (.txt, .md), Word (.docx), PDF with a text
layer (.pdf) and web pages (.html, .htm). Every reader ends in the same
repair step, so a `.VnTime` (TCVN3) or `VNI-Times` document comes out as
Unicode whatever its container. Readers never execute anything from a file:
no macros, no scripts, no external entities; size limits come first.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from vntasks.pipeline.errors import DocumentError
from vntasks.pipeline.legacy_encodings import best_guess, decode_legacy, repair_font_encoding

MAX_BYTES = 20 * 1024 * 1024  # a dispatch is a few pages; anything larger is not one
MAX_PDF_PAGES = 500
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".docx", ".pdf")
# Formats people will drop in the folder that we can name but not read: reported, not ignored.
UNREADABLE_SUFFIXES = {
    ".doc": "an old binary Word .doc file; save it as .docx",
    ".rtf": "an RTF file; save it as .docx",
    ".odt": "an OpenDocument file; save it as .docx",
}
# Page chrome removed from web pages before their text is taken.
HTML_CHROME = ("nav", "header", "footer", "script", "style", "aside", "noscript", "template", "form",
               "iframe", "svg", "button", "select")
HTML_CHROME_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")
HTML_BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
               "article", "main", "blockquote", "pre", "dd", "dt", "dl", "figure", "figcaption", "address",
               "center", "td", "th")


@dataclass(frozen=True)
class DocumentText:
    text: str
    encoding: str  # how the characters were read: utf-8, utf-16, windows-1258, tcvn3, vni, ...


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > len(sample) * 0.05


def _repaired(text: str, encoding: str) -> DocumentText:
    text = unicodedata.normalize("NFC", text)
    fixed = repair_font_encoding(text)
    return DocumentText(fixed.text, fixed.encoding) if fixed else DocumentText(text, encoding)


def decode_bytes(data: bytes, source: str) -> DocumentText:
    """Text bytes in UTF-8, UTF-16 (with BOM) or a legacy Vietnamese encoding → NFC text."""
    if not data.strip():
        raise DocumentError(source, "empty", "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _repaired(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise DocumentError(source, "encoding", "starts with a UTF-16 byte-order mark but is not UTF-16") from None
    if _looks_binary(data):
        raise DocumentError(source, "binary", "the file is binary, not text")
    try:
        return _repaired(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        legacy = decode_legacy(data)
        if legacy is None:
            raise DocumentError(
                source, "encoding",
                f"not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 4]!r}) and not readable as "
                f"Windows-1258, TCVN3 or VNI Vietnamese ({best_guess(data)})",
            ) from None
        return DocumentText(legacy.text, legacy.encoding)


def decode_text(data: bytes, source: str) -> str:
    return decode_bytes(data, source).text


def read_bytes(path: Path, source: str, max_bytes: int = MAX_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(source, "too_large", f"{size:,} bytes is over the {max_bytes:,}-byte limit")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(source, "unreadable", exc.strerror or str(exc)) from None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CHARSET_CODECS = {"windows-1258": "cp1258", "cp1258": "cp1258", "utf-8": "utf-8", "utf8": "utf-8",
                   "utf-16": "utf-16"}


def _html_text(data: bytes, source: str) -> DocumentText:
    """Visible text of a web page, one block per paragraph, page chrome removed."""
    from bs4 import BeautifulSoup

    declared = _META_CHARSET.search(data[:4096])
    codec = _CHARSET_CODECS.get(declared.group(1).decode("ascii").lower()) if declared else None
    if codec == "cp1258":
        try:
            decoded = DocumentText(unicodedata.normalize("NFC", data.decode("cp1258")), "windows-1258")
        except UnicodeDecodeError:
            decoded = decode_bytes(data, source)
    else:
        decoded = decode_bytes(data, source)
    soup = BeautifulSoup(decoded.text, "html.parser")
    for tag in soup.find_all(HTML_CHROME):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": list(HTML_CHROME_ROLES)}):
        tag.decompose()
    for tag in soup.find_all(attrs={"hidden": True}):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(HTML_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    body = soup.body or soup
    return DocumentText(_tidy_blocks(body.get_text()), decoded.encoding)


def _tidy_blocks(text: str) -> str:
    """Collapse spaces inside lines and runs of blank lines to one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _pdf_text(data: bytes, source: str) -> DocumentText:
    """The text layer of a PDF; scans without one are refused (no OCR here)."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
                reader.pages[0]
            except Exception:
                raise DocumentError(source, "encrypted", "the PDF is password-protected") from None
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise DocumentError(source, "too_large", f"{len(pages)} pages is over the {MAX_PDF_PAGES}-page limit")
        text = "\n\n".join(page.extract_text() or "" for page in pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise DocumentError(source, "bad_pdf", f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if sum(ch.isalpha() for ch in text) < 20:
        raise DocumentError(source, "no_text_layer",
                            "the PDF has no text layer (a scanned image?); run OCR on it first")
    return _repaired(text, "unicode")


def read_document(path: Path, data: bytes, source: str) -> DocumentText:
    """Text of a file's bytes, by its suffix."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return decode_bytes(data, source)
    if suffix in HTML_SUFFIXES:
        return _html_text(data, source)
    if suffix == ".docx":
        from vntasks.pipeline.docx_reader import docx_text

        return _repaired(docx_text(data, source), "unicode")
    if suffix == ".pdf":
        return _pdf_text(data, source)
    if suffix in UNREADABLE_SUFFIXES:
        raise DocumentError(source, "unsupported", f"{UNREADABLE_SUFFIXES[suffix]}")
    raise DocumentError(source, "unsupported", f"unsupported file type {suffix or '(none)'!r}")


def document_text(path: Path, data: bytes, source: str) -> str:
    return read_document(path, data, source).text
