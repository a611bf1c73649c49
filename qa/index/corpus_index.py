"""The loaded index: document text, offset tables, BM25 and embeddings of one build folder.

Everything is ``.npy`` or JSON, loaded with ``allow_pickle=False``: loading an index never runs
code. ``CorpusIndex`` is also what other stages see of the index, through small interfaces: the
reader's ``DocumentLookup`` (``document``, ``sentence_spans``, ``labelled_spans``, ``term_idf``) and
the export a Milvus collection is filled from (``describe``, ``export_passages``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from qa.embedding import DIM
from qa.errors import IndexDamagedError
from qa.index.dense import DenseIndex
from qa.index.documents import DocumentStore
from qa.index.lexical import LexicalIndex
from qa.index.manifest import read_manifest, verify_checksums
from qa.types import Chunk, Document

@dataclass(frozen=True)
class PassageRow:
    """One exported passage: ``text == document.text[start:end]``; ``vector`` is its unit embedding."""

    id: int
    doc_id: str
    start: int
    end: int
    text: str
    vector: np.ndarray


@dataclass
class CorpusIndex:
    """Everything the query path needs, loaded from one build folder."""

    folder: Path
    manifest: dict
    documents: DocumentStore
    chunks: np.ndarray      # (n, 3) int64: document index, start, end
    sentences: np.ndarray   # (s, 3) int64: document index, start, end; sorted
    spans: np.ndarray       # (m, 4) int64: document index, start, end, label index; sorted
    span_labels: list[str]
    lexical: LexicalIndex
    dense: DenseIndex
    pages: np.ndarray = None        # (p, 2) int64: document index, page start; sorted (PDFs only)
    sections: np.ndarray = None     # (h, 3) int64: document index, section start, title index; sorted
    section_titles: list[str] = None

    def __post_init__(self) -> None:
        self._doc_pos = {doc_id: i for i, doc_id in enumerate(self.documents.ids)}
        if self.pages is None:
            self.pages = np.zeros((0, 2), np.int64)
        if self.sections is None:
            self.sections = np.zeros((0, 3), np.int64)
        self.section_titles = self.section_titles or []

    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._doc_pos

    def page_at(self, doc: int, offset: int) -> int | None:
        """1-based PDF page of ``offset`` in document ``doc``; None when it has no pages."""
        rows = self._rows_of(self.pages, doc)
        if not len(rows):
            return None
        return int(np.searchsorted(rows[:, 1], offset, side="right"))

    def section_at(self, doc: int, offset: int) -> str | None:
        """Heading path of the section holding ``offset`` in document ``doc``, or None."""
        rows = self._rows_of(self.sections, doc)
        i = int(np.searchsorted(rows[:, 1], offset, side="right")) - 1 if len(rows) else -1
        return self.section_titles[int(rows[i, 2])] if i >= 0 else None

    def _rows_of(self, table: np.ndarray, doc: int) -> np.ndarray:
        lo = np.searchsorted(table[:, 0], doc, side="left")
        hi = np.searchsorted(table[:, 0], doc, side="right")
        return table[lo:hi]

    def __len__(self) -> int:
        return len(self.chunks)

    def chunk(self, i: int) -> Chunk:
        d, s, e = (int(x) for x in self.chunks[i])
        doc = self.documents[d]
        return Chunk(i, doc.id, s, e, doc.text[s:e])

    def chunks_of(self, doc_ids: list[str]) -> np.ndarray:
        """Sorted indices of the chunks of the named documents (unknown ids name none)."""
        wanted = [self._doc_pos[d] for d in doc_ids if d in self._doc_pos]
        return np.flatnonzero(np.isin(self.chunks[:, 0], wanted))

    def document(self, doc_id: str) -> Document:
        """The stored document, with its page and section starts."""
        d = self._doc_pos[doc_id]
        doc = self.documents[d]
        pages = tuple(int(x) for x in self._rows_of(self.pages, d)[:, 1])
        sections = tuple((int(s), self.section_titles[int(t)]) for _, s, t in self._rows_of(self.sections, d))
        return Document(doc.id, doc.text, pages, sections)

    def doc_index(self, doc_id: str) -> int:
        return self._doc_pos[doc_id]

    # -- the reader's DocumentLookup (qa.reader.base) --------------------------------------------
    def sentence_spans(self, doc_id: str, start: int, end: int) -> np.ndarray:
        """``(start, end)`` rows of the sentences of ``doc_id`` inside ``[start, end)``."""
        return self.rows_within(self.sentences, self._doc_pos[doc_id], start, end)[:, 1:3]

    def labelled_spans(self, doc_id: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """``(start, end, label)`` of the entities and noun phrases of ``doc_id`` inside ``[start, end)``."""
        rows = self.rows_within(self.spans, self._doc_pos[doc_id], start, end)
        return [(s, e, self.span_labels[lab]) for _, s, e, lab in rows.tolist()]

    def term_idf(self, term: str) -> float:
        """Inverse passage frequency of an analyzed term: ``log(1 + (n + 1) / (df + 1))``."""
        n = max(self.lexical.n_docs, 1)
        return math.log(1.0 + (n + 1) / (self.lexical.document_frequency(term) + 1))

    # -- export, for another engine to serve this index (qa.backends.milvus.collection) -------
    def describe(self) -> dict:
        """What this index was built from and with: the corpus fingerprint, the settings, the counts."""
        m = self.manifest
        return {
            "fingerprint": m["fingerprint"],
            "format_version": m.get("format_version"),
            "chunking": m.get("chunking"),
            "embedding_model": m.get("embedding_model"),
            "n_chunks": int(m["n_chunks"]),
            "n_documents": int(m["n_documents"]),
            "bm25": {"k1": float(self.lexical.params["k1"]), "b": float(self.lexical.params["b"])},
        }

    def export_passages(self, batch: int = 1000) -> Iterator[list[PassageRow]]:
        """Every passage in chunk order, ``batch`` at a time: id, document, offsets, text, embedding."""
        for lo in range(0, len(self), batch):
            hi = min(len(self), lo + batch)
            vectors = np.asarray(self.dense.embeddings[lo:hi], dtype=np.float32)
            rows = []
            for i, (d, s, e) in enumerate(self.chunks[lo:hi].tolist()):
                doc = self.documents[d]
                rows.append(PassageRow(lo + i, doc.id, s, e, doc.text[s:e], vectors[i]))
            yield rows

    def rows_within(self, table: np.ndarray, doc: int, start: int, end: int) -> np.ndarray:
        """Rows of a sorted (doc, start, end, ...) table that lie inside ``[start, end)`` of ``doc``."""
        keys = table[:, 0] * (1 << 40) + table[:, 1]
        lo = np.searchsorted(keys, doc * (1 << 40) + start, side="left")
        hi = np.searchsorted(keys, doc * (1 << 40) + end, side="left")
        rows = table[lo:hi]
        return rows[rows[:, 2] <= end]


def load_build(build: Path, verify: bool = False) -> CorpusIndex:
    """Load one build folder, checking its files against their checksums and that they fit together.

    Args:
        verify: hash every file, however big (``qa index --verify``); otherwise only files up to
            ``HASH_ON_LOAD_BYTES`` are hashed and the rest size-checked.

    Raises:
        IndexDamagedError: a file is missing, truncated, changed or inconsistent.
    """
    manifest = read_manifest(build)
    verify_checksums(build, manifest, full=verify)
    try:
        documents = DocumentStore(build)
        chunks = np.load(build / "chunks.npy", allow_pickle=False)
        sentences = np.load(build / "sentences.npy", allow_pickle=False)
        spans = np.load(build / "spans.npy", allow_pickle=False)
        span_labels = json.loads((build / "span_labels.json").read_text(encoding="utf-8"))
        pages = np.load(build / "pages.npy", allow_pickle=False)
        sections = np.load(build / "sections.npy", allow_pickle=False)
        section_titles = json.loads((build / "section_titles.json").read_text(encoding="utf-8"))
        _check_layout(documents, pages, sections, section_titles)
        lexical = LexicalIndex.load(build)
        dense = DenseIndex.load(build, len(chunks), DIM)
        _check_tables(documents, chunks, sentences, spans, span_labels, manifest)
        if lexical.n_docs != len(chunks):
            raise ValueError("bm25 index and chunk table disagree on the number of passages")
    except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
        raise IndexDamagedError(f"index in {build} is damaged: {exc}") from exc
    return CorpusIndex(build, manifest, documents, chunks, sentences, spans, span_labels, lexical, dense,
                       pages, sections, section_titles)


def _check_layout(documents, pages, sections, section_titles) -> None:
    if not isinstance(section_titles, list) or not all(isinstance(t, str) for t in section_titles):
        raise ValueError("section titles are not a list of strings")
    for name, table, width in (("pages", pages, 2), ("sections", sections, 3)):
        if table.ndim != 2 or table.shape[1] != width or table.dtype.kind != "i":
            raise ValueError(f"{name} table has shape {table.shape}")
        if len(table) and (table[:, 0].min() < 0 or table[:, 0].max() >= len(documents) or (table[:, 1] < 0).any()
                           or (table[:, 1] > documents.lengths[table[:, 0]]).any()):
            raise ValueError(f"{name} table holds offsets outside its documents")
    if len(sections) and sections[:, 2].max() >= len(section_titles):
        raise ValueError("sections name unknown titles")


def _check_tables(documents, chunks, sentences, spans, span_labels, manifest) -> None:
    if len(documents) != manifest.get("n_documents") or len(chunks) != manifest.get("n_chunks"):
        raise ValueError("document or chunk count differs from the manifest")
    lengths = documents.lengths
    for name, table, width in (("chunks", chunks, 3), ("sentences", sentences, 3), ("spans", spans, 4)):
        if table.ndim != 2 or table.shape[1] != width or table.dtype.kind != "i":
            raise ValueError(f"{name} table has shape {table.shape}")
        if len(table) and (
            table[:, 0].min() < 0 or table[:, 0].max() >= len(documents)
            or (table[:, 1] < 0).any() or (table[:, 2] < table[:, 1]).any()
            or (table[:, 2] > lengths[table[:, 0]]).any()
        ):
            raise ValueError(f"{name} table holds offsets outside its documents")
    if len(spans) and spans[:, 3].max() >= len(span_labels):
        raise ValueError("spans name unknown labels")
