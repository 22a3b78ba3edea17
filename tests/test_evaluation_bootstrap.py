"""Bootstrap intervals: resampling documents, seeded, and sized by the amount of evidence."""
from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from vntasks.evaluation.bootstrap import CountMatrix, percentile_intervals
from vntasks.evaluation.score import evaluate
from vntasks.pipeline.document import Dispatch, Header, Paragraph


def corpus(n_docs: int, seed: int = 0, error_rate: float = 0.3):
    rng = random.Random(seed)
    gold, pred = [], []
    for d in range(n_docs):
        gp, pp = [], []
        for i in range(3):
            text = f"Văn bản {d} mục {i}: Sở Y tế tổ chức xét nghiệm."
            gp.append(Paragraph(str(i), text, ["testing"], ["all_units"]))
            wrong = rng.random() < error_rate
            pp.append(Paragraph(str(i), text, ["planning"] if wrong else ["testing"], ["all_units"]))
        gold.append(Dispatch(f"d{d}", f"d{d}.txt", Header(), gp))
        pred.append(Dispatch(f"d{d}", f"d{d}.txt", Header(), pp))
    return gold, pred


def test_perfect_predictions_have_a_degenerate_interval():
    gold, _ = corpus(10)
    report = evaluate(gold, gold, replicates=200).report
    assert report["ci95"]["actions.micro.f1"] == [1.0, 1.0]


def test_intervals_are_reproducible_with_a_seed_and_differ_across_seeds():
    gold, pred = corpus(20)
    a = evaluate(gold, pred, replicates=300, seed=7).report["ci95"]
    b = evaluate(gold, pred, replicates=300, seed=7).report["ci95"]
    c = evaluate(gold, pred, replicates=300, seed=8).report["ci95"]
    assert a == b
    assert a != c


def test_more_documents_give_a_narrower_interval():
    gold, pred = corpus(10)
    few = evaluate(gold, pred, replicates=500).report
    copies = [(Dispatch(f"{d.id}-{k}", f"{k}-{d.source}", d.header, d.paragraphs),
               Dispatch(f"{p.id}-{k}", f"{k}-{p.source}", p.header, p.paragraphs))
              for k in range(8) for d, p in zip(gold, pred)]
    many = evaluate([g for g, _ in copies], [p for _, p in copies], replicates=500).report
    # same point estimate, eight times the documents
    assert many["figures"]["actions.micro.f1"] == pytest.approx(few["figures"]["actions.micro.f1"])
    width = lambda r: r["ci95"]["actions.micro.f1"][1] - r["ci95"]["actions.micro.f1"][0]  # noqa: E731
    assert 0 < width(many) < width(few) * 0.6


def test_documents_are_the_resampling_unit():
    # two documents: one all right (3 paragraphs), one all wrong; every replicate is a mix of whole documents
    rows = [Counter({"tp": 3}), Counter({"fn": 3})]
    matrix = CountMatrix.from_counters(rows)
    totals = matrix.resampled_totals(400, seed=0)
    assert set(np.unique(totals["tp"])) <= {0.0, 3.0, 6.0}
    assert np.all(totals["tp"] + totals["fn"] == 6)


def test_interval_matches_a_direct_resampling_loop():
    rows = [Counter({"tp": t, "fp": f}) for t, f in [(3, 0), (1, 2), (2, 1), (0, 3), (3, 1)]]
    matrix = CountMatrix.from_counters(rows)

    def precision(totals):
        return {"p": totals["tp"] / (totals["tp"] + totals["fp"])}

    low, high = percentile_intervals(matrix, precision, replicates=2000, seed=3)["p"]
    # independent loop: sample documents with replacement, recompute precision
    rng = random.Random(11)
    values = []
    for _ in range(4000):
        sample = [rng.choice(rows) for _ in rows]
        tp = sum(r["tp"] for r in sample)
        fp = sum(r["fp"] for r in sample)
        values.append(tp / (tp + fp))
    values.sort()
    assert low == pytest.approx(values[int(0.025 * len(values))], abs=0.04)
    assert high == pytest.approx(values[int(0.975 * len(values))], abs=0.04)
