"""``qa bench`` end to end through ``qa.cli.main``, on the real benchmark files.

The SQuAD run reuses the cached held-out paragraph index under ``indexes/bench`` (about a minute
to build the first time); the seed run uses the bundled corpus's ordinary index.
"""

from __future__ import annotations

import json

import pytest

from qa.bench.datasets import sample
from qa.bench.metrics import squad_scores
from qa.cli import main


def _run(argv) -> None:
    assert main(["bench", *map(str, argv), "--no-progress"]) == 0


def test_seed_set_report_has_the_promised_keys(benchmarks, tmp_path, capsys):
    out = tmp_path / "out.json"
    _run([benchmarks / "seed_dev.jsonl", "--report", out])
    report = json.loads(out.read_text())
    assert report["n"] == 28
    for key in ("em", "f1", "has_ans", "no_ans", "abstention", "recall", "mrr10", "latency_ms", "peers", "settings"):
        assert key in report, key
    assert "ndcg10" not in report
    assert report["has_ans"]["n"] == 25 and report["no_ans"]["n"] == 3
    assert set(report["recall"]) == {"1", "5", "20"}
    assert {"p50", "p95", "retrieve", "read"} <= set(report["latency_ms"])
    assert 0 <= report["recall"]["1"] <= report["recall"]["5"] <= report["recall"]["20"] <= 1
    settings = report["settings"]
    assert settings["backend"] == "local"
    assert {"mode", "split", "limit", "seed", "retriever", "reader", "file"} <= set(settings)
    assert report["peak_rss_mb"] > 0 and report["index"]["n_chunks"] > 0
    assert "Answers" in capsys.readouterr().out


def test_squad_reading_sample_is_scored_beside_peers_on_the_same_questions(
    benchmarks, squad_v1, reference_predictions, tmp_path
):
    squad_file = benchmarks / "squad" / "dev-v1.1.json"
    runs = []
    for name in ("a", "b"):
        report, preds = tmp_path / f"{name}.json", tmp_path / f"{name}-pred.json"
        _run([squad_file, "--mode", "reading", "--limit", 20, "--seed", 0,
              "--report", report, "--predictions", preds, *(["--plot", tmp_path / "a.png"] if name == "a" else [])])
        runs.append((json.loads(report.read_text()), json.loads(preds.read_text())))
    (report, preds), (_, preds_again) = runs

    expected = [q.id for q in sample(squad_v1.split_questions("heldout"), 20, seed=0)]
    assert list(preds) == list(preds_again) == expected  # the same sample, every run
    assert report["n"] == 20 and report["settings"]["split"] == "heldout"
    assert report["settings"]["squad_version"] == "v1.1"

    peers = {k: v for k, v in report["peers"].items() if k != "rank_bm25_speed"}
    assert set(peers) == set(reference_predictions["v1.1"])
    for name, peer in peers.items():
        official = squad_scores(
            squad_v1.data, reference_predictions["v1.1"][name], qid_subset=expected, missing="empty"
        )
        assert peer["n"] == official["total"] == 20
        assert (peer["em"], peer["f1"]) == (official["exact"], official["f1"])
    ours = squad_scores(squad_v1.data, preds, qid_subset=expected)
    assert (report["em"], report["f1"]) == pytest.approx((ours["exact"], ours["f1"]))
    # Reading mode: every question's own paragraph is all retrieval may return.
    assert report["recall"]["20"] == 1.0
    assert (tmp_path / "a.png").stat().st_size > 10_000


def test_beir_folder_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_INDEX_ROOT", str(tmp_path / "indexes"))
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    docs = {
        "d1": ("Alpha particles", "Alpha particles are helium nuclei emitted in radioactive decay."),
        "d2": ("Photosynthesis", "Plants turn light, water and carbon dioxide into sugar."),
        "d3": ("Volcanoes", "Magma rises through the crust and erupts as lava."),
    }
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": k, "title": t, "text": x}) + "\n" for k, (t, x) in docs.items())
    )
    (folder / "queries.jsonl").write_text(
        json.dumps({"_id": "q1", "text": "Alpha particles are helium nuclei."}) + "\n"
        + json.dumps({"_id": "q2", "text": "How do plants make sugar from light?"}) + "\n"
    )
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    out = tmp_path / "beir.json"
    _run([folder, "--report", out, "--plot", tmp_path / "beir.png"])
    report = json.loads(out.read_text())
    assert report["n"] == 2
    assert set(report["ndcg10"]) == {"bm25", "dense", "hybrid"}
    assert report["ndcg10"]["bm25"] == 1.0
    assert report["recall"]["100"]["hybrid"] == 1.0
    assert report["peers"]["Pyserini BM25 flat"]["ndcg10"] == 0.679
    assert "em" not in report and "reader" not in report["settings"]
