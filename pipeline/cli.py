"""The `vntasks` command: a thin layer over the library.

Each subcommand lives in its own module with `configure(parser)` and
`run(args) -> int`; modules are imported only when their subcommand runs, so
`vntasks extract` never pays for training or evaluation imports. A module
may also define `command_needs_torch(args) -> bool`: when it says False, the console
command keeps torch and transformers out of its process (see torch_guard).
"""
from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help)
SUBCOMMANDS = {
    "extract": ("vntasks.pipeline.extract", "extract tasks from dispatch files into corpus-format JSONL"),
    "run": ("vntasks.pipeline.nightly", "incremental, resumable extraction job over an input folder"),
    "train": ("vntasks.training.cli", "train an action classifier on corpus JSONL"),
    "evaluate": ("vntasks.evaluation.cli", "score predictions or a model against gold annotations"),
    "compare": ("vntasks.evaluation.compare", "compare two evaluation reports; fail on regression"),
    "corpus": ("vntasks.corpus.cli", "validate, convert and describe annotated corpora"),
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    from vntasks.pipeline.core import vntasks_version

    parser = argparse.ArgumentParser(prog="vntasks", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"vntasks {vntasks_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == wanted:  # only the chosen subcommand's module is imported
            module = importlib.import_module(module_name)
            module.configure(sub)
            sub.set_defaults(handler=module.run, needs_torch=getattr(module, "command_needs_torch", None))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand. As the console script (no argv) it owns its process and may block torch there;
    called from Python with an argv it changes nothing global."""
    owns_process = argv is None
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    if owns_process and args.needs_torch is not None and not args.needs_torch(args):
        from vntasks.pipeline.torch_guard import block_heavy_imports, heavy_modules_loaded

        if not heavy_modules_loaded():
            block_heavy_imports()
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("vntasks: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
