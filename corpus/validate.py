"""The rules a corpus record must follow (GUIDELINE §3.3, §4, §5 and labels.json).

`check_record` checks one parsed record and returns findings with a severity:
errors break the contract (unknown labels, a mention that is not in its
paragraph, offsets that point elsewhere, agencies that disagree with the lead
mentions, text that is not NFC ...); warnings are worth a look but cannot
mislead a reader (unknown extra keys, whitespace at the edges of a mention).
`record_problems` is the error part, used by `read_corpus`; `validate_files`
adds what needs the file: JSON syntax, UTF-8, and ids unique across files.
"""
from __future__ import annotations

import calendar
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vntasks.pipeline.document import HEADER_FIELDS
from vntasks.pipeline.labels import LabelSet, load_labels

ERROR = "error"
WARNING = "warning"

RECORD_KEYS = {"id", "source", "header", "paragraphs", "meta", "provenance"}
PARAGRAPH_KEYS = {"number", "text", "actions", "agencies", "mentions", "section", "start", "end", "scores"}
MENTION_KEYS = {"text", "category", "role", "start", "end"}
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_NUMBER_PUNCTUATION = tuple(".):/-,;")


@dataclass(frozen=True)
class Finding:
    """One problem in one record; `where` is a path such as `paragraphs[2].mentions[0]`."""

    severity: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class Problem:
    """A finding located in a file."""

    path: str
    line: int | None
    severity: str
    where: str
    message: str

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line is not None else self.path
        detail = f"{self.where}: {self.message}" if self.where else self.message
        return f"{location}: {self.severity}: {detail}"


def record_problems(obj: dict[str, Any]) -> list[str]:
    """Human-readable errors in one record; empty when it is valid."""
    return [str(f) for f in check_record(obj) if f.severity == ERROR]


def is_error_record(obj: dict[str, Any]) -> bool:
    """An `extract` line for a document that failed: `{"source": ..., "error": {...}}`."""
    return "error" in obj and "paragraphs" not in obj


def lead_agencies(mentions: Iterable[dict[str, Any]]) -> list[str]:
    """GUIDELINE §3.3: the categories of the lead mentions in order of first appearance, or all_units."""
    leads = [m.get("category") for m in mentions if isinstance(m, dict) and m.get("role") == "lead"]
    return list(dict.fromkeys(leads)) or ["all_units"]


def resolve_span(text: str, mention: dict[str, Any]) -> tuple[int, int] | None:
    """The (start, end) a mention means: its `start` if given, else the first occurrence (§5)."""
    mtext = mention.get("text")
    if not isinstance(mtext, str) or not mtext:
        return None
    start = mention.get("start")
    if _is_int(start):
        return start, start + len(mtext)
    end = mention.get("end")
    if _is_int(end):
        return end - len(mtext), end
    found = text.find(mtext)
    return (found, found + len(mtext)) if found >= 0 else None


def check_record(obj: Any, labels: LabelSet | None = None) -> list[Finding]:
    """Every finding for one parsed JSON line."""
    labels = labels or load_labels()
    if not isinstance(obj, dict):
        return [Finding(ERROR, "", f"a record must be a JSON object, not {type(obj).__name__}")]
    if is_error_record(obj):
        error = obj.get("error")
        reason = error.get("message") if isinstance(error, dict) else error
        return [Finding(WARNING, "", f"extraction error record for {obj.get('source')!r} ({reason}); readers skip it")]
    findings: list[Finding] = []
    findings += _unknown_keys(obj, RECORD_KEYS, "")
    if not isinstance(obj.get("id"), str) or not obj.get("id", "").strip():
        findings.append(Finding(ERROR, "id", "required: a non-empty string"))
    if not isinstance(obj.get("source"), str):
        findings.append(Finding(ERROR, "source", "required: a string (the input file name)"))
    for key in ("meta", "provenance"):
        if key in obj and obj[key] is not None and not isinstance(obj[key], dict):
            findings.append(Finding(ERROR, key, f"must be an object, not {type(obj[key]).__name__}"))
    if "header" in obj:
        findings += _check_header(obj["header"])
    paragraphs = obj.get("paragraphs")
    if not isinstance(paragraphs, list):
        findings.append(Finding(ERROR, "paragraphs", "required: a list (empty when the document has no task)"))
    else:
        for i, para in enumerate(paragraphs):
            findings += _check_paragraph(para, f"paragraphs[{i}]", labels)
    findings += _check_nfc(obj, "")
    return findings


def _check_header(header: Any) -> list[Finding]:
    if not isinstance(header, dict):
        return [Finding(ERROR, "header", f"must be an object, not {type(header).__name__}")]
    findings = _unknown_keys(header, set(HEADER_FIELDS), "header", severity=ERROR)
    for name in HEADER_FIELDS:
        if name not in header:
            continue
        value, where = header[name], f"header.{name}"
        if value is None:
            findings.append(Finding(WARNING, where, "null: leave the field out when the text does not show it"))
        elif name == "recipients":
            if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
                findings.append(Finding(ERROR, where, "must be a list of strings, one per addressee"))
        elif not isinstance(value, str):
            findings.append(Finding(ERROR, where, f"must be a string, not {type(value).__name__}"))
        elif name == "date":
            problem = _date_problem(value)
            if problem:
                findings.append(Finding(ERROR, where, problem))
    return findings


def _date_problem(value: str) -> str | None:
    match = _DATE.fullmatch(value)
    if not match:
        return f"{value!r} is not YYYY-MM-DD or YYYY-MM (GUIDELINE §4)"
    year, month, day = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        return f"{value!r}: month {month} does not exist"
    if day is not None and not 1 <= int(day) <= calendar.monthrange(year, month)[1]:
        return f"{value!r}: day {int(day)} does not exist in {year}-{month:02d}"
    return None


def _check_paragraph(para: Any, where: str, labels: LabelSet) -> list[Finding]:
    if not isinstance(para, dict):
        return [Finding(ERROR, where, f"a paragraph must be an object, not {type(para).__name__}")]
    findings = _unknown_keys(para, PARAGRAPH_KEYS, where)
    text = para.get("text")
    if not isinstance(text, str) or not text.strip():
        findings.append(Finding(ERROR, f"{where}.text", "required: a non-empty string"))
        text = None
    elif text != text.strip():
        findings.append(Finding(WARNING, f"{where}.text", "starts or ends with whitespace"))
    number = para.get("number")
    if not isinstance(number, str):
        findings.append(Finding(ERROR, f"{where}.number", "required: a string (\"\" when the item is unnumbered)"))
    elif number != number.strip() or number.endswith(_NUMBER_PUNCTUATION):
        findings.append(Finding(ERROR, f"{where}.number",
                                f"{number!r}: keep the number without punctuation or spaces, "
                                "e.g. \"1\", \"a\" (GUIDELINE §1)"))
    findings += _check_label_list(para, "actions", labels.actions, where)
    findings += _check_label_list(para, "agencies", labels.agencies, where)
    mentions = para.get("mentions")
    if not isinstance(mentions, list):
        findings.append(Finding(ERROR, f"{where}.mentions", "required: a list (empty when no agency is named)"))
        mentions = []
    spans: list[tuple[int, int, int]] = []
    for j, mention in enumerate(mentions):
        mwhere = f"{where}.mentions[{j}]"
        findings += _check_mention(mention, mwhere, text, labels)
        if text is not None and isinstance(mention, dict):
            span = resolve_span(text, mention)
            if span and text[span[0]:span[1]] == mention.get("text"):
                spans.append((span[0], span[1], j))
    findings += _check_spans(spans, where)
    agencies = para.get("agencies")
    if isinstance(agencies, list) and all(isinstance(m, dict) for m in mentions):
        expected = lead_agencies(mentions)
        if set(agencies) != set(expected):
            findings.append(Finding(ERROR, f"{where}.agencies",
                                    f"{agencies} do not match the lead mentions: expected {expected} "
                                    "(the lead categories, or ['all_units'] when there is no lead; GUIDELINE §3.3)"))
    if "section" in para and para["section"] is not None and not isinstance(para["section"], str):
        findings.append(Finding(ERROR, f"{where}.section", "must be a string"))
    findings += _check_offsets(para, where)
    if "scores" in para:
        findings += _check_scores(para["scores"], f"{where}.scores", labels)
    return findings


def _check_label_list(para: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> list[Finding]:
    values = para.get(key)
    if not isinstance(values, list):
        return [Finding(ERROR, f"{where}.{key}", "required: a list of labels (empty for none)")]
    findings = []
    for value in values:
        if value not in allowed:
            findings.append(Finding(ERROR, f"{where}.{key}",
                                    f"unknown label {value!r}; labels.json has {', '.join(allowed)}"))
    repeated = sorted({v for v in values if isinstance(v, str) and values.count(v) > 1})
    if repeated:
        findings.append(Finding(ERROR, f"{where}.{key}", f"label(s) given twice: {', '.join(repeated)}"))
    return findings


def _check_mention(mention: Any, where: str, text: str | None, labels: LabelSet) -> list[Finding]:
    if not isinstance(mention, dict):
        return [Finding(ERROR, where, f"a mention must be an object, not {type(mention).__name__}")]
    findings = _unknown_keys(mention, MENTION_KEYS, where)
    mtext = mention.get("text")
    if not isinstance(mtext, str) or not mtext.strip():
        findings.append(Finding(ERROR, f"{where}.text", "required: a non-empty string"))
        mtext = None
    elif mtext != mtext.strip():
        findings.append(Finding(WARNING, f"{where}.text", f"{mtext!r} starts or ends with whitespace"))
    if mention.get("category") not in labels.agencies:
        findings.append(Finding(ERROR, f"{where}.category",
                                f"unknown category {mention.get('category')!r}; "
                                f"labels.json has {', '.join(labels.agencies)}"))
    if mention.get("role") not in labels.roles:
        findings.append(Finding(ERROR, f"{where}.role",
                                f"unknown role {mention.get('role')!r}; labels.json has {', '.join(labels.roles)}"))
    findings += _check_offsets(mention, where)
    if mtext is None or text is None:
        return findings
    if mtext not in text:
        findings.append(Finding(ERROR, f"{where}.text", f"{mtext!r} does not occur in the paragraph text"))
        return findings
    start, end = mention.get("start"), mention.get("end")
    if _is_int(start) and text[start:start + len(mtext)] != mtext:
        findings.append(Finding(ERROR, f"{where}.start",
                                f"{start} does not point at {mtext!r} "
                                f"(the text there is {text[start:start + len(mtext)]!r})"))
    elif _is_int(end):
        expected_end = (start if _is_int(start) else text.find(mtext)) + len(mtext)
        if end != expected_end:
            findings.append(Finding(ERROR, f"{where}.end", f"{end} does not end {mtext!r} (expected {expected_end})"))
    return findings


def _check_spans(spans: list[tuple[int, int, int]], where: str) -> list[Finding]:
    """The same span marked twice is an error; overlapping spans are suspicious."""
    findings = []
    spans = sorted(spans)
    for (s1, e1, j1), (s2, e2, j2) in zip(spans, spans[1:]):
        if (s1, e1) == (s2, e2):
            findings.append(Finding(ERROR, f"{where}.mentions[{max(j1, j2)}]",
                                    f"marks the same span [{s1}:{e1}] as mentions[{min(j1, j2)}] "
                                    "(give `start` when a string occurs more than once)"))
        elif s2 < e1:
            findings.append(Finding(WARNING, f"{where}.mentions[{j2}]",
                                    f"span [{s2}:{e2}] overlaps mentions[{j1}] [{s1}:{e1}]"))
    return findings


def _check_offsets(obj: dict[str, Any], where: str) -> list[Finding]:
    findings = []
    for key in ("start", "end"):
        if key in obj and obj[key] is not None and not (_is_int(obj[key]) and obj[key] >= 0):
            findings.append(Finding(ERROR, f"{where}.{key}", f"{obj[key]!r}: must be a non-negative integer"))
    if _is_int(obj.get("start")) and _is_int(obj.get("end")) and obj["end"] < obj["start"]:
        findings.append(Finding(ERROR, f"{where}.end", f"{obj['end']} is before start {obj['start']}"))
    return findings


def _check_scores(scores: Any, where: str, labels: LabelSet) -> list[Finding]:
    if not isinstance(scores, dict):
        return [Finding(ERROR, where, "must be an object {\"actions\": {label: p}, \"agencies\": {label: score}}")]
    findings = []
    for kind, values in scores.items():
        allowed = {"actions": labels.actions, "agencies": labels.agencies}.get(kind)
        if allowed is None or not isinstance(values, dict):
            findings.append(Finding(ERROR, f"{where}.{kind}",
                                    "expected \"actions\" or \"agencies\" mapping labels to numbers"))
            continue
        for label, value in values.items():
            if label not in allowed or isinstance(value, bool) or not isinstance(value, (int, float)):
                findings.append(Finding(ERROR, f"{where}.{kind}",
                                        f"{label!r}: {value!r} is not a known label with a number"))
    return findings


def _unknown_keys(obj: dict[str, Any], known: set[str], where: str, severity: str = WARNING) -> list[Finding]:
    unknown = sorted(set(obj) - known)
    if not unknown:
        return []
    return [Finding(severity, where or "record", f"unknown field(s) {', '.join(map(repr, unknown))}; "
                                                 f"readers ignore them (known: {', '.join(sorted(known))})")]


def _check_nfc(value: Any, where: str) -> list[Finding]:
    """GUIDELINE §5: every string is NFC (keys too)."""
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            return [Finding(ERROR, where or "record", f"not NFC: {_first_non_nfc(value)}")]
        return []
    findings = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and not unicodedata.is_normalized("NFC", key):
                findings.append(Finding(ERROR, path, "field name is not NFC"))
            findings += _check_nfc(item, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            findings += _check_nfc(item, f"{where}[{i}]")
    return findings


def _first_non_nfc(value: str) -> str:
    fixed = unicodedata.normalize("NFC", value)
    i = next((k for k, (a, b) in enumerate(zip(value, fixed)) if a != b), min(len(value), len(fixed)))
    return f"at offset {i}, {value[max(0, i - 8):i + 3]!r} should be {fixed[max(0, i - 8):i + 3]!r}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def iter_lines(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(line, parsed object or None, reason it could not be read) for every non-blank line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield 0, None, f"cannot open: {exc.strerror or exc}"
        return
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield line_no, None, f"not UTF-8 ({exc.reason} at byte {exc.start})"
            continue
        try:
            yield line_no, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield line_no, None, f"invalid JSON: {exc.msg} (column {exc.colno})"


def validate_files(paths: Iterable[str | Path]) -> tuple[list[Problem], int]:
    """Every problem in the files (ids checked across all of them) and the number of records read."""
    labels = load_labels()
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    records = 0
    for path in map(Path, paths):
        for line_no, obj, reason in iter_lines(path):
            line = line_no or None
            if reason:
                problems.append(Problem(str(path), line, ERROR, "", reason))
                continue
            records += 1
            problems += [Problem(str(path), line, f.severity, f.where, f.message) for f in check_record(obj, labels)]
            doc_id = obj.get("id") if isinstance(obj, dict) and not is_error_record(obj) else None
            if isinstance(doc_id, str) and doc_id:
                if doc_id in seen_ids:
                    problems.append(Problem(str(path), line, ERROR, "id",
                                            f"{doc_id!r} is already used at {seen_ids[doc_id]}"))
                else:
                    seen_ids[doc_id] = f"{path}:{line_no}"
    return problems, records
