"""What a document process does with one file: bytes in, a corpus record out.

A processor is built once per process by a factory named `module:callable`
(a name, so that a fresh process or a Dask worker can import it):

    processor = factory(model_dir)     # loads the model, warms underthesea
    processor.info() -> dict           # name, version, backend, fingerprint, library versions
    processor(path, data) -> dict      # the corpus record; raises DocumentError

`PipelineProcessor`, the default, runs the full pipeline exactly as
`vntasks extract` does. Tests and other jobs can plug in their own.
"""
from __future__ import annotations

import hashlib
import importlib
from importlib import metadata
from pathlib import Path
from typing import Any

DEFAULT_FACTORY = "vntasks.pipeline.processor:PipelineProcessor"
LIBRARIES = ("underthesea", "scikit-learn", "spacy", "numpy", "python-docx", "pypdf", "beautifulsoup4")
# An invented two-item dispatch: running it once loads every lazy model in the process.
WARM_TEXT = ("UBND TỈNH AN BÌNH\n\nV/v phòng, chống dịch\n\nSở Y tế yêu cầu:\n\n"
             "1. Trung tâm Y tế các huyện tổ chức xét nghiệm cho người về từ vùng dịch.\n\n"
             "2. Công an tỉnh phối hợp kiểm tra việc cách ly tại nhà.\n")


def load_factory(spec: str):
    """`package.module:callable` → the callable."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"processor factory {spec!r} is not of the form module:callable")
    return getattr(importlib.import_module(module_name), attr)


def directory_fingerprint(path: Path) -> str:
    """sha256 over every file of a model directory (names and bytes): retrained means reprocessed."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def library_versions(names=LIBRARIES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def model_key(info: dict[str, Any]) -> str:
    """What a document's result depends on, as one string: the state skips a document only on an equal key."""
    return (f"{info.get('name')} {info.get('version')} sha256:{str(info.get('fingerprint'))[:16]} "
            f"vntasks {info.get('vntasks_version')}")


class PipelineProcessor:
    """The full extraction pipeline, loaded once per process."""

    def __init__(self, model_dir: str | None = None):
        from vntasks.models import default_model_dir
        from vntasks.pipeline.core import Pipeline

        self.pipeline = Pipeline.load(model_dir)
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        self.pipeline(WARM_TEXT, doc_id="warm-up")

    def info(self) -> dict[str, Any]:
        from vntasks.pipeline.core import vntasks_version

        return {
            **self.pipeline.model_info,
            "fingerprint": directory_fingerprint(self.model_dir),
            "vntasks_version": vntasks_version(),
            "libraries": library_versions(),
        }

    def __call__(self, path: str, data: bytes) -> dict[str, Any]:
        from vntasks.pipeline.extract import extract_bytes

        return extract_bytes(self.pipeline, Path(path), data).to_json()
