"""One Milvus collection per corpus index: its schema, its staleness, and atomic rebuilds.

A collection holds a row per chunk of the local index (the chunk's number is the primary key):
document id, start, end, the text (English analyzer), a sparse field that Milvus's BM25 function
fills from the text, and the 384-d MiniLM embedding (cosine). The settings it was built with,
including the local manifest's corpus fingerprint, are written as JSON in its description, so a
collection that no longer fits its corpus or settings is detected like a stale local index.

Rebuilds are atomic: a new collection ``<base>_b<time>_<id>`` is filled and loaded, then the
one-row pointer collection ``<base>_live`` is switched to it (an upsert), and only then is the
old one dropped. A build killed half-way leaves the pointer on the old collection, which goes on
answering. Where the server implements aliases (Milvus >= 2.5 clusters; Milvus Lite 2.5 does
not), the alias ``<base>`` is switched too, for other clients; the pointer is what ``qa`` reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Iterator, Protocol

from qa.backends.milvus.connection import milvus_errors
from qa.config import HNSW_EF_CONSTRUCTION, HNSW_M
from qa.embedding import DIM

log = logging.getLogger("qa")

SCHEMA_VERSION = 1
ANALYZER = {"type": "english"}
#: Rows per insert request: 1,000 x (384 floats + text) is ~2 MB, far below gRPC's 64 MB.
INSERT_BATCH = 1000
# The same graph settings as the local index (qa.config).
HNSW_PARAMS = {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}
MAX_TEXT = 65_535
POINTER_KEY = "live"


class ExportableIndex(Protocol):
    """What a collection is filled from: an index's description and its passages, row by row.

    ``qa.index.store.CorpusIndex`` is one; nothing else of the local index is read here.
    """

    def __len__(self) -> int: ...

    def describe(self) -> dict:
        """``fingerprint``, ``format_version``, ``chunking``, ``embedding_model``, ``n_chunks``, ``bm25``."""
        ...

    def export_passages(self, batch: int) -> Iterator[list]:
        """Lists of rows with ``id, doc_id, start, end, text, vector``, in passage order."""
        ...


def collection_base(index_dir: Path) -> str:
    """A collection name per index folder: readable, unique per absolute path, Milvus-legal."""
    index_dir = Path(index_dir).resolve()
    digest = hashlib.sha256(str(index_dir).encode("utf-8")).hexdigest()[:10]
    readable = re.sub(r"[^A-Za-z0-9_]", "_", index_dir.name)[:60]
    return f"qa_{readable}_{digest}"


def expected_metadata(index: ExportableIndex, dense_index: str) -> dict:
    """What a collection must have been built with to serve ``index`` as it is."""
    d = index.describe()
    return {
        "schema": SCHEMA_VERSION,
        "fingerprint": d["fingerprint"],
        "format_version": d["format_version"],
        "chunking": d["chunking"],
        "embedding_model": d["embedding_model"],
        "n_chunks": d["n_chunks"],
        "analyzer": ANALYZER["type"],
        "bm25": d["bm25"],
        "dense_index": dense_index,
        "metric": "COSINE",
        "dim": DIM,
    }


class MilvusCollections:
    """The collections of one corpus index on one Milvus.

    Args:
        client: a connected ``MilvusClient``.
        uri: the URI it is connected to (for messages).
        base: the name prefix of this index's collections (see :func:`collection_base`).
        dense_index: requested dense index type; ``auto`` is HNSW, or FLAT where refused.
    """

    def __init__(self, client, uri: str, base: str, dense_index: str = "auto") -> None:
        self.client = client
        self.uri = uri
        self.base = base
        self.dense_index = dense_index
        self.pointer = f"{base}_live"

    # -- reading ---------------------------------------------------------------------------------
    def live(self) -> str | None:
        """The collection the pointer names, or None when there is none (or it is gone)."""
        with milvus_errors(self.uri):
            if not self.client.has_collection(self.pointer):
                return None
            rows = self.client.query(self.pointer, filter=f'key == "{POINTER_KEY}"', output_fields=["target"],
                                     consistency_level="Strong")
            if not rows:
                return None
            name = rows[0]["target"]
            return name if self.client.has_collection(name) else None

    def metadata(self, name: str) -> dict:
        """The settings a collection was built with (empty when its description is not ours)."""
        with milvus_errors(self.uri):
            description = self.client.describe_collection(name).get("description", "")
        try:
            meta = json.loads(description)
        except ValueError:
            return {}
        return meta if isinstance(meta, dict) else {}

    def dense_index_type(self, name: str) -> str:
        """The index type the dense field of collection ``name`` was built with (HNSW, FLAT, ...)."""
        with milvus_errors(self.uri):
            return str(self.client.describe_index(name, "dense").get("index_type", "FLAT"))

    def staleness(self, name: str | None, index: ExportableIndex) -> str | None:
        """Why collection ``name`` cannot serve ``index`` (None when it can)."""
        if name is None:
            return "no collection yet"
        meta = self.metadata(name)
        for key, value in expected_metadata(index, self.dense_index).items():
            if meta.get(key) != value:
                shown = "the corpus changed" if key == "fingerprint" else f"{key} changed ({meta.get(key)!r} -> {value!r})"
                return shown
        with milvus_errors(self.uri):
            rows = self.client.get_collection_stats(name).get("row_count")
        wanted = index.describe()["n_chunks"]
        if rows is not None and int(rows) != wanted:
            return f"it holds {rows} of {wanted} passages"
        return None

    # -- building --------------------------------------------------------------------------------
    def ensure(self, index: ExportableIndex, force: bool = False, progress=None) -> str:
        """The live collection for ``index``, built first when missing, stale or ``force``d."""
        name = self.live()
        reason = "rebuild requested" if force else self.staleness(name, index)
        if reason is None:
            return name
        log.warning("building Milvus collection for %s at %s (%s)", self.base, self.uri, reason)
        return self.build(index, progress)

    def build(self, index: ExportableIndex, progress=None) -> str:
        """Upload ``index``'s chunks into a new collection, switch the pointer to it, drop the old one."""
        name = f"{self.base}_b{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
        with milvus_errors(self.uri):
            actual = self._create(name, index)
            self._insert(name, index, progress)
            self.client.flush(name)
            self.client.load_collection(name)
            self._switch(name)
        log.info("Milvus collection %s: %d passages, dense index %s", name, len(index), actual)
        self._drop_all_but(name)
        return name

    def _create(self, name: str, index: ExportableIndex) -> str:
        from pymilvus import DataType, Function, FunctionType
        from pymilvus.exceptions import MilvusException

        meta = expected_metadata(index, self.dense_index)
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False, description=json.dumps(meta))
        schema.add_field("chunk_id", DataType.INT64, is_primary=True)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=MAX_TEXT)
        schema.add_field("start", DataType.INT64)
        schema.add_field("end", DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True, analyzer_params=ANALYZER)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=DIM)
        schema.add_function(Function(name="text_bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        # Strong: a question asked right after a build sees every row.
        self.client.create_collection(name, schema=schema, consistency_level="Strong")
        sparse = self.client.prepare_index_params()
        sparse.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": meta["bm25"]["k1"], "bm25_b": meta["bm25"]["b"]})
        self.client.create_index(name, sparse)
        wanted = "HNSW" if self.dense_index == "auto" else self.dense_index
        try:
            self.client.create_index(name, self._dense_index_params(wanted))
        except MilvusException as exc:
            if self.dense_index != "auto":
                raise
            # Milvus Lite accepts only FLAT, IVF_FLAT and AUTOINDEX; FLAT is exact, like the local index.
            log.info("dense index HNSW refused at %s (%s); using FLAT", self.uri, exc.message)
            wanted = "FLAT"
            self.client.create_index(name, self._dense_index_params(wanted))
        return wanted

    def _dense_index_params(self, kind: str):
        params = self.client.prepare_index_params()
        params.add_index("dense", index_type=kind, metric_type="COSINE",
                         params=HNSW_PARAMS if kind == "HNSW" else ({"nlist": 128} if kind == "IVF_FLAT" else {}))
        return params

    def _insert(self, name: str, index: ExportableIndex, progress=None) -> None:
        for batch in index.export_passages(INSERT_BATCH):
            rows = [{"chunk_id": r.id, "doc_id": r.doc_id, "start": r.start, "end": r.end, "text": r.text,
                     "dense": r.vector.tolist()} for r in batch]
            self.client.insert(name, rows)
            if progress is not None:
                progress(len(rows))

    def _switch(self, name: str) -> None:
        from pymilvus import DataType

        if not self.client.has_collection(self.pointer):
            # Milvus wants a vector field in every collection; this one's is a placeholder.
            schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False,
                                               description="qa: which collection is live")
            schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=64)
            schema.add_field("target", DataType.VARCHAR, max_length=255)
            schema.add_field("placeholder", DataType.FLOAT_VECTOR, dim=2)
            params = self.client.prepare_index_params()
            params.add_index("placeholder", index_type="FLAT", metric_type="L2")
            self.client.create_collection(self.pointer, schema=schema, index_params=params,
                                          consistency_level="Strong")
        self.client.upsert(self.pointer, [{"key": POINTER_KEY, "target": name, "placeholder": [1.0, 0.0]}])
        self._switch_alias(name)

    def _switch_alias(self, name: str) -> None:
        try:
            if self.base in self.client.list_aliases(name).get("aliases", []):
                return
            try:
                self.client.alter_alias(name, self.base)
            except Exception:
                self.client.create_alias(name, self.base)
        except Exception as exc:  # Milvus Lite 2.5 answers UNIMPLEMENTED: the pointer is enough
            log.debug("alias %s not switched at %s: %s", self.base, self.uri, exc)

    def _drop_all_but(self, keep: str) -> None:
        """Drop this index's other collections: the previous live one and any half-built ones."""
        pattern = re.compile(re.escape(self.base) + r"_b\d{14}_[0-9a-f]{6}$")
        with milvus_errors(self.uri):
            for other in self.client.list_collections():
                if other != keep and pattern.match(other):
                    self.client.drop_collection(other)
