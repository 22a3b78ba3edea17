"""Scale-out on Dask, and torch kept out of the worker processes.

The processor here (nightly_fixtures.TokenCounter) really imports and uses
underthesea and spaCy, which import torch/transformers when they are
installed, as they are in the test environment.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nightly_fixtures import manifests, visible_records, write_good_corpus

from vntasks.pipeline.nightly import JobConfig, run_job

TESTS = Path(__file__).resolve().parent
TOKENS = "nightly_fixtures:TokenCounter"


@pytest.fixture(autouse=True)
def fixtures_importable(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])))


def comparable(records: list[dict]) -> list[tuple[str, str]]:
    return sorted((r["provenance"]["path"], json.dumps(r["paragraphs"], ensure_ascii=False)) for r in records)


def test_local_cluster_of_two_workers_gives_the_same_tasks_without_torch(tmp_path):
    write_good_corpus(tmp_path / "in", 8)
    (tmp_path / "in" / "empty.txt").write_text("")
    single = run_job(JobConfig(tmp_path / "in", tmp_path / "single", processor=TOKENS))
    cluster = run_job(JobConfig(tmp_path / "in", tmp_path / "cluster", processor=TOKENS, workers=2, batch_size=2))
    assert single.counts == cluster.counts == {"seen": 9, "processed": 8, "skipped": 0, "failed": 1, "unfinished": 0}
    assert comparable(visible_records(tmp_path / "cluster")) == comparable(visible_records(tmp_path / "single"))
    assert any(p["agencies"] for r in visible_records(tmp_path / "cluster") for p in r["paragraphs"])
    assert visible_records(tmp_path / "cluster", "errors.jsonl")[0]["error"]["kind"] == "empty"

    (manifest,) = manifests(tmp_path / "cluster")
    assert manifest["executor"]["kind"] == "dask" and manifest["executor"]["workers"] == 2
    processes = manifest["processes"]
    workers = [p for p in processes if p["process"] == "dask-worker"]
    documents = [p for p in processes if p["process"] == "document"]
    assert len(workers) == 2 and len({p["pid"] for p in documents}) == 2
    assert all(p["heavy_modules"] == [] for p in processes), processes
    assert all(p["starts"] == 1 for p in documents)  # the model was loaded once per worker


def test_without_the_guard_underthesea_and_spacy_would_import_torch():
    """The control for the test above: the same imports, unguarded, do load torch here."""
    code = ("import sys, underthesea, spacy; underthesea.word_tokenize('Sở Y tế'); spacy.blank('xx');"
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    if "torch" not in loaded.stdout:
        pytest.skip("torch is not installed here: nothing to keep out")
    guarded = subprocess.run(
        [sys.executable, "-c", "from vntasks.pipeline.torch_guard import block_heavy_imports; block_heavy_imports();"
         + code + "; print(underthesea.word_tokenize('Sở Y tế chủ trì'))"],
        capture_output=True, text=True, timeout=120)
    assert guarded.returncode == 0, guarded.stderr
    assert guarded.stdout.splitlines() == ["[]", "['Sở', 'Y tế', 'chủ trì']"]
