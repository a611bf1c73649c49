"""Other systems beside ours (qa.bench.peers)."""

from __future__ import annotations

import json

import pytest

from qa.bench.metrics import squad_scores
from qa.bench.peers import bm25_speed, reference_dir, squad_peers
from qa.index.lexical import LexicalIndex
from qa.ingest.analyzer import analyze
from qa.types import Chunk


def test_peers_on_the_whole_dev_set_reproduce_the_published_scores(benchmarks, squad_v1):
    expected = json.loads((benchmarks / "squad" / "reference-predictions" / "expected_scores.json").read_text())
    peers = squad_peers(squad_v1, [q.id for q in squad_v1.questions])
    assert len(peers) == 5
    for name, row in peers.items():
        want = expected[f"v1.1/{name}.json"]["result"]
        assert row["n"] == want["total"] == 10_570
        if "exact" in want:  # printed by the v2.0 script: full precision
            assert (row["em"], row["f1"]) == (want["exact"], want["f1"])
        else:  # printed by the v1.1 script: three decimals
            assert (round(row["em"], 3), round(row["f1"], 3)) == (want["exact_match"], want["f1"])


def test_a_peer_with_gaps_is_scored_on_all_our_questions(squad_v1, reference_predictions):
    held = [q.id for q in squad_v1.split_questions("heldout")]
    row = squad_peers(squad_v1, held)["logistic-regression-baseline"]
    assert row["n"] == 2_921 and row["missing"] == 2
    preds = reference_predictions["v1.1"]["logistic-regression-baseline"]
    assert row["f1"] == squad_scores(squad_v1.data, preds, qid_subset=held, missing="empty")["f1"]


def test_v2_file_gets_v2_peers_with_no_answer_blocks(squad_v2):
    assert reference_dir(squad_v2).name == "v2.0"
    qids = [q.id for q in squad_v2.split_questions("heldout")][:50]
    peers = squad_peers(squad_v2, qids)
    assert set(peers) == {"bert-single", "bidaf-self-attention-elmo", "nlnet-single"}
    assert all(p["n"] == 50 and p["has_ans"]["n"] + p["no_ans"]["n"] == 50 for p in peers.values())


class _TinyIndex:
    """Just what bm25_speed reads from a CorpusIndex."""

    def __init__(self, texts):
        self.texts = texts
        self.lexical = LexicalIndex.build([analyze(t) for t in texts])

    def __len__(self):
        return len(self.texts)

    def chunk(self, i):
        return Chunk(i, "d.txt", 0, len(self.texts[i]), self.texts[i])


def test_bm25_speed_scores_agree_with_rank_bm25():
    index = _TinyIndex(["The cat sat on the mat.", "Dogs chase cats.", "Stock markets fell today.", "A cat and a dog."])
    speed = bm25_speed(index, ["Which cat sat?", "markets", "dog and cat"])
    assert speed["n_queries"] == 3 and speed["n_chunks"] == 4
    assert speed["max_abs_diff"] == pytest.approx(0, abs=1e-5)
    assert speed["rank_bm25_ms_p50"] > 0 and speed["ours_ms_p50"] > 0
