"""Fixtures for the benchmark tests: the shared benchmark data, read where it lies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"


@pytest.fixture(scope="session")
def bench_data() -> Path:
    if not BENCHMARKS.is_dir():
        pytest.skip(f"benchmark data not found at {BENCHMARKS}")
    return BENCHMARKS


@pytest.fixture(scope="session")
def squad_v1(bench_data):
    from qa.bench.datasets import load

    return load(bench_data / "squad" / "dev-v1.1.json")


@pytest.fixture(scope="session")
def squad_v2(bench_data):
    from qa.bench.datasets import load

    return load(bench_data / "squad" / "dev-v2.0.json")


@pytest.fixture(scope="session")
def reference_predictions(bench_data):
    """version -> {system: predictions} from the shared leaderboard files."""
    root = bench_data / "squad" / "reference-predictions"
    return {
        v: {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / v).glob("*.json"))}
        for v in ("v1.1", "v2.0")
    }
