"""Per-label decision thresholds from out-of-fold probabilities.

With a few hundred paragraphs the F1-optimal threshold of a rare label swings
from fold to fold, so the search is kept tame: a coarse grid, the middle of
the thresholds that come within `tolerance` of the best F1 (a plateau, not a
spike), then pulled halfway back towards 0.5 — the point where balanced
class weights already put the decision.
"""
from __future__ import annotations

import numpy as np

GRID = np.round(np.arange(0.2, 0.801, 0.025), 3)


def f1_at(probs: np.ndarray, y: np.ndarray, threshold: float) -> float:
    predicted = probs >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def tune_thresholds(probs: np.ndarray, y: np.ndarray, *, grid: np.ndarray = GRID, tolerance: float = 0.01,
                    shrink: float = 0.5) -> np.ndarray:
    """One threshold per column of `probs` (out-of-fold probabilities) against multi-hot `y`."""
    probs, y = np.asarray(probs, dtype=float), np.asarray(y)
    if probs.shape != y.shape:
        raise ValueError(f"probabilities {probs.shape} and labels {y.shape} differ in shape")
    thresholds = np.full(probs.shape[1], 0.5)
    for j in range(probs.shape[1]):
        if y[:, j].sum() == 0:
            continue  # nothing to learn from: keep 0.5
        scores = np.array([f1_at(probs[:, j], y[:, j], t) for t in grid])
        near_best = grid[scores >= scores.max() - tolerance]
        best = float(np.median(near_best))
        thresholds[j] = 0.5 + shrink * (best - 0.5)
    return np.round(thresholds, 4)
