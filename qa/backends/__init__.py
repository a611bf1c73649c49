"""Where retrieval runs: the local index files (default) or a Milvus collection.

Either way the local build is made first (documents, sentences, entities, chunks, embeddings):
the reader needs the documents, sentences and entities to cite answers exactly, and they are
cheap to keep beside the corpus. With ``milvus``, the chunks and their embeddings are uploaded
to a collection and BM25, dense search and their fusion run in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.errors import QAError

LOCAL = "local"
MILVUS = "milvus"
BACKENDS = (LOCAL, MILVUS)
#: ``auto``: HNSW, or FLAT (exact) where the server refuses HNSW (Milvus Lite).
DENSE_INDEX_TYPES = ("auto", "HNSW", "FLAT", "IVF_FLAT", "AUTOINDEX")


class BackendError(QAError):
    """The retrieval backend cannot be used: unreachable, not installed, or refused a request."""


@dataclass(frozen=True)
class BackendSettings:
    """Which backend retrieves passages.

    Attributes:
        name: ``local`` or ``milvus``.
        uri: Milvus: a Milvus Lite file (``./qa.db``) or a server (``http://host:19530``).
        dense_index: Milvus dense index type (see ``DENSE_INDEX_TYPES``).
        token: Milvus credentials (``user:password`` or an API key), when the server wants them.
    """

    name: str = LOCAL
    uri: str | None = None
    dense_index: str = "auto"
    token: str = ""

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
