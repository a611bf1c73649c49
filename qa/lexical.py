"""BM25 over normalized tokens, scored from precomputed per-term weights.

rank-bm25's ``BM25Okapi`` is the reference: it is built once at index time and supplies the
parameters (k1, b, epsilon-floored idf). Its ``get_scores`` costs O(corpus) per query term, so the
query path instead keeps, for every term, the BM25 weight it contributes to each passage that holds
it (a term-major CSR matrix). A query then costs in proportion to its terms' postings, and gives
the same scores as ``BM25Okapi.get_scores`` (tests/test_lexical.py compares them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.text import analyze


@dataclass
class LexicalIndex:
    """Term-major CSR: postings of term ``t`` are ``docs[indptr[t]:indptr[t+1]]`` with ``weights``."""

    vocab: dict[str, int]
    indptr: np.ndarray    # int64, len(vocab) + 1
    docs: np.ndarray      # int32, passage index of each posting
    weights: np.ndarray   # float32, BM25 contribution of the term to that passage
    n_docs: int
    params: dict

    @classmethod
    def build(cls, tokenized: list[list[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> "LexicalIndex":
        """Precompute BM25Okapi's per-(term, passage) weights from tokenized passages."""
        from rank_bm25 import BM25Okapi

        n = len(tokenized)
        if not any(tokenized):
            # rank-bm25 divides by the average length, which is zero here; nothing can match anyway.
            return cls({}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), n,
                       {"k1": k1, "b": b, "epsilon": epsilon, "avgdl": 0.0})
        bm25 = BM25Okapi(tokenized, k1=k1, b=b, epsilon=epsilon)
        terms = sorted(bm25.idf)
        vocab = {t: i for i, t in enumerate(terms)}
        doc_len = np.asarray(bm25.doc_len, dtype=np.float64)
        norm = k1 * (1 - b + b * doc_len / bm25.avgdl)
        rows: list[list[tuple[int, float]]] = [[] for _ in terms]
        for d, freqs in enumerate(bm25.doc_freqs):
            for term, tf in freqs.items():
                rows[vocab[term]].append((d, tf))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r) for r in rows])
        docs = np.empty(indptr[-1], dtype=np.int32)
        weights = np.empty(indptr[-1], dtype=np.float32)
        for t, (term, row) in enumerate(zip(terms, rows)):
            d = np.fromiter((x[0] for x in row), dtype=np.int64, count=len(row))
            tf = np.fromiter((x[1] for x in row), dtype=np.float64, count=len(row))
            idf = bm25.idf[term] or 0.0
            docs[indptr[t] : indptr[t + 1]] = d
            weights[indptr[t] : indptr[t + 1]] = idf * tf * (k1 + 1) / (tf + norm[d])
        return cls(vocab, indptr, docs, weights, n,
                   {"k1": k1, "b": b, "epsilon": epsilon, "avgdl": bm25.avgdl})

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every passage (float64), as ``BM25Okapi.get_scores(query_terms)``.

        A repeated query term counts once per occurrence, as in rank-bm25.
        """
        out = np.zeros(self.n_docs, dtype=np.float64)
        for term in query_terms:
            t = self.vocab.get(term)
            if t is None:
                continue
            lo, hi = self.indptr[t], self.indptr[t + 1]
            # Postings of one term name each passage once, so fancy-index += is safe here.
            out[self.docs[lo:hi]] += self.weights[lo:hi]
        return out

    def search(self, question: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` passages for ``question``: (indices, scores), best first, zero scores dropped.

        ``allowed`` (sorted passage indices) restricts the ranking to those passages.
        """
        s = self.scores(analyze(question))
        if allowed is not None:
            idx, val = top_k(s[allowed], k, keep=lambda v: v > 0)
            return allowed[idx], val
        return top_k(s, k, keep=lambda v: v > 0)

    def save(self, folder: Path) -> None:
        (folder / "bm25_vocab.json").write_text(json.dumps(list(self.vocab)), encoding="utf-8")
        np.save(folder / "bm25_indptr.npy", self.indptr)
        np.save(folder / "bm25_docs.npy", self.docs)
        np.save(folder / "bm25_weights.npy", self.weights)
        (folder / "bm25_params.json").write_text(json.dumps({**self.params, "n_docs": self.n_docs}))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        terms = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        params = json.loads((folder / "bm25_params.json").read_text())
        n_docs = params.pop("n_docs")
        idx = cls(
            vocab={t: i for i, t in enumerate(terms)},
            indptr=np.load(folder / "bm25_indptr.npy", allow_pickle=False),
            docs=np.load(folder / "bm25_docs.npy", allow_pickle=False, mmap_mode="r"),
            weights=np.load(folder / "bm25_weights.npy", allow_pickle=False, mmap_mode="r"),
            n_docs=n_docs,
            params=params,
        )
        idx.check()
        return idx

    def check(self) -> None:
        """Raise ValueError when the arrays do not fit together (a damaged or truncated index)."""
        if len(self.indptr) != len(self.vocab) + 1 or self.indptr[0] != 0:
            raise ValueError("bm25 postings pointer does not match the vocabulary")
        if len(self.docs) != self.indptr[-1] or len(self.weights) != len(self.docs):
            raise ValueError("bm25 postings are truncated")
        if len(self.docs) and (int(self.docs.max()) >= self.n_docs or int(self.docs.min()) < 0):
            raise ValueError("bm25 postings name passages that do not exist")


def top_k(scores: np.ndarray, k: int, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest scores, best first (ties by lower index)."""
    if keep is not None:
        candidates = np.flatnonzero(keep(scores))
    else:
        candidates = np.arange(len(scores))
    if len(candidates) > k:
        part = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[part]
    order = np.lexsort((candidates, -scores[candidates]))
    chosen = candidates[order]
    return chosen, scores[chosen]
