"""The console command keeps torch out of processes that run no transformer model."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from vntasks.pipeline.cli import build_parser

CHECK = """
import sys
from vntasks.pipeline.cli import main
sys.argv = ["vntasks", *sys.argv[1:]]
code = main()
print(sorted({m.split(".")[0] for m in sys.modules} & {"torch", "transformers"}))
sys.exit(code)
"""


def parsed(argv: list[str]):
    return build_parser(argv).parse_args(argv)


def transformer_card(tmp_path: Path) -> Path:
    from vntasks.models import default_model_dir

    card = json.loads((default_model_dir() / "model.json").read_text("utf-8"))
    (tmp_path / "model.json").write_text(json.dumps({**card, "backend": "transformer"}), "utf-8")
    return tmp_path


def test_commands_say_whether_they_need_torch(tmp_path):
    assert parsed(["extract", "x.txt"]).needs_torch(parsed(["extract", "x.txt"])) is False
    args = parsed(["extract", "x.txt", "--model", str(transformer_card(tmp_path))])
    assert args.needs_torch(args) is True
    for argv, expected in ((["train", "--data", "d.jsonl", "--out", "m"], False),
                           (["train", "--data", "d.jsonl", "--out", "m", "--backend", "transformer"], True),
                           (["evaluate", "--gold", "g.jsonl", "--pred", "p.jsonl"], False),
                           (["evaluate", "--cv", "5", "--data", "g.jsonl", "--backend", "transformer"], True)):
        args = parsed(argv)
        assert args.needs_torch(args) is expected, argv


def test_an_unreadable_model_card_blocks_nothing_and_load_model_reports_it(tmp_path):
    args = parsed(["extract", "x.txt", "--model", str(tmp_path / "missing")])
    assert args.needs_torch(args) is False


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed: nothing to keep out")
def test_console_extract_with_the_linear_model_never_imports_torch(tmp_path, seeds_dir):
    seed = sorted(Path(seeds_dir).glob("*.txt"))[0]
    done = subprocess.run([sys.executable, "-c", CHECK, "extract", str(seed), "-o", str(tmp_path / "out.jsonl"),
                           "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert json.loads((tmp_path / "out.jsonl").read_text("utf-8").splitlines()[0])["paragraphs"]


def test_extract_summary_keeps_counts_and_shows_only_the_first_documents():
    from vntasks.pipeline.document import Dispatch, Header, Paragraph
    from vntasks.pipeline.extract import Summary

    summary = Summary()
    for i in range(Summary.SHOWN + 5):
        summary.add(Dispatch(id=f"d{i}", source=f"d{i}.txt", header=Header(issuer="UBND tỉnh"),
                             paragraphs=[Paragraph(number="1", text="t", actions=["testing"], agencies=["health"])]))
    text = summary.text([{"source": "bad.pdf", "error": {"kind": "unreadable", "message": "not a PDF"}}])
    lines = text.splitlines()
    assert lines[0] == f"{Summary.SHOWN + 5} documents extracted, {Summary.SHOWN + 5} task paragraphs, 1 failed"
    assert sum(line.startswith("  d") for line in lines) == Summary.SHOWN
    assert "  ... and 5 more documents (their tasks are in the output)" in lines
    assert f"actions:  testing {Summary.SHOWN + 5}" in lines
    assert lines[-1] == "FAILED bad.pdf: not a PDF (unreadable)"
    assert len(summary.shown) == 2 * Summary.SHOWN  # a header line and a task line per shown document, no more
