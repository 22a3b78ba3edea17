"""Shared fixtures: paths to the gold data, and a place for measured figures.

Figures that tests measure (segmentation F1, mention F1 ...) are printed in a
"measured figures" section at the end of the pytest run.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = Path(os.environ.get("VNTASKS_SHARED", REPO.parent / "shared")) / "corpus"
_FIGURES: list[tuple[str, str]] = []


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return REPO / "corpus" / "seeds"


@pytest.fixture(scope="session")
def seeds_gold() -> Path:
    return REPO / "corpus" / "seeds.jsonl"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not (SHARED_CORPUS / "web.jsonl").exists():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def report():
    """`report(title, text)`: show a measured figure in the run's summary."""

    def add(title: str, text: str) -> None:
        _FIGURES.append((title, text))

    return add


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("vntasks measured figures")
        for title, text in _FIGURES:
            terminalreporter.write_line(f"{title}: {text}")
