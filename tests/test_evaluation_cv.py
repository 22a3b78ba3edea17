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


def test_cross_validation_end_to_end_never_trains_on_held_out_documents(seeds_gold, tmp_path, monkeypatch):
    """`vntasks evaluate --cv` with the real trainer (rules backend: quick), raw files found beside the gold."""
    import json

    from vntasks.evaluation import crossval
    from vntasks.pipeline.cli import main
    from vntasks.training.trainer import train_model

    seen: list[set[str]] = []

    def recording_train(docs, **kwargs):
        seen.append({d.id for d in docs})
        return train_model(docs, **kwargs)

    monkeypatch.setattr(crossval, "trainer", lambda: recording_train)
    out = tmp_path / "cv.json"
    code = main(["evaluate", "--cv", "2", "--data", str(seeds_gold), "--backend", "rules", "--json", str(out),
                 "--bootstrap", "100", "--quiet"])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    cv = report["cv"]
    assert cv["folds_count"] == 2 and cv["backend"] == "rules" and len(cv["folds"]) == 2
    assert cv["documents_from_text_rebuilt_from_gold"] == []  # every seed's raw file was found
    assert report["documents"]["scored"] == report["documents"]["gold"] == 5
    all_ids = set().union(*seen)
    assert len(seen) == 2 and all(len(ids) < len(all_ids) for ids in seen)
    held_out = [all_ids - ids for ids in seen]
    assert held_out[0].isdisjoint(held_out[1]) and held_out[0] | held_out[1] == all_ids
    assert sum(f["test_documents"] for f in cv["folds"]) == 5
    assert "cross-validated by document" in report["scope"]
