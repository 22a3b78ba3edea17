"""Bytes of a dispatch file → Unicode text, or a DocumentError saying why not."""
from __future__ import annotations

from pathlib import Path

from vntasks.pipeline.errors import DocumentError

MAX_BYTES = 20 * 1024 * 1024  # a dispatch is a few pages; anything larger is not one
TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > len(sample) * 0.05


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) text; binary or undecodable bytes are errors."""
    if not data.strip():
        raise DocumentError(source, "empty", "the file is empty")
    if _looks_binary(data):
        raise DocumentError(source, "binary", "the file is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            source, "encoding", f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 4]!r})"
        ) from None


def read_bytes(path: Path, source: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(source, "too_large", f"{size:,} bytes is over the {MAX_BYTES:,}-byte limit")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(source, "unreadable", exc.strerror or str(exc)) from None


def document_text(path: Path, data: bytes, source: str) -> str:
    """Text of a file's bytes, by its suffix."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return decode_text(data, source)
    raise DocumentError(source, "unsupported", f"unsupported file type {suffix or '(none)'!r}")
