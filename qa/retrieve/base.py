"""The ``Retriever`` protocol: what ``QA`` asks of any backend that ranks passages.

``qa.retrieve.hybrid.HybridRetriever`` (the index files, in this process) and
``qa.backends.milvus.retriever.MilvusRetriever`` (a Milvus collection) implement it; ``QA`` is
handed one and never asks which.
"""

from __future__ import annotations

from typing import Protocol

from qa.types import Method, Passage

__all__ = ["Method", "Retriever"]


class Retriever(Protocol):
    def retrieve(self, question: str, k: int, method: Method | str = Method.HYBRID,
                 doc_ids: list[str] | None = None) -> list[Passage]:
        """The ``k`` best passages for ``question``, best first.

        Args:
            question: the question (already checked by the caller).
            k: passages to return, at least 1.
            method: bm25, dense, or their fusion.
            doc_ids: when given, only passages of these documents are ranked (none: an empty list).
        """
        ...
