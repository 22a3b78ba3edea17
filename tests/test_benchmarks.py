"""Smoke tests of benchmarks/: the corpus generator makes valid dispatches the pipeline parses, and every script
runs end to end on a tiny corpus. No timing is asserted here (speed targets live in the benchmarks' output)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate_corpus as gen  # noqa: E402


@pytest.fixture(scope="module")
def material(shared_corpus):
    return gen.load_material([REPO / "corpus" / "seeds.jsonl", shared_corpus / "web.jsonl"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, material):
    out = tmp_path_factory.mktemp("generated")
    summary = gen.write_corpus(out, 40, seed=3, material=material)
    return out, summary


@pytest.fixture(scope="module")
def rules_model(tmp_path_factory):
    """A model directory that needs no training: the keyword baseline."""
    from vntasks.training.trainer import new_model

    return new_model("rules").save(tmp_path_factory.mktemp("model") / "rules")


def gold_records(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


def test_generated_records_follow_the_corpus_rules(corpus):
    from vntasks.corpus.validate import record_problems

    folder, summary = corpus
    records = gold_records(folder)
    assert len(records) == summary["documents"] == 40
    assert sum(len(r["paragraphs"]) for r in records) == summary["paragraphs"]
    for record in records:
        assert record_problems(record) == [], record["id"]
        assert record["meta"]["synthetic"] is True
        text = (folder / record["source"]).read_text(encoding="utf-8")
        for paragraph in record["paragraphs"]:
            for line in paragraph["text"].split("\n"):
                assert line in text, (record["id"], line[:60])


def test_generator_mixes_layouts_and_numbering(material):
    docs = [gen.generate(i, 0, material)[1]["meta"] for i in range(300)]
    assert {d["layout"] for d in docs} == {"official", "web", "bare"}
    assert {d["numbering"] for d in docs} == {n for n, _ in gen.NUMBERINGS}


def test_generator_is_seeded_and_random_access(material, corpus):
    folder, _ = corpus
    text, record = gen.generate(17, 3, material)
    assert (folder / gen.relative_path(17)).read_text(encoding="utf-8") == text
    assert gold_records(folder)[17] == record
    assert gen.generate(17, 4, material)[0] != text
    texts = [t for t, _ in gen.iter_corpus(40, 3, material)]
    assert len(set(texts)) == 40  # unique content: the nightly job skips nothing as a duplicate


def test_pipeline_parses_generated_dispatches(corpus, rules_model, report):
    from vntasks.pipeline.core import Pipeline
    from vntasks.pipeline.extract import extract_file

    folder, _ = corpus
    pipeline = Pipeline.load(rules_model)
    records = gold_records(folder)[:12]
    exact = 0
    for record in records:
        doc = extract_file(pipeline, folder / record["source"])  # raises DocumentError when no body is found
        assert doc.paragraphs, record["id"]
        exact += [p.text for p in doc.paragraphs] == [p["text"] for p in record["paragraphs"]]
    report("generated dispatches segmented exactly as generated", f"{exact}/{len(records)}")
    assert exact >= len(records) // 2


def run_script(*args: str, timeout: int = 300) -> str:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def test_extraction_benchmark_runs(corpus, rules_model, tmp_path):
    folder, _ = corpus
    small = tmp_path / "small"
    out = run_script(str(BENCH / "extraction.py"), "--docs", "4", "--corpus", str(small), "--model",
                     str(rules_model), "--configs", "tokenize,extract-nt,run", "--json", str(tmp_path / "x.json"))
    assert "× tokenize" in out and "extract-nt: stages segment" in out
    figures = json.loads((tmp_path / "x.json").read_text())
    assert [r["config"] for r in figures["results"]] == ["tokenize", "extract-nt", "run"]
    for r in figures["results"]:
        assert r["documents"] == 4 and r["peak_mb"] > 10
    assert figures["results"][2]["processes"] >= 2  # the driver and its document process


def test_scaling_benchmark_runs(rules_model, tmp_path):
    out = run_script(str(BENCH / "scaling.py"), "--sizes", "3", "--estimate", "30", "--modes", "extract",
                     "--model", str(rules_model), "--root", str(tmp_path))
    assert "estimated" in out and "measured" in out


def test_training_benchmark_runs():
    out = run_script(str(BENCH / "training.py"), "--sizes", "20", "--backend", "rules")
    assert "tokenise+tag s" in out


def test_startup_benchmark_runs(rules_model):
    out = run_script(str(BENCH / "startup.py"), "--repeat", "1", "--parts", "breakdown", "--model", str(rules_model))
    assert "first document s" in out
