"""The rules a corpus record must follow (GUIDELINE §5 and labels.json)."""
from __future__ import annotations

from typing import Any

from vntasks.pipeline.labels import load_labels


def record_problems(obj: dict[str, Any]) -> list[str]:
    """Human-readable problems with one record; empty when it is valid."""
    labels = load_labels()
    problems: list[str] = []
    for key in ("id", "paragraphs"):
        if key not in obj:
            problems.append(f"missing field {key!r}")
    if problems:
        return problems
    if not isinstance(obj["paragraphs"], list):
        return ["'paragraphs' must be a list"]
    for i, para in enumerate(obj["paragraphs"]):
        where = f"paragraph {i}"
        if not isinstance(para, dict) or not isinstance(para.get("text"), str):
            problems.append(f"{where}: needs a 'text' string")
            continue
        for action in para.get("actions", []):
            if action not in labels.actions:
                problems.append(f"{where}: unknown action {action!r}")
        for agency in para.get("agencies", []):
            if agency not in labels.agencies:
                problems.append(f"{where}: unknown agency category {agency!r}")
        for mention in para.get("mentions", []):
            if not isinstance(mention, dict) or "text" not in mention:
                problems.append(f"{where}: a mention needs 'text'")
                continue
            if mention.get("category") not in labels.agencies:
                problems.append(f"{where}: mention {mention['text']!r} has unknown category {mention.get('category')!r}")
            if mention.get("role") not in labels.roles:
                problems.append(f"{where}: mention {mention['text']!r} has unknown role {mention.get('role')!r}")
            if mention["text"] not in para["text"]:
                problems.append(f"{where}: mention {mention['text']!r} is not in the paragraph text")
    return problems
