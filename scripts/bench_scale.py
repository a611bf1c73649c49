#!/usr/bin/env python
"""Speed at every size: lexical and dense retrieval from 10k to 1M passages, and `qa ask` start-up.

    .venv/bin/python scripts/bench_scale.py                       # 10k, 100k, 1M
    .venv/bin/python scripts/bench_scale.py --sizes 10000 100000 --json scale.json --plot scale.png

Passages: the real SQuAD v1.1 dev paragraphs and SciFact documents first, then synthetic ones whose
words are drawn from the unigram distribution of that real text (so postings lists have realistic
lengths). Questions: real SciFact queries and SQuAD questions. Dense timings use random unit
vectors (384 dims), as the embedder's output distribution does not change search cost.

Each engine's build is timed once; each query latency is a median over the questions.
Peak memory is the growth of this process's resident set while a build runs (sampled).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH = REPO.parent / "shared" / "benchmarks"

from qa.ingest.analyzer import analyze  # noqa: E402


class PeakRSS:
    """Samples this process's resident set while a block runs; ``.mb`` is the growth at peak."""

    def __enter__(self):
        self.base = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.mb = (self.peak - self.base) / 2**20


def real_texts() -> list[str]:
    squad = json.loads((BENCH / "squad" / "dev-v1.1.json").read_text())["data"]
    texts = [p["context"] for a in squad for p in a["paragraphs"]]
    with open(BENCH / "beir-scifact" / "corpus.jsonl") as f:
        texts += [(d["title"] + " " + d["text"]) for d in map(json.loads, f)]
    return texts


def questions(n: int) -> list[str]:
    with open(BENCH / "beir-scifact" / "queries.jsonl") as f:
        qs = [json.loads(line)["text"] for line in f]
    squad = json.loads((BENCH / "squad" / "dev-v1.1.json").read_text())["data"]
    qs += [q["question"] for a in squad[::4] for p in a["paragraphs"][:2] for q in p["qas"][:1]]
    rng = np.random.default_rng(1)
    return [qs[i] for i in rng.choice(len(qs), size=min(n, len(qs)), replace=False)]


def tokenized_corpus(size: int, seed: int = 0) -> list[list[str]]:
    """``size`` analyzed passages: real ones first, then synthetic from the real unigram counts."""
    real = [analyze(t) for t in real_texts()]
    if size <= len(real):
        return real[:size]
    vocab, counts = np.unique(np.concatenate([np.array(t, dtype=object) for t in real]), return_counts=True)
    p = counts / counts.sum()
    lengths = [len(t) for t in real]
    rng = np.random.default_rng(seed)
    out = list(real)
    need = size - len(real)
    draw_len = rng.choice(lengths, size=need)
    flat = rng.choice(len(vocab), size=int(draw_len.sum()), p=p)
    pos = 0
    for n in draw_len:
        out.append(vocab[flat[pos : pos + n]].tolist())
        pos += n
    return out


def median_ms(fn, items) -> float:
    times = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def bench_lexical(size: int, qs: list[str], plain_limit: int) -> dict:
    from qa.index.lexical import LexicalBuilder

    corpus = tokenized_corpus(size)
    q_terms = [analyze(q) for q in qs]
    row: dict = {"passages": size}

    with PeakRSS() as mem:
        t = time.perf_counter()
        builder = LexicalBuilder()
        for terms in corpus:
            builder.add(terms)
        ours = builder.finish()
        row["ours_build_s"] = time.perf_counter() - t
    row["ours_build_mb"] = mem.mb

    def ours_query(terms):
        from qa.index.lexical import top_k

        top_k(ours.scores(terms), 10, keep=lambda v: v > 0)

    row["ours_query_ms"] = median_ms(ours_query, q_terms)

    if size <= plain_limit:
        from rank_bm25 import BM25Okapi

        with PeakRSS() as mem:
            t = time.perf_counter()
            plain = BM25Okapi(corpus)
            row["rank_bm25_build_s"] = time.perf_counter() - t
        row["rank_bm25_build_mb"] = mem.mb
        # rank-bm25 costs O(corpus) per query term: a few questions give a stable median.
        sample = q_terms[: max(5, len(q_terms) // 5)] if size > 20_000 else q_terms
        row["rank_bm25_query_ms"] = median_ms(lambda terms: np.argsort(plain.get_scores(terms))[-10:], sample)
        row["speedup_vs_rank_bm25"] = row["rank_bm25_query_ms"] / row["ours_query_ms"]
        # Same scores, not just the same speed class.
        for terms in sample[:3]:
            np.testing.assert_allclose(ours.scores(terms), plain.get_scores(terms), rtol=1e-6, atol=1e-6)
        del plain

    try:
        import bm25s
    except ImportError:
        row["bm25s"] = "not installed"
    else:
        with PeakRSS() as mem:
            t = time.perf_counter()
            retriever = bm25s.BM25(k1=1.5, b=0.75, method="atire")  # rank-bm25's BM25Okapi is ATIRE-style
            retriever.index(corpus, show_progress=False)
            row["bm25s_build_s"] = time.perf_counter() - t
        row["bm25s_build_mb"] = mem.mb
        row["bm25s_query_ms"] = median_ms(
            lambda terms: retriever.retrieve([terms or ["a"]], k=10, show_progress=False, n_threads=1), q_terms
        )
    return row


def bench_dense(size: int, n_queries: int, ann_from: int) -> dict:
    from qa.index.dense import HNSW, build_hnsw, exact_search

    rng = np.random.default_rng(0)
    emb = np.empty((size, 384), dtype=np.float32)
    for lo in range(0, size, 100_000):
        block = rng.standard_normal((min(100_000, size - lo), 384), dtype=np.float32)
        emb[lo : lo + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    qv = rng.standard_normal((n_queries, 384), dtype=np.float32)
    qv /= np.linalg.norm(qv, axis=1, keepdims=True)
    row = {"passages": size, "exact_query_ms": median_ms(lambda q: exact_search(emb, q, 10), qv)}
    if size >= ann_from:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp, PeakRSS() as mem:
            t = time.perf_counter()
            ann = build_hnsw(emb, Path(tmp) / "hnsw.faiss")
            row["hnsw_build_s"] = time.perf_counter() - t
        row["hnsw_build_mb"] = mem.mb
        ann.hnsw.efSearch = HNSW["ef_search"]
        row["hnsw_query_ms"] = median_ms(lambda q: ann.search(q[None, :], 10), qv)
        hits = 0
        for q in qv:
            exact, _ = exact_search(emb, q, 10)
            hits += len(set(ann.search(q[None, :], 10)[1][0].tolist()) & set(exact.tolist()))
        row["hnsw_recall_at_10"] = hits / (10 * len(qv))
        row["hnsw_settings"] = dict(HNSW)
    return row


def bench_dense_real(qs: list[str]) -> dict | None:
    """HNSW recall@10 on real passage embeddings (every index under indexes/) with real questions."""
    from qa.index.dense import HNSW, build_hnsw, exact_search
    from qa.embedding import query_encoder

    parts, seen = [], set()
    for path in sorted((REPO / "indexes").rglob("embeddings.npy")):
        emb = np.load(path, allow_pickle=False)
        key = (emb.shape, float(emb[:5].sum()))
        if key not in seen:
            seen.add(key)
            parts.append(emb)
    if not parts:
        return None
    emb = np.concatenate(parts)
    qv = query_encoder().embed(qs)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        ann = build_hnsw(emb, Path(tmp) / "hnsw.faiss")
    ann.hnsw.efSearch = HNSW["ef_search"]
    hits = sum(
        len(set(ann.search(q[None, :], 10)[1][0].tolist()) & set(exact_search(emb, q, 10)[0].tolist())) for q in qv
    )
    return {"passages": len(emb), "questions": len(qv), "hnsw_recall_at_10": hits / (10 * len(qv))}


def bench_start_up(runs: int) -> dict:
    """Cold one-shot `qa ask` (process start to printed answer) and warm retrieval, bundled corpus."""
    qa_bin = REPO / ".venv" / "bin" / "qa"
    question = "When did Trotsky settle in Mexico City?"
    subprocess.run([str(qa_bin), "index"], check=True, capture_output=True)  # make sure it exists
    cold = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([str(qa_bin), "ask", question], check=True, capture_output=True)
        cold.append(time.perf_counter() - t)
    from qa.pipeline import QA

    qa = QA(progress=False)
    qa.ensure_index()
    qs = [json.loads(line)["question"] for line in open(BENCH / "seed_dev.jsonl")]
    qa.retrieve(qs[0])
    warm_retrieve = statistics.median(
        [median_ms(lambda q: qa.retrieve(q, k=5), qs) for _ in range(3)]
    )
    warm_ask = statistics.median([median_ms(lambda q: qa.ask(q), qs) for _ in range(3)])
    return {"cold_ask_s_median": statistics.median(cold), "cold_ask_s_all": cold,
            "warm_retrieve_ms_median": warm_retrieve, "warm_ask_ms_median": warm_ask}


def print_tables(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    # Wide enough for the tables when the output goes to a file or a pipe.
    console = Console(width=None if sys.stdout.isatty() else 160)
    lex = Table(title="Lexical (BM25): median query latency, build time, build memory growth")
    for col in ("passages", "ours ms", "rank-bm25 ms", "speed-up", "bm25s ms", "ours build s", "rank-bm25 build s",
                "bm25s build s", "ours MB", "rank-bm25 MB", "bm25s MB"):
        lex.add_column(col, justify="right")
    fmt = lambda v, f="{:.2f}": "—" if v is None else (f.format(v) if isinstance(v, (int, float)) else str(v))  # noqa: E731
    for r in result["lexical"]:
        lex.add_row(f"{r['passages']:,}", fmt(r.get("ours_query_ms")), fmt(r.get("rank_bm25_query_ms")),
                    fmt(r.get("speedup_vs_rank_bm25"), "{:.0f}x"), fmt(r.get("bm25s_query_ms")),
                    fmt(r.get("ours_build_s")), fmt(r.get("rank_bm25_build_s")), fmt(r.get("bm25s_build_s")),
                    fmt(r.get("ours_build_mb"), "{:.0f}"), fmt(r.get("rank_bm25_build_mb"), "{:.0f}"),
                    fmt(r.get("bm25s_build_mb"), "{:.0f}"))
    console.print(lex)
    dense = Table(title="Dense (384-d): median query latency")
    for col in ("passages", "exact ms", "HNSW ms", "HNSW recall@10", "HNSW build s", "HNSW build MB"):
        dense.add_column(col, justify="right")
    for r in result["dense"]:
        dense.add_row(f"{r['passages']:,}", fmt(r["exact_query_ms"]), fmt(r.get("hnsw_query_ms")),
                      fmt(r.get("hnsw_recall_at_10"), "{:.3f}"), fmt(r.get("hnsw_build_s")),
                      fmt(r.get("hnsw_build_mb"), "{:.0f}"))
    console.print(dense)
    if result.get("dense_real"):
        r = result["dense_real"]
        console.print(f"HNSW recall@10 on real MiniLM passage embeddings: {r['hnsw_recall_at_10']:.3f} "
                      f"({r['passages']:,} passages from the indexes under indexes/, {r['questions']} real questions)")
    if "start_up" in result:
        s = result["start_up"]
        console.print(f"cold `qa ask` median {s['cold_ask_s_median']:.2f} s over {len(s['cold_ask_s_all'])} runs; "
                      f"warm retrieval median {s['warm_retrieve_ms_median']:.1f} ms, "
                      f"warm ask median {s['warm_ask_ms_median']:.1f} ms (bundled corpus)")


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = [("lexical", "ours_query_ms", "BM25 ours"), ("lexical", "rank_bm25_query_ms", "rank-bm25 plain"),
              ("lexical", "bm25s_query_ms", "bm25s"), ("dense", "exact_query_ms", "dense exact"),
              ("dense", "hnsw_query_ms", "dense HNSW")]
    for part, key, label in series:
        pts = [(r["passages"], r[key]) for r in result[part] if isinstance(r.get(key), (int, float))]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("median query latency (ms)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rank-bm25-up-to", type=int, default=100_000,
                        help="largest size at which plain rank-bm25 runs (it needs minutes per query at 1M)")
    parser.add_argument("--ann-from", type=int, default=100_000, help="smallest size at which HNSW is built")
    parser.add_argument("--start-up-runs", type=int, default=7)
    parser.add_argument("--skip-start-up", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()

    qs = questions(args.queries)
    result = {"settings": vars(args) | {"json": str(args.json), "plot": str(args.plot)}, "lexical": [], "dense": []}
    for size in args.sizes:
        print(f"lexical {size:,} passages...", file=sys.stderr, flush=True)
        result["lexical"].append(bench_lexical(size, qs, args.rank_bm25_up_to))
        print(f"dense {size:,} passages...", file=sys.stderr, flush=True)
        result["dense"].append(bench_dense(size, min(args.queries, 30), args.ann_from))
    result["dense_real"] = bench_dense_real(qs)
    if not args.skip_start_up:
        result["start_up"] = bench_start_up(args.start_up_runs)
    print_tables(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if args.plot:
        plot(result, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
