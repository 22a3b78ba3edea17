"""TEST FIXTURES for the nightly job: small real processors that stand in for the extraction pipeline.

They read files with the real readers (so hostile-file handling is the
product's), then split paragraphs on blank lines. Special markers in a test
document make the processor hang, crash or exhaust memory, to exercise the
job's isolation. Nothing here is used outside tests.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from pathlib import Path

from vntasks.pipeline.errors import DocumentError
from vntasks.pipeline.processor import directory_fingerprint
from vntasks.pipeline.readers import read_document


class ParagraphCounter:
    def __init__(self, model_dir: str | None = None, delay_s: float = 0.0):
        self.delay_s = delay_s
        self.model_dir = Path(model_dir) if model_dir else None
        card = json.loads((self.model_dir / "model.json").read_text()) if self.model_dir else {}
        self.name = card.get("name", "paragraph-counter")
        self.version = card.get("version", "1")

    def info(self) -> dict:
        return {"name": self.name, "version": self.version, "backend": "fixture",
                "fingerprint": directory_fingerprint(self.model_dir) if self.model_dir else "none",
                "vntasks_version": "test"}

    def __call__(self, path: str, data: bytes) -> dict:
        text = read_document(Path(path), data, path).text
        if "HANG-FOREVER" in text:
            time.sleep(3600)
        if "CRASH-NOW" in text:
            os.kill(os.getpid(), signal.SIGSEGV)
        if "EAT-MEMORY" in text:
            hog = bytearray(8 * 1024**3)
            del hog
        if self.delay_s:
            time.sleep(self.delay_s)
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        if not paragraphs:
            raise DocumentError(path, "no_body", "no paragraphs")
        return {
            "id": Path(path).stem, "source": Path(path).name, "header": {},
            "paragraphs": [{"number": "", "text": p, "actions": [], "agencies": [], "mentions": []}
                           for p in paragraphs],
            "provenance": {"path": path, "sha256": hashlib.sha256(data).hexdigest(),
                           "model": self.name, "model_version": self.version},
        }


def slow_counter(model_dir: str | None = None) -> ParagraphCounter:
    return ParagraphCounter(model_dir, delay_s=0.25)


def broken_factory(model_dir: str | None = None):
    raise RuntimeError("this model cannot be loaded")


class TokenCounter(ParagraphCounter):
    """Like ParagraphCounter, but imports underthesea and spaCy and really uses them, as the pipeline does."""

    def __init__(self, model_dir: str | None = None):
        super().__init__(model_dir)
        import spacy
        from underthesea import word_tokenize

        self.word_tokenize = word_tokenize
        self.nlp = spacy.blank("xx")
        self.word_tokenize("Sở Y tế chủ trì.")

    def __call__(self, path: str, data: bytes) -> dict:
        record = super().__call__(path, data)
        for paragraph in record["paragraphs"]:
            words = self.word_tokenize(paragraph["text"])
            paragraph["agencies"] = [w for w in words if w in ("Sở", "Y tế", "Công an")]
            paragraph["actions"] = [str(len(self.nlp(paragraph["text"])))]
        return record


# --- corpora and output readers -------------------------------------------------
FACTORY = "nightly_fixtures:ParagraphCounter"


def good_text(i: int) -> str:
    return (f"UBND TỈNH AN BÌNH\n\nV/v phòng, chống dịch (văn bản số {i})\n\nSở Y tế yêu cầu:\n\n"
            f"1. Trung tâm Y tế huyện {i} tổ chức xét nghiệm cho người về từ vùng dịch.\n\n"
            f"2. Công an huyện {i} phối hợp kiểm tra việc cách ly tại nhà.\n")


def write_good_corpus(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        sub = folder / f"day{i % 3}"
        sub.mkdir(exist_ok=True)
        path = sub / f"cv{i:03d}.txt"
        path.write_text(good_text(i), encoding="utf-8")
        paths.append(path)
    return paths


def visible_records(output: Path, name: str = "tasks.jsonl") -> list[dict]:
    records = []
    for partition in sorted(output.glob("run=*")):
        with open(partition / name, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def manifests(output: Path) -> list[dict]:
    return [json.loads((p / "manifest.json").read_text()) for p in sorted(output.glob("run=*"))]
