"""Where does our BM25 nDCG@10 on a BEIR set differ from the published Pyserini figure, and why?

``qa bench`` ranks documents by their best *chunk*, scored with rank-bm25's BM25Okapi
(k1=1.5, b=0.75, epsilon-floored idf) over Snowball stems. Pyserini's "BM25 flat" scores whole
documents (title + text) with Lucene's BM25 (k1=0.9, b=0.4, idf = ln(1 + (N - df + 0.5)/(df + 0.5)))
over Porter stems. This script changes one of those at a time and prints nDCG@10 / Recall@100:

    .venv/bin/python scripts/bench_beir_bm25.py /work/shared/benchmarks/beir-scifact

The chunk rows read the cached ``qa bench`` index (run ``qa bench FOLDER`` first).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.bench.corpora import beir_documents, doc_id_to_name  # noqa: E402
from qa.bench.datasets import load_beir  # noqa: E402
from qa.bench.metrics import ndcg_at_k, recall_at_k_qrels  # noqa: E402
from qa.ingest.analyzer import STOP_WORDS, analyze  # noqa: E402

_WORD = re.compile(r"\w+")


def porter_analyze(text: str) -> list[str]:
    """Closer to Lucene's EnglishAnalyzer: possessive 's dropped, stop words, Porter (not Snowball)."""
    import Stemmer

    stemmer = porter_analyze.__dict__.setdefault("stemmer", Stemmer.Stemmer("porter"))
    text = re.sub(r"'s\b", "", text.lower())
    return stemmer.stemWords([w for w in _WORD.findall(text) if w not in STOP_WORDS])


class Bm25:
    """BM25 over tokenized texts, with rank-bm25's ("okapi") or Lucene's ("lucene") idf and scale."""

    def __init__(self, tokenized: list[list[str]], k1: float, b: float, flavour: str) -> None:
        self.n = len(tokenized)
        lengths = np.array([len(t) for t in tokenized], dtype=np.float64)
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        postings: dict[str, list[tuple[int, int]]] = {}
        for d, toks in enumerate(tokenized):
            for term, tf in Counter(toks).items():
                postings.setdefault(term, []).append((d, tf))
        idf = {}
        if flavour == "okapi":  # rank-bm25 0.2.2: negative idfs floored at epsilon * mean idf
            raw = {t: math.log(self.n - len(p) + 0.5) - math.log(len(p) + 0.5) for t, p in postings.items()}
            floor = 0.25 * sum(raw.values()) / len(raw)
            idf = {t: (v if v >= 0 else floor) for t, v in raw.items()}
            scale = k1 + 1
        else:
            idf = {t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
            scale = 1.0  # Lucene leaves out (k1 + 1): the same ranking
        self.weights = {}
        for term, plist in postings.items():
            d = np.array([x[0] for x in plist])
            tf = np.array([x[1] for x in plist], dtype=np.float64)
            self.weights[term] = (d, idf[term] * tf * scale / (tf + norm[d]))

    def scores(self, terms: list[str]) -> np.ndarray:
        out = np.zeros(self.n)
        for t in terms:
            if t in self.weights:
                d, w = self.weights[t]
                out[d] += w
        return out


def evaluate(ranked_per_query: dict[str, list[str]], qrels) -> tuple[float, float]:
    n = len(ranked_per_query)
    ndcg = sum(ndcg_at_k(r, qrels[q], 10) for q, r in ranked_per_query.items()) / n
    rec = sum(recall_at_k_qrels(r, qrels[q], 100) for q, r in ranked_per_query.items()) / n
    return ndcg, rec


def rank(model: Bm25, owners: list[str], queries: dict[str, str], analyzer) -> dict[str, list[str]]:
    """Document ids per query, best first; a document ranks by its best unit (doc or chunk)."""
    out = {}
    for qid, text in queries.items():
        s = model.scores(analyzer(text))
        order = np.argsort(-s, kind="stable")[:1000]
        out[qid] = list(dict.fromkeys(owners[i] for i in order if s[i] > 0))[:100]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    beir = load_beir(args.folder)
    queries = {q.id: q.question for q in beir.judged_queries()}
    ids = list(beir.corpus)
    # The same text qa bench indexes: title, blank line, text.
    texts = [f"{t}\n\n{x}" if t.strip() else x for t, x in beir.corpus.values()]

    rows = []
    for label, analyzer, flavour, k1, b in (
        ("whole docs, rank-bm25 Okapi k1=1.5 b=0.75, Snowball", analyze, "okapi", 1.5, 0.75),
        ("whole docs, Lucene BM25 k1=0.9 b=0.4, Snowball", analyze, "lucene", 0.9, 0.4),
        ("whole docs, Lucene BM25 k1=0.9 b=0.4, Porter (~Pyserini flat)", porter_analyze, "lucene", 0.9, 0.4),
    ):
        model = Bm25([analyzer(t) for t in texts], k1, b, flavour)
        rows.append((label, *evaluate(rank(model, ids, queries, analyzer), beir.qrels)))

    from qa.pipeline import QA

    bench = beir_documents(beir)
    qa = QA(corpus=bench.corpus, index_dir=bench.index_dir, progress=False)
    index = qa.ensure_index()
    chunk_texts = [index.chunk(i).text for i in range(len(index))]
    owners = [doc_id_to_name(index.chunk(i).doc_id) for i in range(len(index))]
    for label, flavour, k1, b in (
        ("best chunk, rank-bm25 Okapi k1=1.5 b=0.75, Snowball (= qa bench bm25)", "okapi", 1.5, 0.75),
        ("best chunk, Lucene BM25 k1=0.9 b=0.4, Snowball", "lucene", 0.9, 0.4),
    ):
        model = Bm25([analyze(t) for t in chunk_texts], k1, b, flavour)
        rows.append((label, *evaluate(rank(model, owners, queries, analyze), beir.qrels)))

    width = max(len(r[0]) for r in rows)
    print(f"{'variant':<{width}}  nDCG@10  R@100   ({len(queries)} queries, {len(ids)} docs, {len(index)} chunks)")
    for label, ndcg, rec in rows:
        print(f"{label:<{width}}  {ndcg:7.4f}  {rec:6.4f}")
    print(f"{'published: BEIR paper BM25':<{width}}  0.665")
    print(f"{'published: Pyserini BM25 flat':<{width}}  0.679   0.925")
    return 0


if __name__ == "__main__":
    sys.exit(main())
