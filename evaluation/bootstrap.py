"""Bootstrap confidence intervals by resampling documents.

Paragraphs of one dispatch are not independent (same issuer, same style,
same segmentation luck), so the resampling unit is the document: a replicate
draws as many documents as there are, with replacement, sums their count
vectors and recomputes every figure. Intervals are percentile intervals over
the replicates; the generator is seeded so reports are reproducible.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_REPLICATES = 1000
DEFAULT_SEED = 0


@dataclass(frozen=True)
class CountMatrix:
    """One row of counts per document, one column per count key."""

    keys: list[str]
    rows: np.ndarray  # shape (documents, keys)

    @classmethod
    def from_counters(cls, counters: Sequence[Counter]) -> CountMatrix:
        keys = sorted({k for c in counters for k in c})
        column = {k: i for i, k in enumerate(keys)}
        rows = np.zeros((len(counters), len(keys)))
        for r, counter in enumerate(counters):
            for key, value in counter.items():
                rows[r, column[key]] = value
        return cls(keys, rows)

    def subset(self, indices: Sequence[int]) -> CountMatrix:
        return CountMatrix(self.keys, self.rows[list(indices)])

    def totals(self) -> dict[str, np.ndarray]:
        summed = self.rows.sum(axis=0)
        return {k: summed[i] for i, k in enumerate(self.keys)}

    def resampled_totals(self, replicates: int, seed: int) -> dict[str, np.ndarray]:
        """Summed counts of `replicates` document resamples: each key maps to an array of replicates."""
        n = len(self.rows)
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=replicates) if n else np.zeros((replicates, 0))
        summed = weights @ self.rows  # (replicates, keys)
        return {k: summed[:, i] for i, k in enumerate(self.keys)}


def percentile_intervals(
    matrix: CountMatrix,
    figures: Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]],
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> dict[str, tuple[float, float] | None]:
    """(low, high) for every figure; None when the figure is undefined in every replicate."""
    if not len(matrix.rows) or replicates <= 0:
        return {}
    values = figures(matrix.resampled_totals(replicates, seed))
    tail = (1 - level) / 2 * 100
    out: dict[str, tuple[float, float] | None] = {}
    for key, samples in values.items():
        samples = np.asarray(samples, dtype=float)
        samples = samples[~np.isnan(samples)]
        out[key] = (float(np.percentile(samples, tail)), float(np.percentile(samples, 100 - tail))) if samples.size else None
    return out
