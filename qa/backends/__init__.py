"""Where retrieval runs: the local index files (default) or a Milvus collection.

Either way the local build is made first (documents, sentences, entities, chunks, embeddings):
the reader needs the documents, sentences and entities to cite answers exactly, and they are
cheap to keep beside the corpus. With ``milvus``, the chunks and their embeddings are uploaded
to a collection and BM25, dense search and their fusion run in the engine.

A backend is an object with ``check()`` (called before any build, so an unreachable server is
reported before minutes of work) and ``retriever(index, index_dir, force)`` (a
``qa.retrieve.base.Retriever`` over that index); ``make_backend`` picks one by name. Importing this
package is cheap: the engines are imported when used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from qa.errors import BackendError, QAError

__all__ = ["BACKENDS", "DENSE_INDEX_TYPES", "LOCAL", "MILVUS", "Backend", "BackendError", "BackendSettings", "LocalBackend",
           "backend_options", "make_backend"]

if TYPE_CHECKING:
    from qa.index.corpus_index import CorpusIndex
    from qa.retrieve.base import Retriever

LOCAL = "local"
MILVUS = "milvus"
BACKENDS = (LOCAL, MILVUS)
#: ``auto``: HNSW, or FLAT (exact) where the server refuses HNSW (Milvus Lite).
DENSE_INDEX_TYPES = ("auto", "HNSW", "FLAT", "IVF_FLAT", "AUTOINDEX")


@dataclass(frozen=True)
class BackendSettings:
    """Which backend retrieves passages.

    Attributes:
        name: ``local`` or ``milvus``.
        uri: Milvus: a Milvus Lite file (``./qa.db``) or a server (``http://host:19530``).
        dense_index: Milvus dense index type (see ``DENSE_INDEX_TYPES``).

    Milvus credentials come from ``$QA_MILVUS_TOKEN`` (``qa.config``), never from arguments, so
    they stay out of command lines and process lists.
    """

    name: str = LOCAL
    uri: str | None = None
    dense_index: str = "auto"

    def __post_init__(self) -> None:
        if self.name not in BACKENDS:
            raise QAError(f"unknown backend '{self.name}' (choose from: {', '.join(BACKENDS)})")
        if self.name == MILVUS and not self.uri:
            raise QAError("--backend milvus needs --uri (a Milvus Lite file like ./qa.db, or http://host:19530)")
        if self.name == LOCAL and self.uri:
            raise QAError("--uri applies to --backend milvus")
        if self.dense_index not in DENSE_INDEX_TYPES:
            raise QAError(f"unknown dense index type '{self.dense_index}' (choose from: {', '.join(DENSE_INDEX_TYPES)})")


def backend_options(args) -> dict:
    """The ``QA`` keyword arguments that the ``--backend``, ``--uri``, ``--dense-index`` and ``--ray``
    options of a parsed command line give."""
    return {"backend": args.backend, "uri": args.uri, "dense_index": args.dense_index, "ray": args.ray}


class Backend(Protocol):
    #: The live Milvus collection once checked (None for the local backend).
    collection: str | None

    def check(self) -> None:
        """Fail now, in one line, when the backend cannot be used (before any index is built)."""
        ...

    def retriever(self, index: CorpusIndex, index_dir: Path, force: bool = False) -> Retriever:
        """A retriever over ``index`` (``force``: rebuild whatever the backend keeps of it)."""
        ...


class LocalBackend:
    """Retrieval from the index files, in this process."""

    collection = None

    def __init__(self, fusion: str = "rrf") -> None:
        self.fusion = fusion

    def check(self) -> None:
        return None

    def retriever(self, index: CorpusIndex, index_dir: Path, force: bool = False) -> Retriever:
        from qa.retrieve.hybrid import HybridRetriever

        return HybridRetriever(index, fusion=self.fusion)


def make_backend(settings: BackendSettings, fusion: str = "rrf") -> Backend:
    """The backend ``settings`` name, fusing hybrid lists with ``fusion``."""
    if settings.name == LOCAL:
        return LocalBackend(fusion)
    from qa.backends.milvus import MilvusBackend

    return MilvusBackend(settings, fusion)
