"""Fixtures for the benchmark tests (``benchmarks``, the shared data folder, is in tests/conftest.py)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session")
def squad_v1(benchmarks):
    from qa.bench.datasets import load

    return load(benchmarks / "squad" / "dev-v1.1.json")


@pytest.fixture(scope="session")
def squad_v2(benchmarks):
    from qa.bench.datasets import load

    return load(benchmarks / "squad" / "dev-v2.0.json")


@pytest.fixture(scope="session")
def reference_predictions(benchmarks):
    """version -> {system: predictions} from the shared leaderboard files."""
    root = benchmarks / "squad" / "reference-predictions"
    return {
        v: {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / v).glob("*.json"))}
        for v in ("v1.1", "v2.0")
    }
