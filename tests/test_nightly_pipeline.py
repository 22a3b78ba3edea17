"""`vntasks run` end to end with the real pipeline: same records as `vntasks extract`, on Dask, without torch."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import docx
import pytest
from test_readers_encodings import encode_tcvn3

from vntasks.models import default_model_dir
from vntasks.pipeline.cli import main
from vntasks.pipeline.nightly import JobConfig, run_job


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> str | None:
    """The bundled model; while it is not built yet, a linear model trained on the seeds."""
    if (default_model_dir() / "model.json").exists():
        return None
    from vntasks.corpus.jsonl import read_corpus
    from vntasks.models.linear import LinearActionModel

    paragraphs = [p for d in read_corpus(Path(__file__).parents[1] / "corpus" / "seeds.jsonl") for p in d.paragraphs]
    target = tmp_path_factory.mktemp("model")
    LinearActionModel().fit(paragraphs, [p.actions for p in paragraphs]).save(target)
    return str(target)


def build_inputs(seeds_dir: Path, folder: Path) -> None:
    """The seeds as text, one as .docx, one re-encoded in TCVN3, one as a web page."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    (folder / "txt").mkdir(parents=True)
    for seed in seeds[:3]:
        shutil.copy(seed, folder / "txt" / seed.name)
    text = seeds[3].read_text(encoding="utf-8")
    document = docx.Document()
    for block in text.split("\n\n"):
        document.add_paragraph(block.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    (folder / "word.docx").write_bytes(buffer.getvalue())
    legacy = seeds[4].read_text(encoding="utf-8")
    (folder / "legacy_tcvn3.txt").write_bytes(encode_tcvn3(legacy, capitals_font=True))
    blocks = "".join(f"<p>{b.strip()}</p>" for b in seeds[0].read_text(encoding="utf-8").split("\n\n") if b.strip())
    (folder / "page.html").write_text(f"<html><body><nav>Trang chủ | Tin tức</nav>{blocks}"
                                      "<footer>Cổng thông tin</footer></body></html>", encoding="utf-8")
    (folder / "empty.txt").write_text("")


def test_run_on_two_workers_writes_what_extract_writes_without_torch(tmp_path, seeds_dir, model_dir):
    build_inputs(seeds_dir, tmp_path / "in")
    summary = run_job(JobConfig(tmp_path / "in", tmp_path / "out", model_dir=model_dir, workers=2, batch_size=1))
    assert summary.counts == {"seen": 7, "processed": 6, "skipped": 0, "failed": 1, "unfinished": 0}

    (partition,) = sorted((tmp_path / "out").glob("run=*"))
    run_records = [json.loads(line) for line in (partition / "tasks.jsonl").read_text().splitlines()]
    code = main(["extract", str(tmp_path / "in"), "--quiet", "-o", str(tmp_path / "extract.jsonl"),
                 *(["--model", model_dir] if model_dir else [])])
    assert code == 1  # the empty file
    extract_records = [json.loads(line) for line in (tmp_path / "extract.jsonl").read_text().splitlines()]
    extract_records = [r for r in extract_records if "paragraphs" in r]
    key = lambda r: r["provenance"]["path"]  # noqa: E731
    assert sorted(run_records, key=key) == sorted(extract_records, key=key)

    legacy = next(r for r in run_records if r["source"] == "legacy_tcvn3.txt")
    assert legacy["provenance"]["encoding"] == "tcvn3" and legacy["paragraphs"]
    assert all(r["paragraphs"] for r in run_records)

    manifest = json.loads((partition / "manifest.json").read_text())
    assert manifest["settings"]["torch_blocked"] is True
    documents = [p for p in manifest["processes"] if p["process"] == "document"]
    assert len(documents) == 2 and all(p["cpu_s"] > 0 and p["max_rss_mb"] > 0 for p in documents)
    assert all(p["heavy_modules"] == [] for p in manifest["processes"]), manifest["processes"]
    assert manifest["model"]["backend"] == "linear"
