"""Generate N realistic dispatches for benchmarks by recombining the paragraphs of the gold data.

    python benchmarks/generate_corpus.py 10000 --out /tmp/vntasks-bench/10k [--seed 0]

Task paragraphs are drawn from the gold corpora (corpus/seeds.jsonl and
../shared/corpus/web.jsonl, read at run time; nothing is copied into the
repository) and wrapped in the layouts the pipeline meets:

- `official`: the printed dispatch — issuer block, national motto, Số/ký
  hiệu, V/v subject, place and date, Kính gửi list, preamble with its
  lead-in, numbered items, closing sentence, Nơi nhận, TM./KT., signer;
- `web`: a repost — headline, news lead, "Theo đó, ... yêu cầu:", items,
  "Xem chi tiết" or a byline;
- `bare`: a search-index passage that starts at the first item and ends with
  the closing sentence.

Items are numbered `1.`, `1)`, `1-`, `a)`, `Thứ nhất,`, `Điều 1.` or not at
all. Every document `i` is a function of (seed, i), so runs are reproducible
and a 100,000-document corpus is written as a stream (1,000 files per
folder) without holding it in memory. Beside the files, `gold.jsonl` holds
each document's record in the corpus format — the paragraphs and labels as
generated, `meta.synthetic: true` — so the corpus can check segmentation or
feed training-time benchmarks; being recombined text, it must never be used
to report accuracy.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED  # noqa: E402

FILES_PER_FOLDER = 1000
LAYOUTS = (("official", 0.45), ("web", 0.35), ("bare", 0.20))
NUMBERINGS = (("1.", 0.35), ("1)", 0.08), ("1-", 0.08), ("a)", 0.08), ("Thứ nhất", 0.06), ("Điều", 0.03),
              ("none", 0.32))
# How many task paragraphs a document gets (gold: 1-8, mostly 2-4).
PARAGRAPH_COUNTS = ((1, 0.04), (2, 0.2), (3, 0.26), (4, 0.2), (5, 0.14), (6, 0.08), (7, 0.05), (8, 0.03))

ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")
LETTERS = "abcdeghiklmnopqrstuvxy"  # Vietnamese list letters (no f, j, w, z)
PROVINCES = ("An Bình", "Bắc Kạn", "Đồng Tháp", "Hòa Bình", "Lạng Sơn", "Quảng Nam", "Phú Yên", "Hải Phòng",
             "Đắk Lắk", "Ninh Thuận", "Cao Bằng", "Hà Tĩnh", "Lâm Đồng", "Bình Dương", "Thái Bình")
SIGNERS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Đức", "Hoàng Thị Hà", "Vũ Đình Khoa",
           "Đặng Văn Long", "Bùi Thị Mai", "Đỗ Quang Nam", "Ngô Thị Phương")
CODES = ("UBND-VX", "UBND-KGVX", "UBND-VP", "VP-KGVX", "CĐ-UBND", "SYT-NVY", "BCĐ-YT", "UBND-NC")
DISEASES = ("Covid-19", "sốt xuất huyết", "sởi", "tay chân miệng", "cúm gia cầm", "dịch tả lợn châu Phi", "bệnh dại",
            "bạch hầu", "đậu mùa khỉ")
SUBJECTS = ("tăng cường công tác phòng, chống dịch {d}", "triển khai các biện pháp cấp bách phòng, chống dịch {d}",
            "chủ động phòng, chống dịch {d} trong tình hình mới", "thực hiện Công điện số {n}/CĐ-TTg của Thủ tướng Chính phủ")
PREAMBLES = (
    "Thực hiện Công điện số {n}/CĐ-TTg ngày {date} của Thủ tướng Chính phủ về việc {subject}; để chủ động kiểm soát "
    "tình hình dịch bệnh trên địa bàn, {issuer} yêu cầu các sở, ban, ngành, địa phương thực hiện các nội dung sau:",
    "Trước diễn biến phức tạp của dịch {d}, {issuer} yêu cầu Thủ trưởng các cơ quan, đơn vị, Chủ tịch UBND các "
    "huyện, thành phố khẩn trương triển khai thực hiện một số nội dung sau:",
    "Căn cứ ý kiến chỉ đạo của Ban Chỉ đạo phòng, chống dịch bệnh tỉnh tại cuộc họp ngày {date}, {issuer} chỉ đạo "
    "như sau:",
    "Để tiếp tục thực hiện có hiệu quả công tác phòng, chống dịch {d}, {issuer} yêu cầu:",
)
CLOSINGS = (
    "Với nội dung trên, {issuer} yêu cầu các cơ quan, đơn vị, địa phương nghiêm túc triển khai thực hiện./.",
    "Yêu cầu Thủ trưởng các cơ quan, đơn vị và Chủ tịch UBND các huyện, thành phố triển khai thực hiện; trong quá "
    "trình thực hiện nếu có khó khăn, vướng mắc, báo cáo về Sở Y tế để tổng hợp./.",
    "Đề nghị các cơ quan, đơn vị khẩn trương triển khai thực hiện./.",
)
HEADLINES = ("{short} yêu cầu tăng cường phòng, chống dịch {d}", "Triển khai quyết liệt các biện pháp phòng, chống {d}",
             "{short} chỉ đạo chủ động ứng phó với dịch {d}", "Tăng cường các biện pháp phòng, chống dịch {d} trên địa bàn")
LEADS = (
    "Ngày {date}, {issuer} ban hành Công văn số {number} về việc {subject}.",
    "({place}) - {issuer} vừa có văn bản chỉ đạo các sở, ngành, địa phương triển khai các biện pháp phòng, chống "
    "dịch {d}.",
    "Nhằm chủ động phòng, chống dịch {d}, ngày {date}, {issuer} đã có Công văn số {number} chỉ đạo các đơn vị, "
    "địa phương.",
)
LEAD_INS = ("Theo đó, {short} yêu cầu:", "Cụ thể, {short} yêu cầu các đơn vị, địa phương:", "{short} yêu cầu:",
            "Theo đó, {short} chỉ đạo như sau:")
WEB_ENDINGS = ("Xem chi tiết văn bản tại đây.", "{author}", "Nguồn: Cổng Thông tin điện tử tỉnh {place}", "")
AUTHORS = ("Minh Anh", "Thu Hà", "P.V", "Hoàng Long", "Ngọc Lan")
RECIPIENTS = ("Các sở, ban, ngành tỉnh;", "Ủy ban MTTQ Việt Nam tỉnh và các đoàn thể;",
              "UBND các huyện, thị xã, thành phố;", "Các cơ quan, đơn vị trực thuộc;", "UBND các xã, phường, thị trấn.")


@dataclass
class Material:
    """The gold paragraphs and headers the generator recombines."""

    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def gold_files() -> list[Path]:
    files = [REPO / "corpus" / "seeds.jsonl", SHARED / "corpus" / "web.jsonl"]
    return [f for f in files if f.exists()]


def load_material(files: list[Path] | None = None) -> Material:
    material = Material()
    files = gold_files() if files is None else files
    for path in files:
        material.sources.append(str(path))
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                header = record.get("header") or {}
                if header.get("subject"):
                    material.subjects.append(_lower_first(header["subject"].rstrip(". ")))
                issuer = header.get("issuer") or ""
                if re.search(r"\b(tỉnh|thành phố|huyện) [A-ZĐÂ]", issuer):
                    material.issuers.append(issuer)
                if header.get("signer"):
                    material.signers.append(header["signer"])
                paragraphs = record.get("paragraphs", [])
                for k, p in enumerate(paragraphs):
                    if p.get("text", "").strip():
                        material.paragraphs.append({
                            "cut": k == len(paragraphs) - 1 and not _ENDS_SENTENCE.search(p["text"]),
                            "text": p["text"], "actions": p.get("actions", []), "agencies": p.get("agencies", []),
                            "mentions": [{key: m[key] for key in ("text", "category", "role") if key in m}
                                         for m in p.get("mentions", [])],
                            "origin": f"{record.get('id')}#{k}",
                        })
    if not material.paragraphs:
        raise SystemExit("generate_corpus: no gold paragraphs found in " + ", ".join(map(str, files or ["(none)"])))
    return material


def _weighted(rng: random.Random, table) -> Any:
    values, weights = zip(*table)
    return rng.choices(values, weights=weights)[0]


_ENDS_SENTENCE = re.compile(r"[.;:!?)\"”’…]\s*$")
_INNER_DIGIT = re.compile(r"^\s*\d+\s*[.)/-]", re.M)
_INNER_LETTER = re.compile(r"^\s*[a-zđ]\s*[.)]", re.M)


def _lower_first(text: str) -> str:
    """"Tăng cường ..." -> "tăng cường ..." (a subject inside a sentence); acronyms stay."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _fits(paragraph: dict[str, Any], numbering: str, last: bool) -> bool:
    """Skip a paragraph whose inner lines would read as items of the chosen top level, and a passage cut off
    mid-item unless it ends the document (where a web page's stored excerpt stops)."""
    text = paragraph["text"]
    if paragraph["cut"] and not last:
        return False
    if numbering == "none":
        return "\n" not in text
    inner = text.split("\n", 1)[1] if "\n" in text else ""
    if numbering == "a)":
        return not _INNER_LETTER.search(inner)
    return not _INNER_DIGIT.search(inner)


def _number(numbering: str, k: int) -> tuple[str, str]:
    """(the printed marker with its punctuation and space, the gold number) of item k (0-based)."""
    if numbering == "none":
        return "", ""
    if numbering == "a)":
        letter = LETTERS[k % len(LETTERS)]
        return f"{letter}) ", letter
    if numbering == "Thứ nhất":
        word = "Thứ " + ORDINALS[k % len(ORDINALS)]
        return f"{word}, ", word
    if numbering == "Điều":
        return f"Điều {k + 1}. ", str(k + 1)
    return f"{k + 1}{numbering[1:]} ", str(k + 1)


def _short(issuer: str) -> str:
    """How a news text names the issuer the second time: "UBND tỉnh Lạng Sơn" -> "UBND tỉnh"."""
    match = re.match(r"(UBND|Ủy ban nhân dân|Uỷ ban nhân dân) (tỉnh|thành phố|huyện|thị xã)", issuer)
    return match.group(0) if match else issuer


def _date(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(2017, 2025), rng.randint(1, 12), rng.randint(1, 28)


def generate(i: int, seed: int, material: Material) -> tuple[str, dict[str, Any]]:
    """Document i of the corpus with this seed: (its text, its corpus-format record)."""
    rng = random.Random(f"vntasks-bench:{seed}:{i}")
    layout = _weighted(rng, LAYOUTS)
    numbering = _weighted(rng, NUMBERINGS)
    if layout == "bare" and numbering == "none":
        numbering = "1."  # a bare passage with no markers and no lead-in has no visible structure
    count = _weighted(rng, PARAGRAPH_COUNTS)
    paragraphs = []
    while len(paragraphs) < count:
        candidate = rng.choice(material.paragraphs)
        if _fits(candidate, numbering, last=layout != "official" and len(paragraphs) == count - 1):
            paragraphs.append(candidate)

    place = rng.choice(PROVINCES)
    if material.issuers and rng.random() < 0.5:
        issuer = rng.choice(material.issuers)
        place = re.split(r"\b(?:tỉnh|thành phố|huyện) ", issuer)[-1]
    else:
        issuer = f"UBND tỉnh {place}"
    short = _short(issuer)
    disease = rng.choice(DISEASES)
    subject = (rng.choice(material.subjects) if material.subjects and rng.random() < 0.6
               else rng.choice(SUBJECTS).format(d=disease, n=rng.randint(100, 1999)))
    year, month, day = _date(rng)
    number = f"{i + 1}/{rng.choice(CODES)}"  # the index makes every document's content unique
    signer = rng.choice(material.signers if material.signers and rng.random() < 0.3 else SIGNERS)
    fill = {"issuer": issuer, "short": short, "d": disease, "subject": subject, "place": place, "number": number,
            "date": f"{day:02d}/{month:02d}/{year}", "n": rng.randint(100, 1999), "author": rng.choice(AUTHORS)}

    items, gold_paragraphs = [], []
    for k, p in enumerate(paragraphs):
        marker, gold_number = _number(numbering, k)
        items.append(marker + p["text"])
        gold_paragraphs.append({"number": gold_number, "text": p["text"], "actions": list(p["actions"]),
                                "agencies": list(p["agencies"]), "mentions": [dict(m) for m in p["mentions"]]})

    header: dict[str, Any] = {"issuer": issuer}
    if layout == "official":
        bold = rng.random() < 0.3
        b = (lambda s: f"**{s}**") if bold else (lambda s: s)
        issuer_block = issuer.upper().replace("UBND", "ỦY BAN NHÂN DÂN", 1)
        recipients = sorted(rng.sample(range(len(RECIPIENTS)), rng.randint(2, 4)))
        recipients = [RECIPIENTS[r].rstrip(";.") + ";" for r in recipients]
        recipients[-1] = recipients[-1][:-1] + "."
        lines = [b(issuer_block), "", b("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), b("Độc lập - Tự do - Hạnh phúc"), "",
                 f"Số: {number}", f"V/v {subject}", "", f"{place}, ngày {day} tháng {month} năm {year}", ""]
        if rng.random() < 0.3:
            recipients = recipients[:1]
            lines += [f"Kính gửi: {recipients[0].rstrip(';.')}.", ""]
        else:
            lines += ["Kính gửi:", "", *(f"- {r}" for r in recipients), ""]
        lead_in = rng.choice(PREAMBLES).format(**fill)
        if numbering == "none" and not lead_in.endswith(":"):
            lead_in += " như sau:"
        lines += [lead_in, ""]
        for item in items:
            lines += [item.replace("\n", "\n\n"), ""]
        lines += [rng.choice(CLOSINGS).format(**fill), "", b("Nơi nhận:"), "- Như trên;", "- Lưu: VT.", "",
                  b("TM. ỦY BAN NHÂN DÂN"), b("KT. CHỦ TỊCH"), b("PHÓ CHỦ TỊCH"), "", b(signer)]
        header.update(number=number, date=f"{year:04d}-{month:02d}-{day:02d}", subject=subject, signer=signer,
                      recipients=[r.rstrip(";.") for r in recipients])
    elif layout == "web":
        lines = [rng.choice(HEADLINES).format(**fill), "", rng.choice(LEADS).format(**fill),
                 rng.choice(LEAD_INS).format(**fill), *items]
        ending = rng.choice(WEB_ENDINGS).format(**fill)
        lines += [ending] if ending else []
        header.update(number=number, date=f"{year:04d}-{month:02d}-{day:02d}")
    else:  # bare
        lines = [*items, rng.choice(CLOSINGS).format(**fill), f"Nguồn: Công văn số {number}"]
    text = "\n".join(lines).strip() + "\n"
    record = {
        "id": f"gen-{seed}-{i:07d}",
        "source": relative_path(i),
        "header": header,
        "paragraphs": gold_paragraphs,
        "meta": {"synthetic": True, "generator": "benchmarks/generate_corpus.py", "seed": seed, "layout": layout,
                 "numbering": numbering, "origins": [p["origin"] for p in paragraphs]},
    }
    return text, record


def relative_path(i: int) -> str:
    return f"part-{i // FILES_PER_FOLDER:05d}/doc-{i:07d}.txt"


def iter_corpus(n: int, seed: int = 0, material: Material | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    material = material or load_material()
    for i in range(n):
        yield generate(i, seed, material)


def write_corpus(out: Path, n: int, seed: int = 0, material: Material | None = None, log=None) -> dict[str, Any]:
    """Write n documents under `out` (streamed), `gold.jsonl` and `corpus.json`; return the summary."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    material = material or load_material()
    start = time.monotonic()
    paragraphs = chars = 0
    with open(out / "gold.jsonl", "w", encoding="utf-8") as gold:
        for i, (text, record) in enumerate(iter_corpus(n, seed, material)):
            path = out / relative_path(i)
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            gold.write(json.dumps(record, ensure_ascii=False) + "\n")
            paragraphs += len(record["paragraphs"])
            chars += len(text)
            if log and (i + 1) % 10000 == 0:
                log(f"{i + 1:,} documents written")
    summary = {"documents": n, "paragraphs": paragraphs, "characters": chars, "seed": seed,
               "material": material.sources, "gold_paragraphs": len(material.paragraphs),
               "seconds": round(time.monotonic() - start, 2)}
    (out / "corpus.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


def ensure_corpus(out: Path, n: int, seed: int = 0, log=None) -> dict[str, Any]:
    """The corpus at `out` if it was generated with the same n and seed, else a fresh one."""
    marker = Path(out) / "corpus.json"
    if marker.exists():
        summary = json.loads(marker.read_text(encoding="utf-8"))
        if summary.get("documents") == n and summary.get("seed") == seed:
            return summary
    return write_corpus(out, n, seed, log=log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("--out", default=None, help="output folder (default: /tmp/vntasks-bench/corpus-N-sSEED)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out or f"/tmp/vntasks-bench/corpus-{args.n}-s{args.seed}")
    summary = write_corpus(out, args.n, args.seed, log=lambda m: print(m, file=sys.stderr))
    print(f"{summary['documents']:,} documents, {summary['paragraphs']:,} task paragraphs, "
          f"{summary['characters'] / 1e6:.1f} M characters in {out} ({summary['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
