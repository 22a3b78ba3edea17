"""Regression check of the bundled model on the shared gold — NOT an accuracy figure.

The bundled model (models/default/) is trained on these very documents, so
its figures here are resubstitution figures. They exist to catch regressions
in segmentation, the agency lexicon and pipeline code: `vntasks evaluate`
writes a fresh report and `vntasks compare` checks it against the committed
evaluation/baseline.json with a tolerance of 0.02.

Regenerate the baseline after an intended change with:

    vntasks evaluate --gold corpus/seeds.jsonl ../shared/corpus/web.jsonl \
      --raw corpus/seeds ../shared/corpus/web --quiet \
      --scope "training-data regression check, not accuracy" --json evaluation/baseline.json
"""
from __future__ import annotations

import json

from vntasks.pipeline.cli import main

SCOPE = "training-data regression check, not accuracy"
TOLERANCE = "0.02"


def test_bundled_model_has_not_regressed_on_the_training_gold(repo, seeds_gold, seeds_dir, shared_corpus, tmp_path,
                                                               capsys, report):
    baseline = repo / "evaluation" / "baseline.json"
    assert json.loads(baseline.read_text(encoding="utf-8"))["scope"] == SCOPE
    fresh = tmp_path / "regression.json"
    code = main(["evaluate", "--gold", str(seeds_gold), str(shared_corpus / "web.jsonl"),
                 "--raw", str(seeds_dir), str(shared_corpus / "web"), "--scope", SCOPE, "--json", str(fresh),
                 "--quiet"])
    assert code == 0
    result = json.loads(fresh.read_text(encoding="utf-8"))
    assert result["scope"] == SCOPE
    assert result["documents"]["failed"] == [] and result["documents"]["missing"] == []
    capsys.readouterr()
    verdict = main(["compare", str(baseline), str(fresh), "--tolerance", TOLERANCE])
    table = capsys.readouterr().out
    figures = result["figures"]
    report("regression check (resubstitution on training gold, not accuracy)",
           ", ".join(f"{k} {figures[k]:.3f}" for k in ("segmentation.f1", "actions.macro.f1", "agencies.macro.f1",
                                                        "mentions.role.f1", "header.accuracy")))
    assert verdict == 0, table
