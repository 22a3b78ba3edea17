"""Typed errors: each names the document and the reason, never a traceback for users."""
from __future__ import annotations


class DocumentError(Exception):
    """A document that cannot be processed.

    `kind` is a short machine-readable reason (empty, binary, encoding,
    no_body, too_large, unsupported, timeout, ...); the message is for people.
    """

    def __init__(self, source: str, kind: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.kind = kind
        self.message = message


class ModelError(Exception):
    """A model directory that is missing, malformed, untrusted or incompatible."""


class CorpusError(Exception):
    """A malformed corpus record; the message names the file, line and reason."""
