"""Corpus records <-> Label Studio tasks, for correcting predictions instead of annotating from zero.

One task per task paragraph. Label Studio's per-task Choices then are
exactly the paragraph's multi-label `actions` and `agencies`, span offsets
are paragraph offsets as in the corpus format, and the annotator sees a
short text with the document's header, the item's position and the previous
item above it. The labelling config (`labelling_config`) has:

- `mention` (Labels on `text`): one label per agency category;
- `role` (Choices, perRegion, required): lead or support for the selected
  mention, so Label Studio refuses to submit a mention without a role;
- `actions`, `agencies` (Choices, multiple): the paragraph's labels;
- `unit` (Choices): "not a task unit", to drop a wrongly segmented item.

Everything needed to rebuild the document (id, source, header, meta,
provenance, the paragraph's number, section and offsets) travels in each
task's `data`, so `tasks_to_records(records_to_tasks(gold))` gives back the
gold exactly; a document without paragraphs travels as one placeholder task.
On import, paragraph `agencies` are derived from the lead mentions by
default (GUIDELINE §3.3), and a mention gets `start` only where its text
occurs earlier in the paragraph (the §5 convention), unless asked otherwise.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from typing import Any

from vntasks.corpus.validate import ERROR, check_record, lead_agencies, resolve_span
from vntasks.pipeline.labels import LabelSet, load_labels

TEXT = "text"
MENTION = "mention"
ROLE = "role"
ACTIONS = "actions"
AGENCIES = "agencies"
UNIT = "unit"
NOT_A_UNIT = "not a task unit"
EMPTY_DOCUMENT_TEXT = "(no task paragraph was found in this document)"
_CONTROLS = {MENTION, ROLE, ACTIONS, AGENCIES, UNIT}
_DROP = object()  # an item marked "not a task unit"
_COLOURS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990",
            "#808000", "#000075", "#e6a300", "#dcbeff", "#aaffc3", "#800000", "#a9a9a9", "#bfef45")


# ---------------------------------------------------------------- config

def label_hints() -> dict[str, str]:
    """Label -> its cue words / coverage, read from the guideline's tables (§2, §3.2)."""
    try:
        guideline = resources.files("vntasks.corpus").joinpath("GUIDELINE.md").read_text("utf-8")
    except OSError:
        return {}
    hints = {}
    for match in re.finditer(r"^\| `([a-z_]+)` \| ([^|]+)\|", guideline, flags=re.MULTILINE):
        hints.setdefault(match[1], match[2].strip())
    return hints


def labelling_config(labels: LabelSet | None = None) -> str:
    """The Label Studio labelling config (XML) that matches the exported tasks."""
    labels = labels or load_labels()
    hints = label_hints()

    def options(tag: str, values: tuple[str, ...], colours: bool = False) -> str:
        lines = []
        for i, value in enumerate(values):
            attrs = f'value="{escape(value)}"'
            if colours:
                attrs += f' background="{_COLOURS[i % len(_COLOURS)]}"'
            if value in hints:
                attrs += f' hint="{escape(hints[value])}"'
            lines.append(f"    <{tag} {attrs}/>")
        return "\n".join(lines)

    return f"""<View>
  <!-- made by `vntasks corpus export-labelstudio`; control names are read back by import-labelstudio -->
  <Header value="$title" size="4"/>
  <Header value="$subject" size="6"/>
  <Header value="$item" size="6"/>
  <View style="color: #666; border-left: 3px solid #ccc; padding-left: 8px; margin-bottom: 8px">
    <Text name="previous" value="$previous"/>
  </View>
  <Header value="Agency mentions: select the category, then the text; then set its role (GUIDELINE §3)" size="6"/>
  <Labels name="{MENTION}" toName="{TEXT}" choice="single" showInline="true">
{options("Label", labels.agencies, colours=True)}
  </Labels>
  <Text name="{TEXT}" value="$text"/>
  <Header value="Role of the selected mention" size="6"/>
  <Choices name="{ROLE}" toName="{TEXT}" perRegion="true" required="true" choice="single" showInline="true">
{options("Choice", labels.roles)}
  </Choices>
  <Header value="Actions the item asks for (GUIDELINE §2; none is allowed)" size="6"/>
  <Choices name="{ACTIONS}" toName="{TEXT}" choice="multiple" showInline="true">
{options("Choice", labels.actions)}
  </Choices>
  <Header value="Responsible agencies (GUIDELINE §3.3: on import they are recomputed from the lead mentions)" size="6"/>
  <Choices name="{AGENCIES}" toName="{TEXT}" choice="multiple" showInline="true">
{options("Choice", labels.agencies)}
  </Choices>
  <Choices name="{UNIT}" toName="{TEXT}" choice="multiple" showInline="true">
    <Choice value="{NOT_A_UNIT}"
            hint="headline, preamble, closing sentence or footer (GUIDELINE §1): dropped on import"/>
  </Choices>
</View>
"""


# ---------------------------------------------------------------- export

def records_to_tasks(records: list[dict[str, Any]], *, as_annotations: bool = False,
                     model_version: str | None = None) -> list[dict[str, Any]]:
    """Label Studio tasks for corpus records, their labels as pre-annotations (or as annotations)."""
    tasks = []
    for doc_index, record in enumerate(records):
        tasks.extend(record_tasks(record, doc_index, as_annotations=as_annotations, model_version=model_version))
    return tasks


def record_tasks(record: dict[str, Any], doc_index: int, *, as_annotations: bool = False,
                 model_version: str | None = None) -> list[dict[str, Any]]:
    """The tasks of one document; `data.document` is the record without its paragraphs (key order kept)."""
    paragraphs = record.get("paragraphs") or []
    document = {key: (None if key == "paragraphs" else value) for key, value in record.items()}
    header = record.get("header") or {}
    title = " — ".join(str(x) for x in (record.get("id"), header.get("issuer"), header.get("number"),
                                        header.get("date")) if x)
    common = {"doc_id": record.get("id"), "source": record.get("source", ""), "title": title,
              "subject": f"V/v {header['subject']}" if header.get("subject") else "", "document": document}
    if not paragraphs:
        data = {**common, "text": EMPTY_DOCUMENT_TEXT, "number": "", "item": "no task paragraph", "previous": "",
                "position": {"document": doc_index, "paragraph": None, "paragraphs": 0}}
        return [{"data": data}]
    version = model_version or _model_version(record, as_annotations)
    tasks = []
    for i, para in enumerate(paragraphs):
        kept = {key: para[key] for key in ("section", "start", "end") if para.get(key) is not None}
        item = f"Item {i + 1} of {len(paragraphs)} · number {para.get('number') or '(none)'}"
        if para.get("section"):
            item += f" · section: {para['section']}"
        data = {**common, "text": para["text"], "number": para.get("number", ""), "item": item,
                "previous": paragraphs[i - 1]["text"] if i else "",
                "position": {"document": doc_index, "paragraph": i, "paragraphs": len(paragraphs)},
                "paragraph": {"number": para.get("number", ""), **kept}}
        result = paragraph_result(para)
        if as_annotations:
            task = {"data": data, "annotations": [{"result": result, "was_cancelled": False, "ground_truth": False}]}
        else:
            prediction: dict[str, Any] = {"model_version": version, "result": result}
            score = _confidence(para)
            if score is not None:
                prediction["score"] = score
            task = {"data": data, "predictions": [prediction]}
        tasks.append(task)
    return tasks


def paragraph_result(para: dict[str, Any]) -> list[dict[str, Any]]:
    """Label Studio result items for one paragraph's labels and mentions."""
    text = para["text"]
    result = []
    for k, mention in enumerate(para.get("mentions") or []):
        span = resolve_span(text, mention)
        if span is None:
            raise ValueError(f"mention {mention.get('text')!r} is not in the paragraph text")
        start, end = span
        region = {"start": start, "end": end, "text": text[start:end]}
        rid = f"m{k}"
        result.append({"id": rid, "from_name": MENTION, "to_name": TEXT, "type": "labels",
                       "value": {**region, "labels": [mention["category"]]}})
        result.append({"id": rid, "from_name": ROLE, "to_name": TEXT, "type": "choices",
                       "value": {**region, "choices": [mention["role"]]}})
    for name in (ACTIONS, AGENCIES):
        if para.get(name):
            result.append({"id": name, "from_name": name, "to_name": TEXT, "type": "choices",
                           "value": {"choices": list(para[name])}})
    return result


def _model_version(record: dict[str, Any], as_annotations: bool) -> str:
    provenance = record.get("provenance") or {}
    parts = [str(provenance[k]) for k in ("model", "model_version") if provenance.get(k)]
    return " ".join(parts) or ("gold" if as_annotations or "provenance" not in record else "unknown")


def _confidence(para: dict[str, Any]) -> float | None:
    """The least certain action decision, max(p, 1 - p): sort by it to review doubtful items first."""
    probabilities = (para.get("scores") or {}).get("actions") or {}
    if not probabilities:
        return None
    return round(min(max(p, 1 - p) for p in probabilities.values()), 4)


# ---------------------------------------------------------------- import

@dataclass
class ImportReport:
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # annotations that cannot be read: fix them in Label Studio
    warnings: list[str] = field(default_factory=list)  # documents left out, agencies recomputed ...
    paragraphs: int = 0
    dropped: int = 0  # items marked "not a task unit"
    from_predictions: int = 0
    not_started: list[str] = field(default_factory=list)  # documents with no item annotated


def tasks_to_records(tasks: Any, *, use_predictions: bool = False, pre_annotated: list[dict[str, Any]] | None = None,
                     agencies: str = "derive", offsets: str = "needed", partial: bool = False) -> ImportReport:
    """Corpus records from a Label Studio JSON export (the list of tasks it writes).

    Each task's latest non-cancelled annotation is used (a reviewer's
    ground-truth one first); with `use_predictions`, a task nobody annotated
    takes its latest prediction. Label Studio's plain export lists
    predictions by id only and leaves out unannotated tasks: `pre_annotated`
    (the tasks `records_to_tasks` wrote) supplies both, and implies
    `use_predictions`. A document is written only when every one of its
    items could be read, unless `partial`.
    `agencies`: "derive" (from the lead mentions) or "annotated" (as ticked).
    `offsets`: "needed" (`start` only where §5 needs it) or "always" (start and end).
    """
    report = ImportReport()
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        report.errors.append("expected Label Studio's JSON export: a list of tasks "
                             "(Export → JSON, not JSON-MIN or CSV)")
        return report
    if pre_annotated is not None:
        tasks, use_predictions = _with_pre_annotations(tasks, pre_annotated), True
    documents: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    order: dict[str, tuple[int, int]] = {}
    for n, task in enumerate(tasks):
        data = task.get("data") or {}
        document, position = data.get("document"), data.get("position")
        if not isinstance(document, dict) or not isinstance(position, dict) or not isinstance(document.get("id"), str):
            report.errors.append(f"{_task_name(task, n)}: not made by `vntasks corpus export-labelstudio` "
                                 "(no data.document / data.position)")
            continue
        doc_id = document["id"]
        if doc_id not in documents:
            documents[doc_id] = document
            order[doc_id] = (position.get("document") if isinstance(position.get("document"), int) else n, n)
        elif document != documents[doc_id]:
            report.warnings.append(f"{_task_name(task, n)}: its document fields differ from another task of {doc_id}; "
                                   "the first task's were kept")
        if position.get("paragraph") is not None:
            items[doc_id][position["paragraph"]].append({"task": task, "n": n, "count": position.get("paragraphs")})
    for doc_id in sorted(documents, key=order.__getitem__):
        record = _build_document(documents[doc_id], items.get(doc_id, {}), report,
                                 use_predictions=use_predictions, agencies=agencies, offsets=offsets, partial=partial)
        if record is not None:
            report.records.append(record)
    if use_predictions and pre_annotated is None and any(
            p is not None and not isinstance(p, dict) for t in tasks for p in t.get("predictions") or []):
        report.warnings.append("this export lists predictions by id only: pass the tasks file made by "
                               "export-labelstudio (--predictions TASKS.json) to use them")
    if report.not_started:
        hint = "" if use_predictions else " (--use-predictions takes their pre-annotations)"
        report.warnings.append(f"{len(report.not_started)} document(s) left out, nothing annotated yet{hint}: "
                               + ", ".join(report.not_started))
    return report


def _build_document(document: dict[str, Any], items: dict[int, list[dict[str, Any]]], report: ImportReport, *,
                    use_predictions: bool, agencies: str, offsets: str, partial: bool) -> dict[str, Any] | None:
    doc_id = document["id"]
    counts = {entry["count"] for entries in items.values() for entry in entries}
    expected = max((c for c in counts if isinstance(c, int)), default=0)
    paragraphs: list[dict[str, Any]] = []
    missing, unannotated, skipped, failed = [], [], [], False
    dropped = from_predictions = 0
    for index in range(max(expected, max(items, default=-1) + 1)):
        entries = items.get(index, [])
        if not entries:
            missing.append(index + 1)
            continue
        if len(entries) > 1:
            report.errors.append(f"{doc_id} item {index + 1}: in {len(entries)} tasks "
                                 f"({', '.join(_task_name(e['task'], e['n']) for e in entries)}); delete the copies")
            failed = True
            continue
        task, n = entries[0]["task"], entries[0]["n"]
        result, source = _chosen_result(task, use_predictions)
        if result is None:
            (skipped if source == "skipped" else unannotated).append(index + 1)
            continue
        where = f"{_task_name(task, n)} ({doc_id} item {index + 1})"
        parsed = _read_result(task["data"], result, where, report, agencies=agencies, offsets=offsets)
        if parsed is None:
            failed = True
        elif parsed is _DROP:
            dropped += 1
        else:
            paragraphs.append(parsed)
            from_predictions += source == "prediction"
    if failed:
        report.warnings.append(f"{doc_id}: left out because of the errors above")
        return None
    if unannotated and not (missing or skipped or paragraphs or dropped or partial):
        report.not_started.append(doc_id)
        return None
    if missing or unannotated or skipped:
        detail = "; ".join(part for part in (
            f"item(s) {_join(missing)} not in the export" if missing else "",
            f"item(s) {_join(unannotated)} not annotated yet" if unannotated else "",
            f"item(s) {_join(skipped)} skipped in Label Studio" if skipped else "") if part)
        if not partial:
            hint = " (or --use-predictions)" if unannotated and not use_predictions else ""
            report.warnings.append(f"{doc_id}: left out: {detail}; finish them in Label Studio or pass --partial{hint}")
            return None
        report.warnings.append(f"{doc_id}: written without {detail}")
    record = dict(document)
    record["paragraphs"] = paragraphs
    findings = [f for f in check_record(record) if f.severity == ERROR]
    if findings:
        report.errors.extend(f"{doc_id}: {f}" for f in findings)
        report.warnings.append(f"{doc_id}: left out because of the errors above")
        return None
    report.paragraphs += len(paragraphs)
    report.dropped += dropped
    report.from_predictions += from_predictions
    return record


def _task_key(task: dict[str, Any]) -> tuple[Any, Any] | None:
    data = task.get("data") or {}
    document, position = data.get("document"), data.get("position")
    if isinstance(document, dict) and isinstance(position, dict):
        return document.get("id"), position.get("paragraph")
    return None


def _with_pre_annotations(tasks: list[dict[str, Any]], pre_annotated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The exported tasks, their predictions filled in from the tasks file, plus the tasks the export left out."""
    originals = {_task_key(t): t for t in pre_annotated if isinstance(t, dict) and _task_key(t) is not None}
    merged = []
    for task in tasks:
        original = originals.pop(_task_key(task), None)
        full = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
        if original is not None and not full:
            task = {**task, "predictions": original.get("predictions") or []}
        merged.append(task)
    return merged + list(originals.values())


def _chosen_result(task: dict[str, Any], use_predictions: bool) -> tuple[list[dict[str, Any]] | None, str]:
    given = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
    annotations = [a for a in given if not a.get("was_cancelled")]
    if given and not annotations:
        return None, "skipped"  # the annotator could not decide: not filled from predictions either
    if annotations:
        best = max(annotations, key=lambda a: (bool(a.get("ground_truth")),
                                              str(a.get("updated_at") or a.get("created_at") or ""),
                                              a.get("id") if isinstance(a.get("id"), int) else 0))
        return list(best.get("result") or []), "annotation"
    if use_predictions:
        predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict) and "result" in p]
        if predictions:
            best = max(enumerate(predictions), key=lambda ip: (str(ip[1].get("created_at") or ""), ip[0]))[1]
            return list(best["result"] or []), "prediction"
    return None, ""



def _read_result(data: dict[str, Any], result: list[dict[str, Any]], where: str, report: ImportReport, *,
                 agencies: str, offsets: str) -> dict[str, Any] | object | None:
    """The paragraph record for one annotation, `_DROP`, or None after reporting errors."""
    text = data.get("text")
    if not isinstance(text, str):
        report.errors.append(f"{where}: data.text is missing")
        return None
    regions: dict[str, dict[str, Any]] = {}
    region_order: list[str] = []
    choices: dict[str, list[str]] = {}
    ignored = set()
    for item in result:
        name, value = item.get("from_name"), item.get("value") or {}
        if name in (MENTION, ROLE):  # a region's category and its per-region role share the region id
            rid = str(item.get("id"))
            if rid not in regions:
                regions[rid] = {}
                region_order.append(rid)
            regions[rid]["span" if name == MENTION else "role_span"] = value
            regions[rid][name] = value.get("labels" if name == MENTION else "choices") or []
        elif name in _CONTROLS:
            choices[name] = list(value.get("choices") or [])
        else:
            ignored.add(str(name))
    if ignored:
        report.warnings.append(f"{where}: ignored result(s) of unknown control(s) {', '.join(sorted(ignored))}")
    if NOT_A_UNIT in choices.get(UNIT, []):
        return _DROP
    ok = True
    mentions = []
    for rid in region_order:
        region = regions[rid]
        value = region.get("span") or region.get("role_span")
        categories, roles = region.get(MENTION, []), region.get(ROLE, [])
        span = _locate(text, value)
        shown = repr(value.get("text") or text[value.get("start", 0):value.get("end", 0)])
        if span is None:
            report.errors.append(f"{where}: region {shown} at [{value.get('start')}:{value.get('end')}] "
                                 "does not match the task text")
            ok = False
            continue
        if len(categories) != 1:
            report.errors.append(f"{where}: mention {shown} needs exactly one category, has {categories or 'none'}")
            ok = False
        if len(roles) != 1:
            report.errors.append(f"{where}: mention {shown} needs exactly one role (lead/support), "
                                 f"has {roles or 'none'}")
            ok = False
        if ok:
            mentions.append((span, categories[0], roles[0]))
    if not ok:
        return None
    mentions.sort(key=lambda m: m[0])  # stable: text order, as in the gold
    out_mentions = []
    for (start, end), category, role in mentions:
        mention: dict[str, Any] = {"text": text[start:end], "category": category, "role": role}
        if offsets == "always":
            mention["start"], mention["end"] = start, end
        elif text.find(text[start:end]) != start:
            mention["start"] = start
        out_mentions.append(mention)
    derived = lead_agencies(out_mentions)
    ticked = choices.get(AGENCIES, [])
    if agencies == "derive":
        if set(ticked) != set(derived):
            report.warnings.append(f"{where}: agencies ticked {ticked} replaced by the lead mentions' "
                                   f"categories {derived}")
        paragraph_agencies = derived
    else:
        paragraph_agencies = ticked
    kept = data.get("paragraph") or {}
    para: dict[str, Any] = {"number": kept.get("number", data.get("number", "")), "text": text,
                            "actions": choices.get(ACTIONS, []), "agencies": paragraph_agencies,
                            "mentions": out_mentions}
    para.update({key: kept[key] for key in ("section", "start", "end") if kept.get(key) is not None})
    return para


def _locate(text: str, value: dict[str, Any]) -> tuple[int, int] | None:
    """The region's (start, end) in `text`, whitespace trimmed.

    Label Studio counts offsets in UTF-16 units (they differ after a character
    outside the BMP); when neither reading matches the region's text, its
    occurrence nearest to the given start is taken.
    """
    start, end, shown = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    candidates = [(start, end)]
    if any(ord(c) > 0xFFFF for c in text):
        candidates.append((_from_utf16(text, start), _from_utf16(text, end)))
    span = next(((s, e) for s, e in candidates
                 if 0 <= s < e <= len(text) and (shown is None or text[s:e] == shown)), None)
    if span is None and shown and shown in text:
        found = [m.start() for m in re.finditer(re.escape(shown), text)]
        nearest = min(found, key=lambda s: abs(s - start))
        span = (nearest, nearest + len(shown))
    if span is None:
        return None
    s, e = span
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else None


def _from_utf16(text: str, units: int) -> int:
    count = 0
    for i, char in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _task_name(task: dict[str, Any], n: int) -> str:
    return f"task {task['id']}" if "id" in task else f"task #{n + 1} in the file"


def _join(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))
