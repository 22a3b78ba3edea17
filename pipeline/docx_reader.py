"""Text of a Word .docx file, safe against zip bombs, with list numbers rendered.

A .docx is a zip archive. Before python-docx opens it, the archive's
directory is checked: entry count, total uncompressed size and each entry's
compression ratio. That check is enough because Python's zipfile never
inflates an entry past the size its directory declares (and fails the CRC
if the data claims otherwise). python-docx parses the XML with entity
resolution off, so no external entity or entity expansion is followed.

Dispatches typed in Word often use automatic numbering: the "1." or "a)" of
an instruction is not in the text but in numbering.xml. Those numbers are
rendered back, because the segmenter needs them to find the task items.
"""
from __future__ import annotations

import io
import zipfile

from vntasks.pipeline.errors import DocumentError

MAX_ENTRIES = 1000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100  # deflate on real Word XML gives 5-20x; bombs give 1000x
RATIO_MIN_SIZE = 1024 * 1024  # small entries may compress well without harm
MAX_TABLE_DEPTH = 5


def check_archive(data: bytes, source: str) -> None:
    """Refuse archives that would inflate to far more than they weigh, before anything reads them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(source, "bad_docx", f"not a .docx file (broken or truncated zip: {exc})") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise DocumentError(source, "zip_bomb", f"the archive has {len(entries):,} entries (limit {MAX_ENTRIES:,})")
        total = sum(e.file_size for e in entries)
        if total > MAX_UNCOMPRESSED:
            raise DocumentError(source, "zip_bomb",
                                f"the archive would inflate to {total:,} bytes (limit {MAX_UNCOMPRESSED:,})")
        for entry in entries:
            if entry.file_size > RATIO_MIN_SIZE and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise DocumentError(
                    source, "zip_bomb",
                    f"entry {entry.filename!r} inflates {entry.file_size / max(entry.compress_size, 1):,.0f}-fold "
                    f"(limit {MAX_RATIO}-fold)",
                )
        if "word/document.xml" not in archive.namelist():
            raise DocumentError(source, "bad_docx", "the archive has no word/document.xml: not a Word document")


def _roman(n: int) -> str:
    out = []
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter after z: aa, bb, ...
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Word's automatic list numbers, counted as the body is read in order."""

    def __init__(self, document):
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[tuple[str, int], tuple[int, str, str]] = {}  # (numId, ilvl) -> (start, fmt, lvlText)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is None:
                continue
            for lvl in definition.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                start = self._val(lvl, "w:start", "1")
                fmt = self._val(lvl, "w:numFmt", "decimal")
                text = self._val(lvl, "w:lvlText", f"%{ilvl + 1}.")
                self.levels[(num_id, ilvl)] = (int(start) if start.isdigit() else 1, fmt, text)
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = override.find(qn("w:startOverride"))
                if start is not None and (num_id, ilvl) in self.levels:
                    _, fmt, text = self.levels[(num_id, ilvl)]
                    self.levels[(num_id, ilvl)] = (int(start.get(qn("w:val"), "1")), fmt, text)

    def _val(self, element, tag: str, default: str) -> str:
        child = element.find(self.qn(tag))
        return child.get(self.qn("w:val"), default) if child is not None else default

    def label(self, num_id: str, ilvl: int) -> str:
        """The printed label of the next item at this level ("1.", "a)", "-" for bullets)."""
        if (num_id, ilvl) not in self.levels or num_id == "0":
            return ""
        counters = self.counters.setdefault(num_id, {})
        start, fmt, text = self.levels[(num_id, ilvl)]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"
        label = text
        for level in range(ilvl, -1, -1):
            if f"%{level + 1}" in label:
                level_start, level_fmt, _ = self.levels.get((num_id, level), (1, "decimal", ""))
                value = counters.get(level, level_start)
                label = label.replace(f"%{level + 1}", _format_number(value, level_fmt))
        return label.strip()


def _paragraph_numbering(p, document, qn) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph, from its own properties or its style's."""
    num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if num_pr is None:
        style_id = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style_id is None:
            return None
        try:
            style = document.styles.element.get_by_id(style_id.get(qn("w:val")))
        except (KeyError, AttributeError):
            return None
        num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}") if style is not None else None
        if num_pr is None:
            return None
    num_id = num_pr.find(qn("w:numId"))
    ilvl = num_pr.find(qn("w:ilvl"))
    if num_id is None:
        return None
    return num_id.get(qn("w:val")), int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0


def _paragraph_text(p, qn) -> str:
    runs = p.xpath("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:sdt/w:sdtContent/w:r"
                   " | ./w:fldSimple/w:r")
    return "".join(r.text for r in runs)


def _blocks(container, document, numbering: _Numbering, qn, depth: int = 0):
    """Paragraph texts of a body or table cell, in reading order."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            text = _paragraph_text(child, qn).strip()
            if not text:
                continue
            numbered = _paragraph_numbering(child, document, qn)
            label = numbering.label(*numbered) if numbered else ""
            yield f"{label} {text}" if label else text
        elif child.tag == qn("w:tbl") and depth < MAX_TABLE_DEPTH:
            for row in child.iterchildren(qn("w:tr")):
                for cell in row.iterchildren(qn("w:tc")):
                    yield from _blocks(cell, document, numbering, qn, depth + 1)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, document, numbering, qn, depth)


def docx_text(data: bytes, source: str) -> str:
    """The body text of a .docx: one paragraph per block, separated by blank lines."""
    check_archive(data, source)
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document)
        text = "\n\n".join(_blocks(document.element.body, document, numbering, qn))
    except DocumentError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types on malformed packages
        raise DocumentError(source, "bad_docx", f"not a readable .docx ({type(exc).__name__}: {exc})") from None
    if not text.strip():
        raise DocumentError(source, "empty", "the Word document has no text")
    return text
