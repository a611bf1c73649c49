"""The local retriever: BM25 and dense rankings of the index's chunks, fused into one list of Passages.

A ``qa.retrieve.base.Retriever``; ``qa.backends.milvus.retriever`` is the other one.
"""

from __future__ import annotations

import numpy as np

from qa.config import FUSION_DEPTH, PASSAGES
from qa.index.corpus_index import CorpusIndex
from qa.retrieve.fusion import FusionMode, fuse_rrf, fuse_weighted, ranks_of
from qa.types import Method, Passage


class HybridRetriever:
    """Ranks chunks of one index for a question.

    Args:
        index: the loaded corpus index.
        fusion: reciprocal rank fusion (default) or weighted min-max fusion.
        weights: list weights for weighted fusion.
        depth: how many passages each list contributes before fusion.
    """

    def __init__(
        self,
        index: CorpusIndex,
        fusion: FusionMode | str = FusionMode.RRF,
        weights: dict[str, float] | None = None,
        depth: int = FUSION_DEPTH,
    ) -> None:
        self.index = index
        self.fusion = FusionMode(fusion)
        self.weights = weights or {"bm25": 0.5, "dense": 0.5}
        self.depth = depth

    def retrieve(
        self,
        question: str,
        k: int = PASSAGES,
        method: Method | str = Method.HYBRID,
        doc_ids: list[str] | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages for ``question``, best first.

        Args:
            question: the question.
            k: passages to return.
            method: bm25, dense, or their fusion.
            doc_ids: when given, only passages of these documents are ranked.
        """
        from qa.embedding import query_encoder

        method = Method(method)
        depth = max(self.depth, k)
        allowed = None if doc_ids is None else self.index.chunks_of(doc_ids)
        ranked: dict[str, np.ndarray] = {}
        scores: dict[str, np.ndarray] = {}
        if method in (Method.BM25, Method.HYBRID):
            ranked["bm25"], scores["bm25"] = self.index.lexical.search(question, depth, allowed)
        if method in (Method.DENSE, Method.HYBRID):
            qvec = query_encoder().embed([question])[0]
            ranked["dense"], scores["dense"] = self.index.dense.search(qvec, depth, allowed)

        if method is not Method.HYBRID:
            name = method.value
            fused = dict(zip(ranked[name].tolist(), scores[name].tolist()))
        elif self.fusion is FusionMode.RRF:
            fused = fuse_rrf(ranked)
        else:
            fused = fuse_weighted(ranked, scores, self.weights)

        ranks = ranks_of(ranked)
        best = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [
            Passage(
                chunk=self.index.chunk(i),
                score=float(s),
                ranks={name: ranks.get(i, {}).get(name) for name in ranked},
            )
            for i, s in best
        ]
