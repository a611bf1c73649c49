"""Fusing ranked lists: reciprocal rank fusion (default) or weighted min-max normalized scores."""

from __future__ import annotations

from enum import Enum

import numpy as np

RRF_K = 60


class FusionMode(str, Enum):
    RRF = "rrf"
    WEIGHTED = "weighted"


def fuse_rrf(ranked: dict[str, np.ndarray], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack et al. 2009): sum over lists of 1 / (k + rank).

    Args:
        ranked: list name -> passage indices, best first.
        k: the RRF constant; 60 as in the paper.
    """
    fused: dict[int, float] = {}
    for indices in ranked.values():
        for rank, idx in enumerate(indices.tolist(), start=1):
            fused[idx] = fused.get(idx, 0.0) + 1.0 / (k + rank)
    return fused


def fuse_weighted(
    ranked: dict[str, np.ndarray], scores: dict[str, np.ndarray], weights: dict[str, float]
) -> dict[int, float]:
    """Weighted sum of each list's scores after min-max normalization to [0, 1].

    A passage missing from a list gets 0 from it. A list whose scores are all equal contributes 1
    to each of its passages (they are all its best).
    """
    fused: dict[int, float] = {}
    for name, indices in ranked.items():
        s = np.asarray(scores[name], dtype=np.float64)
        if len(s) == 0:
            continue
        lo, hi = s.min(), s.max()
        norm = np.ones_like(s) if hi == lo else (s - lo) / (hi - lo)
        w = weights.get(name, 1.0)
        for idx, v in zip(indices.tolist(), norm.tolist()):
            fused[idx] = fused.get(idx, 0.0) + w * v
    return fused


def ranks_of(ranked: dict[str, np.ndarray]) -> dict[int, dict[str, int]]:
    """passage index -> {list name: 1-based rank} for every passage in any list."""
    out: dict[int, dict[str, int]] = {}
    for name, indices in ranked.items():
        for rank, idx in enumerate(indices.tolist(), start=1):
            out.setdefault(idx, {})[name] = rank
    return out
