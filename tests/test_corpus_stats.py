"""`vntasks corpus stats`: counts equal an independent count; kappa and F1 equal a hand computation."""
from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from vntasks.corpus.jsonl import read_corpus
from vntasks.corpus.stats import agreement, cohen_kappa, corpus_counts, f1
from vntasks.pipeline.cli import main


def test_counts_equal_an_independent_count(seeds_gold, shared_corpus):
    files = [seeds_gold, shared_corpus / "web.jsonl"]
    expected = Counter()
    for path in files:
        for line in open(path, encoding="utf-8"):
            record = json.loads(line)
            expected["documents"] += 1
            for para in record["paragraphs"]:
                expected["paragraphs"] += 1
                expected.update(f"action:{a}" for a in para["actions"])
                expected.update(f"agency:{a}" for a in para["agencies"])
                for mention in para["mentions"]:
                    expected["mentions"] += 1
                    expected[f"category:{mention['category']}"] += 1
                    expected[f"role:{mention['role']}"] += 1
    counts = corpus_counts(read_corpus(files))
    got = Counter({key: counts[key] for key in ("documents", "paragraphs", "mentions")})
    for kind, prefix in (("actions", "action"), ("agencies", "agency"), ("mention_categories", "category"),
                         ("roles", "role")):
        got.update({f"{prefix}:{label}": n for label, n in counts[kind].items()})
    assert got == expected
    assert expected["documents"] > 100 and expected["role:support"] > 0


def para(text, actions, agencies=("all_units",), mentions=()):
    return {"number": "", "text": text, "actions": list(actions), "agencies": list(agencies),
            "mentions": list(mentions)}


LEAD_HEALTH = {"text": "Sở Y tế", "category": "health", "role": "lead"}
TEXTS = [f"Sở Y tế thực hiện nhiệm vụ số {i}." for i in range(6)]


@pytest.fixture
def two_annotators(tmp_path):
    """Six shared paragraphs; `testing` agreed on 2, disputed on 2; one paragraph each side only."""
    a_actions = [["testing"], ["testing"], [], [], ["testing"], []]
    b_actions = [["testing"], [], [], [], ["testing"], ["testing"]]
    a = {"id": "d1", "source": "d1.txt", "paragraphs": [
        para(t, acts, ["health"], [LEAD_HEALTH]) for t, acts in zip(TEXTS, a_actions)]}
    b = {"id": "d1", "source": "d1.txt", "paragraphs": [
        para(t, acts, ["health"], [LEAD_HEALTH]) for t, acts in zip(TEXTS, b_actions)]}
    # B calls the first paragraph's mention support (agencies then all_units), and
    # the spacing and tone-mark spelling of paragraph 3 differ: it must still align.
    b["paragraphs"][0]["mentions"] = [{**LEAD_HEALTH, "role": "support"}]
    b["paragraphs"][0]["agencies"] = ["all_units"]
    b["paragraphs"][3]["text"] = TEXTS[3].replace(" thực", "  thực")
    a["paragraphs"].append(para("Chỉ có ở A.", ["planning"]))
    b["paragraphs"].append(para("Chỉ có ở B.", ["planning"]))
    path_a, path_b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    path_a.write_text(json.dumps(a, ensure_ascii=False) + "\n", encoding="utf-8")
    path_b.write_text(json.dumps(b, ensure_ascii=False) + "\n", encoding="utf-8")
    return path_a, path_b


def test_kappa_and_f1_equal_a_hand_computation(two_annotators):
    result = agreement(read_corpus(two_annotators[0]), read_corpus(two_annotators[1]))
    assert result.aligned == 6
    assert len(result.only_a) == len(result.only_b) == 1
    # testing: A = 1 1 0 0 1 0, B = 1 0 0 0 1 1 -> observed 4/6, both raters 1/2 positive,
    # chance 1/2*1/2 + 1/2*1/2 = 1/2, kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3; F1 = 2*2 / (3 + 3) = 2/3.
    testing = result.labels["actions"]["testing"]
    assert testing["kappa"] == pytest.approx(1 / 3)
    assert testing["f1"] == pytest.approx(2 / 3)
    assert (testing["a"], testing["b"]) == (3, 3)
    # health: A = 1 1 1 1 1 1, B = 0 1 1 1 1 1 -> observed 5/6, chance 1*(5/6) + 0 = 5/6, kappa 0; F1 = 10/11.
    health = result.labels["agencies"]["health"]
    assert health["kappa"] == pytest.approx(0.0)
    assert health["f1"] == pytest.approx(10 / 11)
    # a label neither annotator used has no kappa or F1
    assert math.isnan(result.labels["actions"]["vaccination"]["kappa"])
    assert math.isnan(result.labels["actions"]["vaccination"]["f1"])
    # mentions: 6 on each side, all spans and categories agree, one role differs
    assert result.mentions["span"] == pytest.approx(1.0)
    assert result.mentions["span+category"] == pytest.approx(1.0)
    assert result.mentions["span+category+role"] == pytest.approx(10 / 12)


def test_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    a = [1, 1, 0, 0, 1, 0, 1, 1, 0, 0]
    b = [1, 0, 0, 0, 1, 1, 1, 1, 1, 0]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert f1(a, b) == pytest.approx(2 * 4 / (5 + 6))


def test_stats_cli(two_annotators, capsys):
    path_a, path_b = map(str, two_annotators)
    assert main(["corpus", "stats", path_a, "--against", path_b, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"][path_a]["paragraphs"] == 7
    assert out["counts"][path_a]["actions"] == {"testing": 3, "planning": 1}
    assert out["agreement"]["labels"]["actions"]["testing"]["kappa"] == pytest.approx(1 / 3)
    assert out["agreement"]["labels"]["actions"]["vaccination"]["kappa"] is None
    assert main(["corpus", "stats", path_a, "--against", path_b]) == 0
    table = capsys.readouterr().out
    assert "aligned paragraphs: 6; only in A: 1; only in B: 1" in table
    assert "  testing                0.33   0.67     3     3" in table
