"""Shared fixtures: the real benchmark data, the bundled corpus, and one index of it per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import BENCHMARKS, BUNDLED_CORPUS


@pytest.fixture(scope="session")
def benchmarks() -> Path:
    if not BENCHMARKS.is_dir():
        pytest.skip(f"benchmark data not found at {BENCHMARKS}")
    return BENCHMARKS


@pytest.fixture(scope="session")
def seed_questions(benchmarks) -> list[dict]:
    return [json.loads(line) for line in (benchmarks / "seed_dev.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def bundled_index_dir(tmp_path_factory) -> Path:
    """A private index folder for the bundled corpus, built once for the whole test session."""
    return tmp_path_factory.mktemp("bundled-index")


@pytest.fixture(scope="session")
def bundled_qa(bundled_index_dir):
    from qa.pipeline import QA

    qa = QA(corpus=BUNDLED_CORPUS, index_dir=bundled_index_dir, progress=False)
    qa.ensure_index()
    return qa
