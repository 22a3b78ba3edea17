"""`vntasks compare A.json B.json [--tolerance T] [--metrics PATTERN...]`.

Per-figure differences B − A between two `vntasks evaluate` reports, flagged
where B falls outside A's 95% bootstrap interval. Every figure is "higher is
better"; a figure that drops by more than the tolerance is a regression and
the exit code is 1, so the command can gate a CI job or a model release.
Exit code 2 when a report cannot be read.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("\n\n", 1)[1]
    parser.add_argument("baseline", metavar="A.json", help="reference report (e.g. the shipped model)")
    parser.add_argument("candidate", metavar="B.json", help="new report (e.g. the retrained model)")
    parser.add_argument("--tolerance", type=float, default=0.0,
                        help="largest drop (B − A) that is not a regression (default 0)")
    parser.add_argument("--metrics", nargs="+", metavar="PATTERN",
                        help="figures to check, glob patterns over figure names (e.g. 'actions.label.*.f1'); "
                        "default: the baseline's headline figures")
    parser.add_argument("--all", action="store_true", help="show every figure, not only the checked ones")
    parser.add_argument("--json", metavar="OUT.json", help="write the comparison as JSON")


@dataclass
class Row:
    name: str
    a: float | None
    b: float | None
    ci_a: list[float] | None
    checked: bool

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def outside_ci(self) -> bool | None:
        if self.b is None or not self.ci_a:
            return None
        return not (self.ci_a[0] <= self.b <= self.ci_a[1])


def load_report(path: str | Path) -> dict[str, Any]:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(report, dict) or not isinstance(report.get("figures"), dict):
        raise ValueError(f"{path}: not a `vntasks evaluate` report (no 'figures')")
    return report


def compare_reports(a: dict[str, Any], b: dict[str, Any], patterns: list[str] | None,
                    show_all: bool = False) -> tuple[list[Row], list[str]]:
    """Rows to show (checked ones first) and the requested patterns that matched nothing."""
    names = list(dict.fromkeys([*a["figures"], *b["figures"]]))
    if patterns:
        checked = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
        unmatched = [p for p in patterns if not any(fnmatch.fnmatchcase(n, p) for n in names)]
    else:
        checked = [n for n in a.get("headline", []) if n in names] or names
        unmatched = []
    shown = checked + ([n for n in names if n not in checked] if show_all else [])
    check_set = set(checked)
    rows = [Row(n, a["figures"].get(n), b["figures"].get(n), a.get("ci95", {}).get(n), n in check_set)
            for n in shown]
    return rows, unmatched


def regressions(rows: list[Row], tolerance: float) -> list[Row]:
    """Checked figures that fell by more than the tolerance, or that B lacks."""
    out = []
    for row in rows:
        if not row.checked or row.a is None:
            continue
        if row.b is None or row.delta < -tolerance - 1e-12:
            out.append(row)
    return out


def format_rows(rows: list[Row], tolerance: float) -> str:
    def num(x: float | None, signed: bool = False) -> str:
        if x is None:
            return "–"
        return f"{x:+.3f}" if signed else f"{x:.3f}"

    width = max([len(r.name) for r in rows] + [6])
    lines = [f"{'figure':<{width}}  {'A':>6}  {'B':>6}  {'B − A':>7}  {'A 95% interval':<16}  note"]
    for r in rows:
        interval = f"[{r.ci_a[0]:.3f}, {r.ci_a[1]:.3f}]" if r.ci_a else ""
        notes = []
        if r.checked and r.a is not None and (r.b is None or r.delta < -tolerance - 1e-12):
            notes.append("REGRESSION" if r.b is not None else "REGRESSION (missing in B)")
        if r.outside_ci:
            notes.append("outside A's interval")
        lines.append(f"{r.name:<{width}}  {num(r.a):>6}  {num(r.b):>6}  {num(r.delta, True):>7}  {interval:<16}  "
                     + ", ".join(notes))
    return "\n".join(lines)


def context_warnings(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Differences that make the two reports hard to compare."""
    out = []
    gold_a = [g.get("sha256") for g in a.get("inputs", {}).get("gold", [])]
    gold_b = [g.get("sha256") for g in b.get("inputs", {}).get("gold", [])]
    if gold_a and gold_b and gold_a != gold_b:
        out.append("the two reports were scored on different gold files")
    if a.get("scope") != b.get("scope"):
        out.append(f"different scopes: A is {a.get('scope')!r}, B is {b.get('scope')!r}")
    threshold_a = a.get("alignment", {}).get("fuzzy_threshold")
    threshold_b = b.get("alignment", {}).get("fuzzy_threshold")
    if threshold_a != threshold_b:
        out.append(f"different alignment thresholds ({threshold_a} vs {threshold_b})")
    return out


def run(args: argparse.Namespace) -> int:
    try:
        a, b = load_report(args.baseline), load_report(args.candidate)
    except ValueError as exc:
        print(f"vntasks compare: {exc}", file=sys.stderr)
        return 2
    rows, unmatched = compare_reports(a, b, args.metrics, args.all)
    for pattern in unmatched:
        print(f"vntasks compare: --metrics {pattern!r} matches no figure", file=sys.stderr)
    for warning in context_warnings(a, b):
        print(f"vntasks compare: warning: {warning}", file=sys.stderr)
    print(f"A: {args.baseline}\nB: {args.candidate}\ntolerance: {args.tolerance}")
    print(format_rows(rows, args.tolerance))
    failed = regressions(rows, args.tolerance)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "baseline": str(args.baseline), "candidate": str(args.candidate), "tolerance": args.tolerance,
            "figures": [{"name": r.name, "a": r.a, "b": r.b, "delta": r.delta, "a_ci95": r.ci_a,
                         "outside_a_ci95": r.outside_ci, "checked": r.checked} for r in rows],
            "regressions": [r.name for r in failed],
        }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if failed or unmatched:
        names = ", ".join(r.name for r in failed) or "none"
        print(f"FAIL: {len(failed)} regression(s) beyond tolerance {args.tolerance}: {names}"
              + (f"; {len(unmatched)} --metrics pattern(s) matched nothing" if unmatched else ""))
        return 1
    print(f"OK: no checked figure fell by more than {args.tolerance}")
    return 0
