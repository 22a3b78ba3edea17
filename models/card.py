"""The human-readable model card (MODEL_CARD.md) written beside model.json, and library versions."""
from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

_LIBRARIES = {
    "linear": ("vntasks", "scikit-learn", "skops", "numpy", "scipy", "underthesea"),
    "rules": ("vntasks", "underthesea"),
    "transformer": ("vntasks", "torch", "transformers", "tokenizers", "safetensors", "numpy", "underthesea"),
}


def library_versions(backend: str) -> dict[str, str]:
    import platform

    out = {"python": platform.python_version()}
    for name in _LIBRARIES.get(backend, ("vntasks",)):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# (title, model.json key) of every cross-validation a card may hold, in display order.
SECTIONS = (
    ("this model, held-out documents", "cv"),
    ("keyword baseline (§2 table cues), same folds", "baseline_cv"),
    ("guideline rules (§2 cues + settled cases), same folds", "rules_cv"),
    ("this model, held-out provinces", "cv_by_province"),
    ("keyword baseline, held-out provinces", "baseline_cv_by_province"),
    ("guideline rules, held-out provinces", "rules_cv_by_province"),
)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def metrics_table(cv: dict[str, Any]) -> list[str]:
    """Markdown rows of a cross-validation summary (per-label P/R/F1 and support, then averages)."""
    lines = ["| label | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    for label, row in cv["per_label"].items():
        lines.append(f"| {label} | {_fmt(row['precision'])} | {_fmt(row['recall'])} | {_fmt(row['f1'])} "
                     f"| {row['support']} |")
    lines.append(f"| **micro** | {_fmt(cv['micro']['precision'])} | {_fmt(cv['micro']['recall'])} "
                 f"| {_fmt(cv['micro']['f1'])} | |")
    lines.append(f"| **macro** | {_fmt(cv['macro']['precision'])} | {_fmt(cv['macro']['recall'])} "
                 f"| {_fmt(cv['macro']['f1'])} | |")
    lines.append(f"| **core-four macro** | | | {_fmt(cv['core_macro_f1'])} | |")
    return lines


def _cv_section(title: str, cv: dict[str, Any]) -> list[str]:
    setup = cv.get("setup", {})
    lines = [f"## {title[0].upper()}{title[1:]}", ""]
    if setup:
        lines.append(
            f"{setup.get('folds')}-fold group cross-validation, groups = {setup.get('grouping')}, "
            f"{setup.get('documents')} documents / {setup.get('paragraphs')} paragraphs scored "
            f"(gold segmentation; synthetic paragraphs train only, never scored); "
            f"thresholds: {setup.get('thresholds')}.")
        lines.append("")
    return lines + metrics_table(cv) + [""]


def write_model_card(path: Path, card: dict[str, Any]) -> None:
    lines = [f"# {card['name']} {card['version']}", ""]
    lines.append(f"Action-type classifier for vntasks (backend `{card['backend']}`), "
                 f"created {card.get('created', 'unknown date')}.")
    lines.append("")
    lines.append(f"Labels (labels.json version {card['label_set_version']}): "
                 + ", ".join(f"`{x}`" for x in card["labels"]) + ".")
    lines.append("")
    lines.append("Per-label decision thresholds ("
                 + card.get("thresholds_how", "how they were chosen is not recorded") + "): "
                 + ", ".join(f"{k} {v}" for k, v in card["thresholds"].items()) + ".")
    lines.append("")
    training = card.get("training")
    if training:
        lines += ["## Training data", "", "| file | sha256 | documents | paragraphs | synthetic |",
                  "| --- | --- | --- | --- | --- |"]
        for item in training.get("data", []):
            lines.append(f"| {item['file']} | `{item['sha256'][:16]}…` | {item['documents']} | {item['paragraphs']} "
                         f"| {'yes' if item.get('synthetic') else 'no'} |")
        lines.append("")
        if training.get("label_counts"):
            lines.append("Training paragraphs per label: "
                         + ", ".join(f"{k} {v}" for k, v in training["label_counts"].items()) + ".")
            lines.append("")
        lines.append(f"Seed {training.get('seed')}; parameters: `{card.get('params', {})}`.")
        lines.append("")
    summary = [(title, key) for title, key in SECTIONS if card.get(key)]
    if summary:
        lines += ["## Cross-validated figures at a glance", "",
                  "Held-out documents or provinces only (group k-fold; thresholds chosen inside each training fold).",
                  "", "| | macro F1 | micro F1 | core-four macro F1 |", "| --- | --- | --- | --- |"]
        for title, key in summary:
            cv = card[key]
            lines.append(f"| {title} | {_fmt(cv['macro']['f1'])} | {_fmt(cv['micro']['f1'])} "
                         f"| {_fmt(cv['core_macro_f1'])} |")
        lines.append("")
        for title, key in summary:
            lines += _cv_section(title, card[key])
    else:
        lines += ["No cross-validated figures were recorded for this model.", ""]
    lines.append("No figure here was computed on the data the scored model was trained on.")
    lines.append("")
    if card.get("notes"):
        lines += ["## Notes", ""] + [f"- {note}" for note in card["notes"]] + [""]
    lines += ["## Libraries", ""] + [f"- {k} {v}" for k, v in card.get("libraries", {}).items()] + [""]
    lines += ["## Files", ""] + [f"- `{k}` sha256 `{v}`" for k, v in card.get("files", {}).items()] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
