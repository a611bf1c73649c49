"""BEIR retrieval evaluation: nDCG@10 and Recall@100 of each retrieval method, from the qrels.

BEIR judges documents, the pipeline ranks chunks: a document is ranked by its best chunk.
"""

from __future__ import annotations

import time
from typing import Sequence

from qa.bench.corpora import doc_id_to_name
from qa.bench.datasets import Question
from qa.bench.metrics import ndcg_at_k, recall_at_k_qrels
from qa.bench.runner import progress_bar, rank_documents
from qa.bench.summary import percentiles
from qa.types import METHODS

#: Published BM25 figures on SciFact (benchmarks README), shown beside ours.
PUBLISHED = {
    "BEIR paper BM25": {"ndcg10": 0.665},
    "Pyserini BM25 flat": {"ndcg10": 0.679, "recall100": 0.925},
}


def evaluate(
    qa,
    queries: Sequence[Question],
    qrels: dict[str, dict[str, int]],
    methods: Sequence[str] = METHODS,
    progress: bool | None = None,
) -> tuple[dict[str, dict], dict[str, list[float]]]:
    """Rank documents for every query with each method and score the rankings.

    Args:
        qa: a :class:`qa.pipeline.QA` over one file per BEIR document.
        queries: the judged queries to ask.
        qrels: query id -> {doc id: grade}.
        methods: retrieval methods to evaluate.
        progress: progress bars (None: only on a terminal).

    Returns:
        method -> ``{"ndcg10", "recall100", "latency_ms": {"p50", "p95"}, "qps"}``, and
        method -> per-query latencies in milliseconds (for the plot).
    """
    out: dict[str, dict] = {}
    latencies: dict[str, list[float]] = {}
    for method in methods:
        if queries:
            rank_documents(qa, queries[0].question, method)  # untimed warm-up (loads the encoder)
        ndcg, recall, latency = [], [], []
        for q in progress_bar(queries, method, progress):
            t0 = time.perf_counter()
            ranked = [doc_id_to_name(d) for d in rank_documents(qa, q.question, method, n_docs=100)]
            latency.append(1000 * (time.perf_counter() - t0))
            ndcg.append(ndcg_at_k(ranked, qrels[q.id], 10))
            recall.append(recall_at_k_qrels(ranked, qrels[q.id], 100))
        n = max(1, len(queries))
        out[method] = {
            "ndcg10": sum(ndcg) / n,
            "recall100": sum(recall) / n,
            "latency_ms": percentiles(latency),
            "qps": len(latency) / (sum(latency) / 1000) if latency else 0.0,
        }
        latencies[method] = latency
    return out, latencies
