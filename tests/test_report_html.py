"""The HTML report: self-contained, complete, and rendered by a real browser (headless Chromium)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from vntasks.evaluation.report_html import render_report, write_report
from vntasks.evaluation.score import evaluate
from vntasks.pipeline.document import Dispatch, Header, Mention, Paragraph

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def _corpus():
    gold = Dispatch("g1", "g1.txt", Header(issuer="UBND huyện Tân Lạc"), [
        Paragraph("1", "Sở Y tế chủ trì, phối hợp Công an tỉnh truy vết <F1> & cách ly.", ["testing", "quarantine"],
                  ["health"], [Mention("Sở Y tế", "health", "lead"), Mention("Công an tỉnh", "police", "support")]),
        Paragraph("2", "Đài Phát thanh huyện tuyên truyền phòng dịch.", ["propaganda"], ["culture_information"],
                  [Mention("Đài Phát thanh huyện", "culture_information", "lead")]),
        Paragraph("3", "Phòng Lao động - Thương binh và Xã hội hỗ trợ người dân.", ["social_support"],
                  ["labour_social"], [Mention("Phòng Lao động - Thương binh và Xã hội", "labour_social", "lead")]),
    ])
    pred = Dispatch("g1", "g1.txt", Header(issuer="UBND huyện"), [
        Paragraph("1", "Sở Y tế chủ trì, phối hợp Công an tỉnh truy vết <F1> & cách ly.", ["testing"],
                  ["health", "police"], [Mention("Sở Y tế", "health", "lead"), Mention("Công an tỉnh", "police", "lead")]),
        Paragraph("2", "Đài Phát thanh  huyện tuyên truyền phòng dịch.", ["propaganda", "planning"],
                  ["culture_information"], [Mention("Đài Phát thanh  huyện", "culture_information", "lead")]),
        Paragraph("", "Nơi nhận: như trên.", ["planning"], ["all_units"], []),
    ])
    failed = Dispatch("g2", "g2.txt", Header(), [Paragraph("1", "Các sở, ngành báo cáo.", ["planning"], ["all_units"],
                                                           [Mention("Các sở, ngành", "all_units", "lead")])])
    error = {"source": "g2.txt", "error": {"kind": "no_body", "message": "no numbered or instruction paragraphs"}}
    return [gold, failed], [pred, error]


@pytest.fixture(scope="module")
def evaluation():
    gold, preds = _corpus()
    result = evaluate(gold, preds, replicates=100, gold_files={"g1": "a.jsonl", "g2": "b.jsonl"})
    result.report["scope"] = "unit test corpus"
    result.report["inputs"] = {"gold": "a.jsonl, b.jsonl"}
    return result


def test_report_is_self_contained_and_escapes_text(evaluation):
    page = render_report(evaluation)
    assert not re.search(r"<(script|link|img|iframe)\b", page, re.I)
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:|//)", page, re.I)
    assert "&lt;F1&gt; &amp;" in page and "<F1>" not in page


def test_report_has_every_section(evaluation):
    page = render_report(evaluation)
    for heading in ("Headline figures", "Action types", "Core action types", "Responsible agencies",
                    "Agency mentions", "Header fields", "Breakdowns", "Worst aligned paragraphs",
                    "Segmentation errors", "Documents without a prediction"):
        assert f">{heading}" in page, heading
    assert page.count("<svg") >= 5  # two bar charts and at least three confusion maps
    assert "unit test corpus" in page
    assert "health/lead" in page and "police/support" in page  # displaCy span labels
    assert "class='missed'>quarantine<" in page and "class='extra'>police<" in page
    assert "no numbered or instruction paragraphs" in page


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (CI installs Debian's chromium)")
def test_report_renders_in_headless_chromium(evaluation, tmp_path):
    import matplotlib.image

    path = tmp_path / "report.html"
    write_report(evaluation, path)
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
              f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "<h1>vntasks evaluation</h1>" in html
    assert html.count("<svg") >= 5 and html.count("class=\"pair\"") >= 2
    assert "truyền" in html and "Thương" in html  # UTF-8 survived the round trip through the browser
    shot = tmp_path / "shot.png"
    run = subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,1600", path.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05  # not a blank page
