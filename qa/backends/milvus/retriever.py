"""Retrieval in Milvus: its BM25 over the analyzed text, its dense search, and its RRF (k = 60).

A ``qa.retrieve.base.Retriever``, like the local ``HybridRetriever``, with the same results: ``Passage`` objects whose chunk
carries the document id and exact offsets, so the reader and citations work unchanged. The
question is embedded here (the same ONNX encoder as the local path) and sent as a vector; the
text goes as it is, and Milvus's BM25 function analyzes it like the indexed chunks.
"""

from __future__ import annotations

import json

from qa.backends.milvus.connection import milvus_errors
from qa.config import FUSION_DEPTH, HNSW_EF_SEARCH, PASSAGES
from qa.errors import IndexDamagedError
from qa.retrieve.fusion import RRF_K
from qa.types import Chunk, Method, Passage

FIELDS = ["doc_id", "start", "end", "text"]
#: Milvus refuses a search for more than 16,384 results.
MAX_LIMIT = 16_384


class MilvusRetriever:
    """Ranks the chunks of one collection for a question.

    Args:
        client: a connected ``MilvusClient``.
        uri: where it is connected (for messages).
        collection: the live collection of this index.
        documents: the documents the collection was built from (anything with
            ``document(doc_id)``, e.g. the local index); every passage is checked against them, so a
            citation is exact even if the collection were tampered with.
        depth: how many passages each list contributes to the fusion (as the local retriever).
        dense_index: the collection's dense index type (HNSW takes a search-time ``ef``).
    """

    def __init__(self, client, uri: str, collection: str, documents, depth: int = FUSION_DEPTH,
                 dense_index: str = "FLAT") -> None:
        self.client = client
        self.uri = uri
        self.collection = collection
        self.documents = documents
        self.depth = depth
        self.dense_index = dense_index

    def retrieve(
        self,
        question: str,
        k: int = PASSAGES,
        method: Method | str = Method.HYBRID,
        doc_ids: list[str] | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages for ``question``, best first (see ``HybridRetriever.retrieve``)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        from qa.embedding import query_encoder

        method = Method(method)
        k = min(k, MAX_LIMIT)
        depth = min(max(self.depth, k), MAX_LIMIT)
        expr = ""
        if doc_ids is not None:
            if not doc_ids:
                return []
            expr = f"doc_id in [{', '.join(json.dumps(d) for d in doc_ids)}]"
        bm25 = {"data": [question], "anns_field": "sparse", "param": {"metric_type": "BM25"}}
        dense = {}
        if method in (Method.DENSE, Method.HYBRID):
            vector = query_encoder().embed([question])[0].tolist()
            dense = {"data": [vector], "anns_field": "dense", "param": self._dense_params(depth)}
        with milvus_errors(self.uri):
            if method is Method.HYBRID:
                requests = [AnnSearchRequest(**r, limit=depth, expr=expr or None) for r in (bm25, dense)]
                hits = self.client.hybrid_search(self.collection, requests, RRFRanker(RRF_K), limit=k,
                                                 output_fields=FIELDS)[0]
            else:
                r = bm25 if method is Method.BM25 else dense
                hits = self.client.search(self.collection, data=r["data"], anns_field=r["anns_field"],
                                          search_params=r["param"], limit=k, filter=expr,
                                          output_fields=FIELDS)[0]
        passages = []
        for rank, hit in enumerate(hits, start=1):
            # The engine fuses inside hybrid_search and reports only the fused score, not the
            # ranks in each list; single-method passages carry their rank.
            ranks = {} if method is Method.HYBRID else {method.value: rank}
            passages.append(Passage(chunk=self._chunk(hit), score=float(hit["distance"]), ranks=ranks))
        return passages

    def _dense_params(self, depth: int) -> dict:
        params = {"metric_type": "COSINE"}
        if self.dense_index == "HNSW":
            params["params"] = {"ef": max(depth, HNSW_EF_SEARCH)}
        return params

    def _chunk(self, hit) -> Chunk:
        row = hit["entity"]
        doc_id, start, end, text = row["doc_id"], int(row["start"]), int(row["end"]), row["text"]
        try:
            exact = self.documents.document(doc_id).text[start:end] == text
        except KeyError:
            exact = False
        if not exact:
            raise IndexDamagedError(
                f"Milvus collection {self.collection} at {self.uri} disagrees with the local index on passage "
                f"{hit['id']}; rebuild it with: qa index --force --backend milvus --uri {self.uri}"
            )
        return Chunk(int(hit["id"]), doc_id, start, end, text)
