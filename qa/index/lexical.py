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

from qa.ingest.analyzer import analyze


def rank_bm25_defaults() -> dict[str, float]:
    """k1, b and epsilon as rank-bm25's BM25Okapi defines them (it is the reference)."""
    import inspect

    from rank_bm25 import BM25Okapi

    sig = inspect.signature(BM25Okapi.__init__).parameters
    return {name: float(sig[name].default) for name in ("k1", "b", "epsilon")}


#: Postings turned into weights at a time while finishing: bounds the temporaries (about 50 bytes
#: a posting) whatever the corpus size.
FINISH_BLOCK_POSTINGS = 4_000_000


class LexicalBuilder:
    """Streams tokenized passages into BM25 weights with memory for the postings only.

    Gives the same weights as ``rank_bm25.BM25Okapi`` (idf ``log(N - df + .5) - log(df + .5)``,
    negative idf floored to ``epsilon`` x the mean idf), without keeping a dict per passage.
    While adding, a posting costs 8 bytes (term id and term frequency, in passage order; a
    passage's postings are found from its count of distinct terms). ``finish`` writes the
    term-major arrays (8 bytes a posting) block by block, so peak memory is about 16 bytes a
    posting plus one block of temporaries.
    """

    def __init__(self, k1: float | None = None, b: float | None = None, epsilon: float | None = None) -> None:
        from array import array

        defaults = rank_bm25_defaults()
        self.k1 = defaults["k1"] if k1 is None else k1
        self.b = defaults["b"] if b is None else b
        self.epsilon = defaults["epsilon"] if epsilon is None else epsilon
        self.vocab: dict[str, int] = {}
        self._terms, self._tfs = array("i"), array("i")
        self._lengths, self._distinct = array("q"), array("q")

    def add(self, terms: list[str]) -> None:
        from collections import Counter

        counts = Counter(terms)
        self._lengths.append(len(terms))
        self._distinct.append(len(counts))
        for term, tf in counts.items():
            self._terms.append(self.vocab.setdefault(term, len(self.vocab)))
            self._tfs.append(tf)

    def finish(self, block_postings: int = FINISH_BLOCK_POSTINGS) -> "LexicalIndex":
        n = len(self._lengths)
        params = {"k1": self.k1, "b": self.b, "epsilon": self.epsilon}
        if not self.vocab:
            # Nothing to match (and rank-bm25 would divide by a zero average length).
            return LexicalIndex({}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), n,
                                {**params, "avgdl": 0.0})
        n_terms = len(self.vocab)
        lengths = np.frombuffer(self._lengths, dtype=np.int64).astype(np.float64)
        distinct = np.frombuffer(self._distinct, dtype=np.int64)
        terms = np.frombuffer(self._terms, dtype=np.int32)
        tfs = np.frombuffer(self._tfs, dtype=np.int32)
        df = np.bincount(terms, minlength=n_terms)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        idf = np.log(n - df + 0.5) - np.log(df + 0.5)
        idf[idf < 0] = self.epsilon * idf.mean()
        avgdl = lengths.sum() / n

        docs_out = np.empty(len(terms), dtype=np.int32)
        weights_out = np.empty(len(terms), dtype=np.float32)
        next_slot = indptr[:-1].copy()  # where each term's next posting goes
        first_posting = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(distinct, out=first_posting[1:])
        d0 = 0
        while d0 < n:
            # Whole passages per block; passages come in increasing order, so each term's postings do too.
            d1 = int(np.searchsorted(first_posting, first_posting[d0] + block_postings, side="right")) - 1
            d1 = min(max(d1, d0 + 1), n)
            p0, p1 = int(first_posting[d0]), int(first_posting[d1])
            t = terms[p0:p1]
            d = np.repeat(np.arange(d0, d1, dtype=np.int32), distinct[d0:d1])
            tf = tfs[p0:p1].astype(np.float64)
            norm = self.k1 * (1 - self.b + self.b * lengths[d] / avgdl)
            w = idf[t] * tf * (self.k1 + 1) / (tf + norm)
            order = np.argsort(t, kind="stable")
            t_sorted = t[order]
            # Rank of each posting among this block's postings of the same term.
            run_start = np.flatnonzero(np.r_[True, t_sorted[1:] != t_sorted[:-1]])
            rank = np.arange(len(t_sorted)) - np.repeat(run_start, np.diff(np.r_[run_start, len(t_sorted)]))
            slots = next_slot[t_sorted] + rank
            docs_out[slots] = d[order]
            weights_out[slots] = w[order]
            next_slot += np.bincount(t, minlength=n_terms)
            d0 = d1
        return LexicalIndex(self.vocab, indptr, docs_out, weights_out, n, {**params, "avgdl": float(avgdl)})


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
    def build(cls, tokenized: list[list[str]], **params) -> "LexicalIndex":
        """Precompute BM25Okapi's per-(term, passage) weights from tokenized passages."""
        builder = LexicalBuilder(**params)
        for terms in tokenized:
            builder.add(terms)
        return builder.finish()

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

    def document_frequency(self, term: str) -> int:
        """How many passages hold the analyzed ``term`` (0 for a term never seen)."""
        t = self.vocab.get(term)
        return 0 if t is None else int(self.indptr[t + 1] - self.indptr[t])

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
