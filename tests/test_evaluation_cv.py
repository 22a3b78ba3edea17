"""Group k-fold cross-validation by document."""
from __future__ import annotations

from vntasks.evaluation.crossval import assign_folds, is_synthetic
from vntasks.pipeline.document import Dispatch, Paragraph


def docs(sizes):
    return [Dispatch(f"d{i}", f"d{i}.txt", paragraphs=[Paragraph(str(j), f"mục {j}") for j in range(n)])
            for i, n in enumerate(sizes)]


def test_folds_are_balanced_by_paragraphs_and_reproducible():
    corpus = docs([1, 7, 3, 3, 2, 5, 4, 1, 2, 6, 3, 1])
    folds = assign_folds(corpus, 3, seed=0)
    assert folds == assign_folds(corpus, 3, seed=0)
    assert sorted(set(folds)) == [0, 1, 2]
    load = [sum(len(d.paragraphs) for d, f in zip(corpus, folds) if f == k) for k in range(3)]
    assert max(load) - min(load) <= 2


def test_every_document_is_held_out_exactly_once():
    corpus = docs([2] * 10)
    folds = assign_folds(corpus, 4, seed=5)
    assert len(folds) == len(corpus) and all(0 <= f < 4 for f in folds)
    assert sorted(folds.count(k) for k in range(4)) == [2, 2, 3, 3]


def test_synthetic_records_are_recognised():
    assert is_synthetic(Dispatch("s", "s.txt", meta={"synthetic": True}))
    assert not is_synthetic(Dispatch("g", "g.txt", meta={"topic": "covid"}))
