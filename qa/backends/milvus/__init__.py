"""The Milvus backend: one collection per corpus index, kept in step with it, and its retriever."""

from __future__ import annotations

from pathlib import Path

from qa.config import milvus_token
from qa.errors import QAError


class MilvusBackend:
    """Retrieval in a Milvus collection filled from the local index (see ``qa.backends``)."""

    def __init__(self, settings, fusion: str = "rrf") -> None:
        """``settings``: a ``qa.backends.BackendSettings`` naming the Milvus (``uri``, ``dense_index``)."""
        self.settings = settings
        self.fusion = fusion
        self.collection: str | None = None  # the live collection, once checked
        self._client = None  # pymilvus.MilvusClient

    def check(self) -> None:
        self._connect()

    def _connect(self):
        if self._client is None:
            from qa.backends.milvus.connection import connect

            if self.fusion != "rrf":
                raise QAError("the Milvus backend fuses with RRF in the engine; weighted fusion is local only")
            self._client = connect(self.settings.uri, milvus_token())
        return self._client

    def retriever(self, index, index_dir: Path, force: bool = False):
        """Check (and build when stale) ``index``'s collection; a ``MilvusRetriever`` over it."""
        from qa.backends.milvus.collection import MilvusCollections, collection_base
        from qa.backends.milvus.retriever import MilvusRetriever

        client = self._connect()
        collections = MilvusCollections(client, self.settings.uri, collection_base(index_dir),
                                        self.settings.dense_index)
        self.collection = collections.ensure(index, force=force)
        dense = collections.dense_index_type(self.collection)
        return MilvusRetriever(client, self.settings.uri, self.collection, index, dense_index=dense)
