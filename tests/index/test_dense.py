import numpy as np

import qa.index.dense as dense
from qa.index.dense import DenseIndex


def test_blocked_search_equals_brute_force(monkeypatch):
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(1000, 16)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    q = emb[123] + 0.1 * rng.normal(size=16).astype(np.float32)
    monkeypatch.setattr(dense, "BLOCK_ROWS", 97)  # many blocks, one ragged
    idx, val = DenseIndex(emb).search(q, 10)
    brute = np.argsort(-(emb @ q))[:10]
    assert list(idx) == list(brute)
    assert np.all(np.diff(val) <= 0)
    allowed = np.array([5, 123, 600])
    idx, _ = DenseIndex(emb).search(q, 2, allowed=allowed)
    assert idx[0] == 123 and set(idx) <= set(allowed)


def _clustered(n, dim, seed=0):
    """Unit vectors around a few hundred centres: closer to real embeddings than uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(300, dim)).astype(np.float32)
    x = centres[rng.integers(0, 300, n)] + 0.6 * rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_hnsw_recall_at_10_against_exact_search(tmp_path):
    emb = _clustered(20_000, 64)
    queries = _clustered(50, 64, seed=1)
    dense.build_hnsw(emb, tmp_path / DenseIndex.ANN_FILE)
    np.save(tmp_path / DenseIndex.FILE, emb)
    index = DenseIndex.load(tmp_path, len(emb), 64)
    assert index.ann is not None
    hits = 0
    for q in queries:
        approx, _ = index.search(q, 10)
        exact, _ = index.search(q, 10, exact=True)
        hits += len(set(approx) & set(exact))
    assert hits / (10 * len(queries)) >= 0.98


def test_mismatched_approximate_index_is_reported_as_damage(tmp_path):
    emb = _clustered(500, 16)
    dense.build_hnsw(emb[:400], tmp_path / DenseIndex.ANN_FILE)
    np.save(tmp_path / DenseIndex.FILE, emb)
    import pytest

    with pytest.raises(ValueError, match="approximate"):
        DenseIndex.load(tmp_path, 500, 16)
