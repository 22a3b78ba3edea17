"""The harness's figures against an independent recomputation from first principles.

The synthetic corpus below is built with the paragraph pairing known by
construction; `recompute` counts TP/FP/FN with plain loops over that known
pairing (it never calls the harness), and every figure `vntasks evaluate`
writes must equal it.
"""
from __future__ import annotations

import json
import random
from difflib import SequenceMatcher

import pytest

from vntasks.pipeline.cli import main
from vntasks.pipeline.document import Dispatch, Header, Mention, Paragraph

ACTIONS = ["testing", "quarantine", "propaganda", "social_support", "vaccination", "medical_care", "inspection",
           "planning"]
CORE = ["testing", "quarantine", "propaganda", "social_support"]
AGENCIES = ["health", "police", "military", "labour_social", "education", "culture_information", "transport",
            "industry_trade", "finance", "agriculture", "office", "local_government", "steering_committee",
            "front_mass_orgs", "party", "all_units", "other"]
FIELDS = ["issuer", "number", "date", "subject", "recipients", "signer"]


def P(number, text, actions=(), agencies=(), mentions=()):
    return Paragraph(number, text, list(actions), list(agencies), [Mention(*m) for m in mentions])


def build_corpus():
    """(gold docs, prediction records, known units per gold doc, unmatched prediction count)."""
    g1 = Dispatch("d1", "d1.txt", Header(issuer="UBND tỉnh An Hòa", date="2021-08-01"), [
        P("1", "Sở Y tế chủ trì tổ chức xét nghiệm diện rộng.", ["testing"], ["health"],
          [("Sở Y tế", "health", "lead")]),
        P("2", "Công an tỉnh phối hợp kiểm tra các chốt kiểm soát.", ["inspection", "quarantine"], ["police"],
          [("Công an tỉnh", "police", "lead")]),
    ])
    p1 = Dispatch("x-1", "some/dir/d1.txt", Header(issuer="UBND  tỉnh An Hòa", date="2021-08-02"), [
        P("1", "Sở Y tế chủ trì tổ chức xét nghiệm diện rộng.", ["testing"], ["health"],
          [("Sở Y tế", "health", "lead")]),
        P("2", "Công an tỉnh phối hợp kiểm tra các chốt kiểm soát.", ["inspection", "quarantine"], ["police"],
          [("Công an tỉnh", "police", "lead")]),
    ])
    g2 = Dispatch("d2", "d2.txt", Header(number="12/UBND-VX", recipients=["Sở Y tế", "UBND các huyện"]), [
        P("1", "Sở Y tế và Công an tỉnh khẩn trương truy vết, cách ly các trường hợp F1.",
          ["testing", "quarantine"], ["health", "police"],
          [("Sở Y tế", "health", "lead"), ("Công an tỉnh", "police", "lead")]),
        P("2", "Sở Thông tin và Truyền thông đẩy mạnh tuyên truyền cho người dân về biện pháp 5K.",
          ["propaganda"], ["culture_information"], [("Sở Thông tin và Truyền thông", "culture_information", "lead")]),
        P("3", "UBND các huyện bảo đảm an sinh xã hội, không để người dân thiếu ăn.", ["social_support"],
          ["local_government"], [("UBND các huyện", "local_government", "lead")]),
    ])
    p2 = Dispatch("d2", "d2.txt", Header(number="12/UBND-VP", recipients=["UBND các huyện", "Sở  Y tế"]), [
        # exact pair with gold 1: label and mention errors
        P("1", "Sở Y tế và Công an tỉnh khẩn trương truy vết, cách ly các trường hợp F1.",
          ["testing", "planning"], ["police"],
          [("Sở Y tế", "health", "support"), ("Công an", "police", "lead")]),
        # spurious
        P("", "Với nội dung trên, đề nghị các đơn vị triển khai.", ["planning"], ["all_units"], []),
        # fuzzy pair with gold 2: spacing changed and a few words edited
        P("2", "Sở Thông tin và  Truyền thông tăng cường tuyên truyền cho người dân về biện pháp 5K.",
          ["propaganda", "quarantine"], ["culture_information"],
          [("Sở Thông tin và  Truyền thông", "culture_information", "lead")]),
        # gold 3 is missed
    ])
    g3 = Dispatch("d3", "d3.txt", Header(issuer="Sở Y tế"), [
        P("1", "Trung tâm Y tế huyện tiêm vắc xin cho người dân.", ["vaccination"], ["health"],
          [("Trung tâm Y tế huyện", "health", "lead")]),
    ])
    e3 = {"source": "/data/in/d3.txt", "error": {"kind": "encoding", "message": "not valid UTF-8"}}
    g4 = Dispatch("seed-004", "004_abc.txt", Header(date="2021-09"), [
        P("a", "Các sở, ban, ngành rà soát, báo cáo kết quả.", ["planning"], ["all_units"],
          [("Các sở, ban, ngành", "all_units", "lead")]),
    ])
    # g4 has no prediction at all
    g5 = Dispatch("doc-5", "005_def.txt", Header(issuer="UBND huyện Tân Lạc", signer="Nguyễn Văn A"), [
        P("1", "Ủy ban MTTQ huyện vận động nhân dân ủng hộ lương thực.", ["propaganda", "social_support"],
          ["front_mass_orgs"], [("Ủy ban MTTQ huyện", "front_mass_orgs", "lead")]),
        P("2", "Phòng Giáo dục và Đào tạo tổ chức học trực tuyến.", ["quarantine"], ["education"],
          [("Phòng Giáo dục và Đào tạo", "education", "lead")]),
    ])
    p5 = Dispatch("doc-5", "renamed.txt", Header(issuer="UBND huyện Tân Lạc", signer="Nguyễn Văn B"), [
        P("2", "Phòng Giáo dục và Đào tạo tổ chức học trực tuyến.", ["quarantine"], ["education"],
          [("Phòng Giáo dục và Đào tạo", "education", "lead"), ("Phòng Giáo dục", "education", "support")]),
        P("1", "Uỷ ban MTTQ huyện vận động nhân dân ủng hộ lương thực.", ["propaganda"],
          ["front_mass_orgs"], [("Uỷ ban MTTQ huyện", "front_mass_orgs", "lead")]),
    ])
    unmatched = Dispatch("zzz", "zzz.txt", Header(), [P("1", "Văn bản lạ.", ["testing"], ["all_units"], [])])
    gold = [g1, g2, g3, g4, g5]
    preds = [p1, p2, e3, p5, unmatched]
    units = {
        "d1": [(0, 0), (1, 1)],
        "d2": [(0, 0), (1, 2), (2, None), (None, 1)],
        "d3": [(0, None)],
        "seed-004": [(0, None)],
        "doc-5": [(0, 1), (1, 0)],
    }
    pred_for = {"d1": p1, "d2": p2, "d3": None, "seed-004": None, "doc-5": p5}
    return gold, preds, units, pred_for


def norm(text: str) -> str:
    """Whitespace collapsing plus the one old-style tone mark the corpus above uses."""
    return " ".join(text.replace("Uỷ", "Ủy").split())


def prf_first_principles(tp, fp, fn):
    if tp + fp + fn == 0:
        return None
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def recompute(gold, units, pred_for):
    """Every figure, by plain counting over the known pairing."""
    out = {}
    seg = {"tp": 0, "fp": 0, "fn": 0}
    label_counts = {task: {lab: {"tp": 0, "fp": 0, "fn": 0} for lab in names}
                    for task, names in (("actions", ACTIONS), ("core_actions", CORE), ("agencies", AGENCIES))}
    aligned_counts = {task: {lab: {"tp": 0, "fp": 0, "fn": 0} for lab in names}
                      for task, names in (("actions", ACTIONS), ("core_actions", CORE), ("agencies", AGENCIES))}
    exact = {"actions": 0, "core_actions": 0, "agencies": 0}
    n_units = n_aligned = 0
    mentions = {v: {"tp": 0, "fp": 0, "fn": 0} for v in ("exact", "role", "partial")}
    header = {f: [0, 0] for f in FIELDS}
    for doc in gold:
        pred = pred_for[doc.id]
        for gi, pi in units[doc.id]:
            n_units += 1
            gp = doc.paragraphs[gi] if gi is not None else None
            pp = pred.paragraphs[pi] if pi is not None else None
            if gp is not None and pp is not None:
                seg["tp"] += 1
                n_aligned += 1
            elif gp is not None:
                seg["fn"] += 1
            else:
                seg["fp"] += 1
            for task, names, attr in (("actions", ACTIONS, "actions"), ("core_actions", CORE, "actions"),
                                      ("agencies", AGENCIES, "agencies")):
                gset = [x for x in getattr(gp, attr)] if gp else []
                pset = [x for x in getattr(pp, attr)] if pp else []
                gset = [x for x in gset if x in names]
                pset = [x for x in pset if x in names]
                tables = [label_counts[task]] + ([aligned_counts[task]] if gp and pp else [])
                for table in tables:
                    for lab in names:
                        if lab in gset and lab in pset:
                            table[lab]["tp"] += 1
                        elif lab in pset:
                            table[lab]["fp"] += 1
                        elif lab in gset:
                            table[lab]["fn"] += 1
                if gp is not None and pp is not None and sorted(gset) == sorted(pset):
                    exact[task] += 1
            gm = list(gp.mentions) if gp else []
            pm = list(pp.mentions) if pp else []
            for variant in ("exact", "role", "partial"):
                used = [False] * len(gm)
                tp = 0
                for m in pm:
                    for k, g in enumerate(gm):
                        if used[k] or g.category != m.category:
                            continue
                        if variant == "exact":
                            ok = norm(g.text) == norm(m.text)
                        elif variant == "role":
                            ok = norm(g.text) == norm(m.text) and g.role == m.role
                        else:  # spans in the gold text overlap
                            gs = gp.text.find(g.text)
                            ps = norm(gp.text).find(norm(m.text))
                            ok = gs < ps + len(norm(m.text)) and ps < gs + len(g.text)
                        if ok:
                            used[k] = True
                            tp += 1
                            break
                mentions[variant]["tp"] += tp
                mentions[variant]["fp"] += len(pm) - tp
                mentions[variant]["fn"] += len(gm) - tp
        for f in FIELDS:
            gv = getattr(doc.header, f)
            if gv is None:
                continue
            header[f][1] += 1
            pv = getattr(pred.header, f) if pred is not None else None
            if isinstance(gv, list):
                ok = pv is not None and sorted(norm(x) for x in gv) == sorted(norm(x) for x in pv)
            else:
                ok = pv is not None and norm(gv) == norm(pv)
            header[f][0] += ok

    p, r, f = prf_first_principles(seg["tp"], seg["fp"], seg["fn"])
    out.update({"segmentation.precision": p, "segmentation.recall": r, "segmentation.f1": f})
    for task in label_counts:
        per = {lab: prf_first_principles(**c) for lab, c in label_counts[task].items()}
        for lab, v in per.items():
            if v is not None:
                out[f"{task}.label.{lab}.precision"], out[f"{task}.label.{lab}.recall"], out[f"{task}.label.{lab}.f1"] = v
        present = [v for v in per.values() if v is not None]
        out[f"{task}.macro.precision"] = sum(v[0] for v in present) / len(present)
        out[f"{task}.macro.recall"] = sum(v[1] for v in present) / len(present)
        out[f"{task}.macro.f1"] = sum(v[2] for v in present) / len(present)
        tp = sum(c["tp"] for c in label_counts[task].values())
        fp = sum(c["fp"] for c in label_counts[task].values())
        fn = sum(c["fn"] for c in label_counts[task].values())
        out[f"{task}.micro.precision"], out[f"{task}.micro.recall"], out[f"{task}.micro.f1"] = prf_first_principles(tp, fp, fn)
        out[f"{task}.subset_accuracy"] = exact[task] / n_units
        out[f"{task}.aligned.subset_accuracy"] = exact[task] / n_aligned
        per = [prf_first_principles(**c) for c in aligned_counts[task].values()]
        present = [v for v in per if v is not None]
        out[f"{task}.aligned.macro.f1"] = sum(v[2] for v in present) / len(present)
        out[f"{task}.aligned.micro.f1"] = prf_first_principles(
            *(sum(c[k] for c in aligned_counts[task].values()) for k in ("tp", "fp", "fn")))[2]
    for variant, c in mentions.items():
        out[f"mentions.{variant}.precision"], out[f"mentions.{variant}.recall"], out[f"mentions.{variant}.f1"] = (
            prf_first_principles(**c))
    for f in FIELDS:
        if header[f][1]:
            out[f"header.field.{f}.accuracy"] = header[f][0] / header[f][1]
    out["header.accuracy"] = sum(c for c, _ in header.values()) / sum(n for _, n in header.values())
    return out, seg


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r.to_json() if isinstance(r, Dispatch) else r, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("metrics")
    gold, preds, units, pred_for = build_corpus()
    write_jsonl(tmp / "gold.jsonl", gold)
    write_jsonl(tmp / "pred.jsonl", preds)
    code = main(["evaluate", "--gold", str(tmp / "gold.jsonl"), "--pred", str(tmp / "pred.jsonl"),
                 "--json", str(tmp / "out.json"), "--bootstrap", "200", "--quiet"])
    assert code == 0
    report = json.loads((tmp / "out.json").read_text(encoding="utf-8"))
    expected, seg = recompute(gold, units, pred_for)
    return report, expected, seg


def test_the_fuzzy_pair_is_fuzzy_by_construction():
    gold, preds, *_ = build_corpus()
    a, b = norm(gold[1].paragraphs[1].text), norm(preds[1].paragraphs[2].text)
    assert a != b and SequenceMatcher(None, a, b).ratio() >= 0.8


def test_every_independently_recomputed_figure_matches(scored):
    report, expected, _ = scored
    figures = report["figures"]
    assert len(expected) >= 90
    mismatches = {k: (figures.get(k), v) for k, v in expected.items() if figures.get(k) != pytest.approx(v, abs=1e-12)}
    assert not mismatches


def test_no_figure_is_reported_for_labels_absent_from_gold_and_predictions(scored):
    report, expected, _ = scored
    for key in report["figures"]:
        if ".label." in key:
            assert key in expected, key


def test_documents_units_and_failures_are_accounted(scored):
    report, _, seg = scored
    docs = report["documents"]
    assert docs["gold"] == 5 and docs["scored"] == 3
    assert [f["source"] for f in docs["failed"]] == ["d3.txt"] and docs["failed"][0]["kind"] == "encoding"
    assert docs["missing"] == ["004_abc.txt"]
    assert docs["unmatched_predictions"] == ["zzz.txt"]
    assert "counts all its paragraphs" in docs["note"]
    paras = report["paragraphs"]
    assert (paras["aligned_exact"], paras["aligned_fuzzy"], paras["missed"], paras["spurious"]) == (5, 1, 3, 1)
    assert paras["gold"] == seg["tp"] + seg["fn"] and paras["predicted"] == seg["tp"] + seg["fp"]
    assert "0.8" in report["alignment"]["method"] and report["alignment"]["fuzzy_threshold"] == 0.8


def test_support_counts_match_the_gold(scored):
    report, _, _ = scored
    gold, *_ = build_corpus()
    for lab in ACTIONS:
        n = sum(lab in p.actions for d in gold for p in d.paragraphs)
        assert report["support"]["actions"][lab]["gold"] == n
    assert report["header_support"]["issuer"] == sum(d.header.issuer is not None for d in gold)


def test_intervals_bracket_the_headline_figures(scored):
    report, _, _ = scored
    for key in report["headline"]:
        low, high = report["ci95"][key]
        assert low - 1e-9 <= report["figures"][key] <= high + 1e-9 or low == high, key


# ---- a second, randomised check against scikit-learn's multilabel F1 (an independent implementation)


def _random_corpus(rng: random.Random, n_docs: int):
    gold, preds = [], []
    for d in range(n_docs):
        g_paras, p_paras = [], []
        for i in range(rng.randint(1, 5)):
            text = f"Đoạn {d}-{i}: " + " ".join(rng.choice(["xét", "nghiệm", "cách", "ly", "tiêm"]) for _ in range(8))
            ga = rng.sample(ACTIONS, rng.randint(0, 3))
            pa = rng.sample(ACTIONS, rng.randint(0, 3)) if rng.random() < 0.5 else list(ga)
            fate = rng.random()
            if fate < 0.85:
                g_paras.append(P(str(i), text, ga))
                p_paras.append(P(str(i), text, pa))
            elif fate < 0.93:
                g_paras.append(P(str(i), text, ga))  # missed
            else:
                p_paras.append(P(str(i), text + " thêm", pa))  # spurious
        gold.append(Dispatch(f"r{d}", f"r{d}.txt", Header(), g_paras))
        preds.append(Dispatch(f"r{d}", f"r{d}.txt", Header(), p_paras))
    return gold, preds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_label_figures_equal_scikit_learn_on_random_corpora(seed):
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    from vntasks.evaluation.score import evaluate

    gold, preds = _random_corpus(random.Random(seed), 30)
    rows_true, rows_pred, aligned = [], [], []
    for g, p in zip(gold, preds):
        by_text = {q.text: q for q in p.paragraphs}
        for para in g.paragraphs:
            match = by_text.pop(para.text, None)
            rows_true.append(para.actions)
            rows_pred.append(match.actions if match else [])
            aligned.append(match is not None)
        for spurious in by_text.values():
            rows_true.append([])
            rows_pred.append(spurious.actions)
            aligned.append(False)
    y_true = np.array([[lab in row for lab in ACTIONS] for row in rows_true])
    y_pred = np.array([[lab in row for lab in ACTIONS] for row in rows_pred])
    present = [i for i in range(len(ACTIONS)) if y_true[:, i].any() or y_pred[:, i].any()]
    figures = evaluate(gold, preds, replicates=0).report["figures"]
    assert figures["actions.micro.f1"] == pytest.approx(f1_score(y_true, y_pred, average="micro", zero_division=0))
    assert figures["actions.macro.f1"] == pytest.approx(
        f1_score(y_true, y_pred, average="macro", labels=present, zero_division=0))
    per_label = f1_score(y_true, y_pred, average=None, labels=present, zero_division=0)
    for i, value in zip(present, per_label):
        assert figures[f"actions.label.{ACTIONS[i]}.f1"] == pytest.approx(value)
    # subset accuracy: a missed or spurious unit never counts as exact, even with empty label sets
    exact = [a and (t == p).all() for a, t, p in zip(aligned, y_true, y_pred)]
    assert figures["actions.subset_accuracy"] == pytest.approx(sum(exact) / len(exact))
    assert figures["actions.subset_accuracy"] <= accuracy_score(y_true, y_pred)
