import numpy as np

import qa.dense as dense
from qa.dense import DenseIndex


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
