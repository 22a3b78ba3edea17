"""Keep torch and transformers out of a process that runs the linear model.

When they are installed, `import underthesea` imports transformers (through
its optional `translate` module) and `import spacy` imports torch (through
thinc): +2 s and +200 MB per process for nothing, since the linear model,
the tokenizer and the agency tagger never call them. Both libraries import
them inside `try: ... except ImportError`, so a meta-path finder that
answers "not installed" for these names leaves them working: underthesea's
translate becomes None and thinc runs without its PyTorch shims.

Install it first thing in a fresh process, before anything imports
underthesea or spaCy: the job's document processes do, and so does the
`vntasks` command when its subcommand runs no transformer model (+200 MB of
peak memory and +3 s of start-up otherwise, measured by benchmarks/).
"""
from __future__ import annotations

import importlib.abc
import sys

BLOCKED = ("torch", "transformers")


class ImportBlocker(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...] = BLOCKED):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r} (blocked: the linear model does not use it)",
                                      name=fullname)
        return None


def block_heavy_imports(names: tuple[str, ...] = BLOCKED) -> None:
    """Make `import torch` / `import transformers` fail as if they were not installed."""
    loaded = [name for name in names if name in sys.modules]
    if loaded:
        raise RuntimeError(f"too late to block {loaded}: already imported in this process")
    if not any(isinstance(finder, ImportBlocker) for finder in sys.meta_path):
        sys.meta_path.insert(0, ImportBlocker(names))


def heavy_modules_loaded(names: tuple[str, ...] = BLOCKED) -> list[str]:
    return sorted(name for name in sys.modules if name.partition(".")[0] in names)
