"""`vntasks compare`: differences, intervals and the CI exit code."""
from __future__ import annotations

import json

import pytest

from vntasks.pipeline.cli import main


def report(figures, ci=None, headline=None, **extra):
    return {"schema": "vntasks-evaluation/1", "scope": "test", "figures": figures, "ci95": ci or {},
            "headline": headline or list(figures), **extra}


@pytest.fixture
def write(tmp_path):
    def put(name, obj):
        path = tmp_path / name
        path.write_text(json.dumps(obj), encoding="utf-8")
        return str(path)

    return put


A = report({"segmentation.f1": 0.90, "actions.macro.f1": 0.70, "actions.label.testing.f1": 0.8},
           ci={"segmentation.f1": [0.85, 0.95], "actions.macro.f1": [0.6, 0.8]},
           headline=["segmentation.f1", "actions.macro.f1"])


def test_no_change_passes(write, capsys):
    assert main(["compare", write("a.json", A), write("b.json", A)]) == 0
    assert "OK" in capsys.readouterr().out


def test_a_drop_beyond_the_tolerance_fails_and_is_named(write, capsys):
    b = report({**A["figures"], "actions.macro.f1": 0.65})
    assert main(["compare", write("a.json", A), write("b.json", b), "--tolerance", "0.02"]) == 1
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("actions.macro.f1"))
    assert "-0.050" in line and "REGRESSION" in line
    assert "FAIL" in out and "actions.macro.f1" in out.splitlines()[-1]


def test_a_drop_within_the_tolerance_passes(write):
    b = report({**A["figures"], "actions.macro.f1": 0.69})
    assert main(["compare", write("a.json", A), write("b.json", b), "--tolerance", "0.02"]) == 0


def test_improvements_never_fail_and_intervals_are_flagged(write, capsys):
    b = report({**A["figures"], "segmentation.f1": 0.99})
    assert main(["compare", write("a.json", A), write("b.json", b), "--json", write("c.json", {})]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("segmentation.f1"))
    assert "+0.090" in line and "outside A's interval" in line


def test_only_headline_figures_are_checked_by_default(write):
    b = report({**A["figures"], "actions.label.testing.f1": 0.1})
    assert main(["compare", write("a.json", A), write("b.json", b)]) == 0
    assert main(["compare", write("a.json", A), write("b.json", b), "--metrics", "actions.label.*.f1"]) == 1


def test_a_checked_figure_missing_from_b_is_a_regression(write):
    b = report({"segmentation.f1": 0.9})
    assert main(["compare", write("a.json", A), write("b.json", b)]) == 1


def test_a_pattern_that_matches_nothing_fails(write, capsys):
    assert main(["compare", write("a.json", A), write("b.json", A), "--metrics", "nosuch.*"]) == 1
    assert "matches no figure" in capsys.readouterr().err


def test_comparison_json(write, tmp_path):
    b = report({**A["figures"], "actions.macro.f1": 0.5})
    out = tmp_path / "cmp.json"
    assert main(["compare", write("a.json", A), write("b.json", b), "--json", str(out)]) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["regressions"] == ["actions.macro.f1"]
    row = next(r for r in data["figures"] if r["name"] == "actions.macro.f1")
    assert row["delta"] == pytest.approx(-0.2) and row["outside_a_ci95"] is True


def test_unreadable_reports_exit_2(write, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["compare", str(bad), write("b.json", A)]) == 2
    assert "bad.json" in capsys.readouterr().err
    assert main(["compare", write("x.json", {"no": "figures"}), write("b.json", A)]) == 2
    assert main(["compare", str(tmp_path / "missing.json"), write("b.json", A)]) == 2


def test_reports_on_different_gold_are_warned_about(write, capsys):
    a = {**A, "inputs": {"gold": [{"path": "g.jsonl", "sha256": "1"}]}}
    b = {**A, "inputs": {"gold": [{"path": "g.jsonl", "sha256": "2"}]}}
    main(["compare", write("a.json", a), write("b.json", b)])
    assert "different gold" in capsys.readouterr().err
