"""``qa bench`` on the Milvus backend: the report says which backend ran, and it scores like local."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from support import REPO

from qa.cli import main


def _bench(argv, out) -> dict:
    assert main(["bench", *map(str, argv), "--no-progress", "--report", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize("sample", ["seed", "squad-reading"])
def test_milvus_bench_scores_like_local_and_says_so(sample, milvus_server, bundled_qa, bundled_index_dir,
                                                    benchmarks, tmp_path):
    if sample == "seed":
        args = [benchmarks / "seed_dev.jsonl", "--index-dir", bundled_index_dir]
    else:  # retrieval restricted to each question's paragraph: a filter on doc_id in Milvus
        args = [benchmarks / "squad" / "dev-v1.1.json", "--mode", "reading", "--limit", 20, "--seed", 0]
    local = _bench(args, tmp_path / "local.json")
    ours = _bench([*args, "--backend", "milvus", "--uri", milvus_server], tmp_path / "milvus.json")
    assert local["settings"]["backend"] == "local" and local["index"]["collection"] is None
    assert ours["settings"]["backend"] == "milvus" and ours["settings"]["uri"] == milvus_server
    assert ours["index"]["backend"] == "milvus" and ours["index"]["collection"].startswith("qa_")
    assert ours["n"] == local["n"]
    assert abs(ours["recall"]["5"] - local["recall"]["5"]) <= 0.03
    # Milvus ranks BM25 with its own analyzer, so a question may find another passage: on the 28
    # seed questions one question going the other way (3.6 points) is within "scores like local".
    allowed = 100 / ours["n"] if sample == "seed" else 3.0
    assert abs(ours["f1"] - local["f1"]) <= allowed + 1e-9


def test_local_path_imports_neither_pymilvus_nor_ray(bundled_qa, bundled_index_dir):
    code = (
        "import sys\n"
        "from qa.cli import main\n"
        f"assert main(['ask', 'When was Trotsky assassinated?', '--index-dir', {str(bundled_index_dir)!r}]) == 0\n"
        "heavy = [m for m in ('pymilvus', 'milvus_lite', 'ray', 'grpc') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                       env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "August 20, 1940" in r.stdout
