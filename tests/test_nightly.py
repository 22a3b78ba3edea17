"""The nightly job's mechanics: hostile inputs, incremental state, lock, kill and resume, isolation.

These tests use the small real processors of nightly_fixtures.py (real
readers, blank-line paragraphs) so they exercise the job, not the model;
test_nightly_pipeline.py runs the job end to end with the real pipeline.
"""
from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from nightly_fixtures import FACTORY, good_text, manifests, visible_records, write_good_corpus
from test_readers_encodings import SENTENCES, encode_tcvn3
from test_readers_formats import make_pdf

from vntasks.pipeline.nightly import EXIT_FAILURES, EXIT_OK, JobConfig, JobError, run_job
from vntasks.pipeline.outputs import Partition
from vntasks.pipeline.state import Outcome, RunLock, State

TESTS = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def fixtures_importable(monkeypatch):
    """Document processes are fresh interpreters: let them import nightly_fixtures."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])))


def job(input_dir: Path, output: Path, **options) -> JobConfig:
    return JobConfig(input_dir=input_dir, output_dir=output, processor=options.pop("processor", FACTORY), **options)


def cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vntasks.pipeline.cli", "run", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def paths_of(records: list[dict]) -> list[str]:
    return sorted(r.get("provenance", {}).get("path") or r["source"] for r in records)


# --- hostile and broken inputs ---------------------------------------------------------
def build_bad_corpus(folder: Path) -> dict[str, str]:
    """Every kind of bad file next to good ones in several formats; returns {file name: expected error kind}."""
    folder.mkdir(parents=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    good_docx = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Sở Y tế yêu cầu:")
    document.add_paragraph(SENTENCES[0], style="List Number")
    document.save(good_docx)
    (folder / "truncated.docx").write_bytes(good_docx.getvalue()[:3000])
    (folder / "wrong_encoding.txt").write_bytes(
        "Le préfet a décidé de fermer les écoles à cause de l'épidémie.".encode("latin-1"))
    (folder / "giant.txt").write_bytes(b"A" * 300_000)
    (folder / "no_body.html").write_text("<html><body><nav>Trang chủ</nav><footer>Bản quyền</footer></body></html>")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (30 * 1024 * 1024))
    (folder / "bomb.docx").write_bytes(bomb.getvalue())
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    # good ones
    (folder / "good.docx").write_bytes(good_docx.getvalue())
    (folder / "good.pdf").write_bytes(make_pdf(["So Y te yeu cau:", "1. Trung tam Y te to chuc xet nghiem."]))
    (folder / "good.html").write_text(f"<html><body><nav>Menu</nav><p>{SENTENCES[1]}</p></body></html>")
    (folder / "tcvn3.txt").write_bytes(encode_tcvn3("\n\n".join(SENTENCES)))
    (folder / "good.txt").write_text(good_text(1))
    (folder / "notes.jpg").write_bytes(b"\xff\xd8\xff")  # not a document: ignored, not counted
    (folder / ".hidden.txt").write_text(good_text(2))  # hidden: ignored
    return {"empty.txt": "empty", "binary.txt": "binary", "truncated.docx": "bad_docx",
            "wrong_encoding.txt": "encoding", "giant.txt": "too_large", "no_body.html": "no_body",
            "bomb.docx": "zip_bomb", "old.doc": "unsupported"}


def test_bad_inputs_each_get_an_error_record_and_the_rest_is_processed(tmp_path):
    expected = build_bad_corpus(tmp_path / "in")
    summary = run_job(job(tmp_path / "in", tmp_path / "out", max_bytes=100_000))
    assert summary.exit_code == EXIT_FAILURES
    errors = visible_records(tmp_path / "out", "errors.jsonl")
    got = {Path(e["source"]).name: e["error"]["kind"] for e in errors}
    assert got == expected
    for error in errors:
        assert error["error"]["message"] and len(error["sha256"]) == 64
    tasks = visible_records(tmp_path / "out")
    assert sorted(Path(p).name for p in paths_of(tasks)) == ["good.docx", "good.html", "good.pdf", "good.txt",
                                                              "tcvn3.txt"]
    tcvn3 = next(t for t in tasks if t["source"] == "tcvn3.txt")
    assert [p["text"] for p in tcvn3["paragraphs"]] == SENTENCES
    (manifest,) = manifests(tmp_path / "out")
    assert manifest["status"] == "complete"
    assert manifest["counts"] == {"seen": 13, "processed": 5, "skipped": 0, "failed": 8, "unfinished": 0}
    assert manifest["ignored_files"] == {".jpg": 1}
    assert manifest["failed_by_kind"]["zip_bomb"] == 1
    assert manifest["lines"] == {"tasks": 5, "errors": 8}


def test_timeouts_crashes_and_memory_blowups_are_isolated(tmp_path):
    write_good_corpus(tmp_path / "in", 3)
    (tmp_path / "in" / "hang.txt").write_text("HANG-FOREVER")
    (tmp_path / "in" / "crash.txt").write_text("CRASH-NOW")
    (tmp_path / "in" / "memory.txt").write_text("EAT-MEMORY")
    start = time.monotonic()
    summary = run_job(job(tmp_path / "in", tmp_path / "out", timeout_s=2, memory_mb=1024))
    assert time.monotonic() - start < 30
    kinds = {Path(f["source"]).name: f["error"]["kind"] for f in summary.failures}
    assert kinds == {"hang.txt": "timeout", "crash.txt": "crashed", "memory.txt": "memory"}
    assert summary.counts["processed"] == 3
    # transient failures are tried again on the next run; the good files are not
    again = run_job(job(tmp_path / "in", tmp_path / "out", timeout_s=2, memory_mb=1024))
    assert again.counts == {"seen": 6, "processed": 0, "skipped": 3, "failed": 3, "unfinished": 0}


# --- incremental state -------------------------------------------------------------
def make_model(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps({"name": "counter", "version": version, "backend": "fixture"}))
    return folder


def test_incremental_skip_change_new_file_and_model_version(tmp_path):
    paths = write_good_corpus(tmp_path / "in", 4)
    (tmp_path / "in" / "empty.txt").write_text("")
    model = make_model(tmp_path / "model", "1")
    out = tmp_path / "out"
    first = run_job(job(tmp_path / "in", out, model_dir=str(model)))
    assert first.counts == {"seen": 5, "processed": 4, "skipped": 0, "failed": 1, "unfinished": 0}

    second = run_job(job(tmp_path / "in", out, model_dir=str(model)))
    assert second.counts == {"seen": 5, "processed": 0, "skipped": 5, "failed": 0, "unfinished": 0}
    assert second.exit_code == EXIT_OK
    assert manifests(out)[1]["skipped_by_reason"] == {"already_processed": 4, "already_failed": 1}

    paths[0].write_text(good_text(100), encoding="utf-8")  # changed content
    write_good_corpus(tmp_path / "in", 1, start=50)  # a new file
    (tmp_path / "in" / "copy.txt").write_text(good_text(1), encoding="utf-8")  # same content as cv001
    third = run_job(job(tmp_path / "in", out, model_dir=str(model)))
    assert third.counts == {"seen": 7, "processed": 2, "skipped": 5, "failed": 0, "unfinished": 0}
    newest = json.loads((sorted(out.glob("run=*"))[-1] / "tasks.jsonl").read_text().splitlines()[0])
    assert newest["source"] in {"cv000.txt", "cv050.txt"}

    make_model(model, "2")  # a new model version: everything is reprocessed, failures tried again
    fourth = run_job(job(tmp_path / "in", out, model_dir=str(model)))
    assert fourth.counts == {"seen": 7, "processed": 5, "skipped": 1, "failed": 1, "unfinished": 0}
    assert manifests(out)[3]["skipped_by_reason"] == {"duplicate_content": 1}

    retried = run_job(job(tmp_path / "in", out, model_dir=str(model), retry_failed=True))
    assert retried.counts["failed"] == 1 and retried.counts["processed"] == 0
    assert len(list(out.glob("run=*"))) == 5 and not list(out.glob(".run=*"))


# --- lock ------------------------------------------------------------------------
def test_concurrent_run_on_the_same_state_is_refused(tmp_path):
    write_good_corpus(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    lock = RunLock(out / ".vntasks-state.sqlite").acquire()
    try:
        proc = cli("--input", str(tmp_path / "in"), "--output", str(out), "--processor", FACTORY)
        _, stderr = proc.communicate(timeout=60)
    finally:
        lock.release()
    assert proc.returncode == 2
    assert "another vntasks run is using" in stderr and f"pid {os.getpid()}" in stderr
    assert not list(out.glob("run=*"))


# --- kill and resume ---------------------------------------------------------------
def committed_parts(state_path: Path) -> int:
    if not state_path.exists():
        return 0
    db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM parts").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        db.close()


def test_killed_run_loses_nothing_and_duplicates_nothing(tmp_path):
    write_good_corpus(tmp_path / "in", 10)
    (tmp_path / "in" / "empty.txt").write_text("")
    out = tmp_path / "out"
    state_path = out / ".vntasks-state.sqlite"
    proc = cli("--input", str(tmp_path / "in"), "--output", str(out), "--batch-size", "2",
               "--processor", "nightly_fixtures:slow_counter")
    deadline = time.monotonic() + 120
    while committed_parts(state_path) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    killed_after = committed_parts(state_path)
    assert 2 <= killed_after < 6
    assert not list(out.glob("run=*")), "a killed run must not leave a visible partition"

    resumed = run_job(job(tmp_path / "in", out))
    assert resumed.counts["skipped"] > 0 and resumed.counts["unfinished"] == 0
    statuses = [m["status"] for m in manifests(out)]
    assert statuses == ["interrupted", "complete"]

    reference = run_job(job(tmp_path / "in", tmp_path / "reference"))
    assert reference.counts["processed"] == 10
    union = visible_records(out)
    assert len(paths_of(union)) == len(set(paths_of(union))), "a document appears twice"
    key = lambda r: (r["provenance"]["path"], json.dumps(r["paragraphs"]))  # noqa: E731
    assert sorted(map(key, union)) == sorted(map(key, visible_records(tmp_path / "reference")))
    union_errors = visible_records(out, "errors.jsonl")
    assert [Path(e["source"]).name for e in union_errors] == ["empty.txt"]


def test_sigterm_publishes_committed_batches_and_exits_2(tmp_path):
    write_good_corpus(tmp_path / "in", 10)
    out = tmp_path / "out"
    proc = cli("--input", str(tmp_path / "in"), "--output", str(out), "--batch-size", "2",
               "--processor", "nightly_fixtures:slow_counter")
    deadline = time.monotonic() + 120
    while committed_parts(out / ".vntasks-state.sqlite") < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    assert "SIGTERM" in stderr
    (manifest,) = manifests(out)
    assert manifest["status"] == "interrupted"
    assert manifest["counts"]["processed"] == len(visible_records(out)) >= 2
    assert manifest["counts"]["unfinished"] == 10 - manifest["counts"]["processed"]
    finish = run_job(job(tmp_path / "in", out))
    assert finish.counts["processed"] == manifest["counts"]["unfinished"]
    assert sorted(paths_of(visible_records(out))) == sorted({*paths_of(visible_records(out))})
    assert len(visible_records(out)) == 10


def test_crash_windows_between_part_commit_and_publish(tmp_path):
    """A part written but never committed is dropped; a partition renamed but not recorded is kept once."""
    write_good_corpus(tmp_path / "in", 4)
    out = tmp_path / "out"
    out.mkdir()
    files = sorted((tmp_path / "in").rglob("*.txt"))
    record = lambda p: {"id": p.stem, "source": p.name, "header": {}, "paragraphs": [],  # noqa: E731
                        "provenance": {"path": str(p)}}
    from nightly_fixtures import ParagraphCounter
    from vntasks.pipeline.processor import model_key

    key = model_key(ParagraphCounter().info())
    import hashlib

    sha = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    state = State(out / ".vntasks-state.sqlite")
    # run A: part 1 committed, part 2 written only (crash before its commit)
    state.start_run("A", out, tmp_path / "in", key, {})
    state.plan_run("A", 4, 0)
    part_a = Partition(out, "A")
    part_a.write_part(1, [record(files[0])], [])
    state.commit_part("A", 1, [Outcome(sha(files[0]), str(files[0]), "processed")], key)
    part_a.write_part(2, [record(files[1])], [])
    # run B: everything committed and renamed into place, but killed before its run was marked finished
    state.start_run("B", out, tmp_path / "in", key, {})
    state.plan_run("B", 1, 0)
    part_b = Partition(out, "B")
    part_b.write_part(1, [record(files[2])], [])
    state.commit_part("B", 1, [Outcome(sha(files[2]), str(files[2]), "processed")], key)
    part_b.publish([1], {"run_id": "B"})
    state.close()

    summary = run_job(job(tmp_path / "in", out))
    assert summary.counts == {"seen": 4, "processed": 2, "skipped": 2, "failed": 0, "unfinished": 0}
    union = paths_of(visible_records(out))
    assert union == sorted(str(f) for f in files)
    assert sorted(m["run_id"] for m in manifests(out))[1:] == ["A", "B"]
    assert not list(out.glob(".run=*"))


def test_job_errors_exit_2(tmp_path):
    with pytest.raises(JobError, match="does not exist"):
        run_job(job(tmp_path / "missing", tmp_path / "out"))
    write_good_corpus(tmp_path / "in", 1)
    with pytest.raises(JobError, match="this model cannot be loaded"):
        run_job(job(tmp_path / "in", tmp_path / "out", processor="nightly_fixtures:broken_factory"))
    assert not list((tmp_path / "out").glob("run=*"))
    proc = cli("--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--processor", "no.such:thing")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "No module named 'no'" in stderr


def test_logs_are_json_lines_when_not_on_a_terminal(tmp_path):
    write_good_corpus(tmp_path / "in", 2)
    (tmp_path / "in" / "empty.md").write_text("")
    proc = cli("--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--processor", FACTORY)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1 and stdout == ""
    events = [json.loads(line) for line in stderr.splitlines()]
    names = [e["event"] for e in events]
    assert names[0] == "run_started" and names[-1] == "run_finished"
    failed = [e for e in events if e["event"] == "document_failed"]
    assert [Path(e["path"]).name for e in failed] == ["empty.md"] and failed[0]["kind"] == "empty"
    final = events[-1]
    assert (final["seen"], final["processed"], final["skipped"], final["failed"]) == (3, 2, 0, 1)
    assert final["exit_code"] == 1 and final["failed_paths"] == [str(tmp_path / "in" / "empty.md")]


def test_unchanged_files_are_not_read_again_and_vanished_ones_are_forgotten(tmp_path):
    paths = write_good_corpus(tmp_path / "in", 3)
    out = tmp_path / "out"
    run_job(job(tmp_path / "in", out))
    # Same size and mtime: the stat cache answers without reading (git's index makes the same bet).
    stat = paths[0].stat()
    paths[0].write_text(good_text(0).replace("huyện 0", "huyện 9"), encoding="utf-8")
    os.utime(paths[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run_job(job(tmp_path / "in", out)).counts["skipped"] == 3
    os.utime(paths[0], None)  # touched: hashed again, and the new content is processed
    assert run_job(job(tmp_path / "in", out)).counts["processed"] == 1
    paths[1].unlink()
    run_job(job(tmp_path / "in", out))
    state = State(out / ".vntasks-state.sqlite")
    cached = sorted(p for (p,) in state.db.execute("SELECT path FROM files"))
    state.close()
    assert cached == sorted(str(p.absolute()) for p in (paths[0], paths[2]))


def test_deploy_examples_call_the_job_with_valid_options(repo):
    """The crontab, systemd and Airflow examples must keep matching the command's options."""
    import argparse
    import re
    import shlex

    from vntasks.pipeline import nightly

    parser = argparse.ArgumentParser()
    nightly.configure(parser)
    service = (repo / "deploy" / "vntasks-nightly.service").read_text().replace("\\\n", " ")
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.M).group(1)
    cron = next(line for line in (repo / "deploy" / "crontab").read_text().splitlines()
                if line and not line.startswith(("#", "MAILTO")))
    cron_command = cron.split(None, 5)[5].split(">>")[0]
    dag = (repo / "deploy" / "airflow_vntasks_nightly.py").read_text()
    constants = dict(re.findall(r'^(\w+) = "(.+)"$', dag, re.M))
    dag_command = re.search(r'bash_command=\(f"(.+?)"\)', dag).group(1).format(**constants)
    for command in (exec_start, cron_command, dag_command):
        words = shlex.split(command)
        assert words[0].endswith("/vntasks") and words[1] == "run", command
        args = parser.parse_args(words[2:])
        assert args.input and args.output and args.workers == 2
