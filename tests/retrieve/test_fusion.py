import numpy as np
import pytest

from qa.retrieve.fusion import fuse_rrf, fuse_weighted, ranks_of


def test_rrf_sums_reciprocal_ranks_with_k_60():
    fused = fuse_rrf({"bm25": np.array([7, 3]), "dense": np.array([3, 9])})
    assert fused[3] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[7] == pytest.approx(1 / 61)
    assert max(fused, key=fused.get) == 3


def test_weighted_fusion_min_max_normalizes_each_list():
    fused = fuse_weighted(
        {"bm25": np.array([1, 2]), "dense": np.array([2, 1])},
        {"bm25": np.array([10.0, 5.0]), "dense": np.array([0.9, 0.1])},
        {"bm25": 0.25, "dense": 0.75},
    )
    assert fused[1] == pytest.approx(0.25)
    assert fused[2] == pytest.approx(0.75)


def test_ranks_are_one_based_per_list():
    assert ranks_of({"bm25": np.array([5, 6]), "dense": np.array([6])}) == {5: {"bm25": 1}, 6: {"bm25": 2, "dense": 1}}
