"""Building, saving, checking and loading the index of one corpus folder.

Layout: ``indexes/<name>/CURRENT`` names the live build folder beside it. A build is written to a
new folder and ``CURRENT`` is switched with an atomic rename, so a build that is interrupted
leaves the previous index answering. Everything is ``.npy`` or JSON, loaded with
``allow_pickle=False``: loading an index never runs code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from qa.chunking import ChunkSettings
from qa.corpus import FileStamp, fingerprint, no_documents_message, stamp_files
from qa.dense import DenseIndex
from qa.embedding import DIM, MODEL_NAME, QUERY_MODEL_NAME
from qa.errors import CorpusError, IndexDamagedError, IndexWriteError
from qa.lexical import LexicalIndex
from qa.doc_store import DocumentStore
from qa.types import Chunk, Document

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 2: documents in a memory-mapped blob; 3: PDF pages and section headings
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
#: Written first into every build folder this tool makes; clean-up removes only folders holding it,
#: never a user's own folder that happens to be called ``build-...`` or ``.tmp-...``.
OWNER_MARK = ".qa-build"


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

    # -- export, for another engine to serve this index (qa.backends.milvus_collection) -------
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


def index_name(corpus: Path) -> str:
    """A folder name per corpus: readable, and unique per absolute path."""
    corpus = corpus.resolve()
    digest = hashlib.sha256(str(corpus).encode("utf-8")).hexdigest()[:10]
    return f"{corpus.name or 'corpus'}-{digest}"


def live_build(index_dir: Path) -> Path | None:
    """The build folder ``CURRENT`` points to, or None when there is no index yet."""
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamagedError(f"index pointer {pointer} is unreadable ({exc})") from None
    build = index_dir / name
    if not name or "/" in name or not build.is_dir():
        raise IndexDamagedError(f"index pointer {pointer} names a missing build '{name}'")
    return build


def read_manifest(build: Path) -> dict:
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(f"index manifest in {build} is unreadable: {exc}") from exc
    if not isinstance(manifest, dict) or "fingerprint" not in manifest:
        raise IndexDamagedError(f"index manifest in {build} is incomplete")
    return manifest


def expected_settings(chunking: ChunkSettings) -> dict:
    """What an index must have been built with to be used as it is."""
    from qa.ingest import extractor_versions  # package metadata only: no extractor is imported

    return {
        "format_version": FORMAT_VERSION,
        "extractors": extractor_versions(),
        "chunking": chunking.to_dict(),
        "embedding_model": MODEL_NAME,
        "query_model": QUERY_MODEL_NAME,
    }


def staleness(manifest: dict, corpus: Path, chunking: ChunkSettings,
              follow_links: bool = False) -> tuple[str | None, dict[str, FileStamp]]:
    """Why an index no longer fits its corpus or settings (None when it fits), and fresh stamps."""
    for key, value in expected_settings(chunking).items():
        if manifest.get(key) != value:
            return f"{key} changed ({manifest.get(key)!r} -> {value!r})", {}
    previous = {s["doc_id"]: FileStamp(**s) for s in manifest.get("files", [])}
    stamps = stamp_files(corpus, previous, follow_links)
    if fingerprint(stamps) != manifest["fingerprint"]:
        return "the corpus changed", stamps
    return None, stamps


#: Files up to this size are hashed on every load (a few ms); bigger ones are size-checked on load
#: and hashed by ``qa index --verify``.
HASH_ON_LOAD_BYTES = 32 * 1024 * 1024


def file_checksums(build: Path) -> dict[str, dict]:
    """``{file name: {"size", "sha256"}}`` of every file of a build but its manifest and mark."""
    out = {}
    for path in sorted(build.iterdir()):
        if path.is_file() and path.name not in (MANIFEST, OWNER_MARK):
            out[path.name] = {"size": path.stat().st_size, "sha256": _sha256_file(path)}
    return out


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_checksums(build: Path, manifest: dict, full: bool = False) -> None:
    """Check every file against the manifest: sizes always, hashes of small files (all with ``full``).

    Raises:
        IndexDamagedError: a file is missing, has another size, or other bytes.
    """
    sums = manifest.get("checksums")
    if not isinstance(sums, dict) or not sums:
        raise IndexDamagedError(f"index manifest in {build} has no checksums")
    for name, want in sums.items():
        path = build / name
        if "/" in name or not isinstance(want, dict):
            raise IndexDamagedError(f"index manifest in {build} lists a bad checksum entry")
        try:
            size = path.stat().st_size
        except OSError:
            raise IndexDamagedError(f"index in {build} is damaged: {name} is missing") from None
        if size != want.get("size"):
            raise IndexDamagedError(f"index in {build} is damaged: {name} has {size} bytes, not {want.get('size')}")
        if (full or size <= HASH_ON_LOAD_BYTES) and _sha256_file(path) != want.get("sha256"):
            raise IndexDamagedError(f"index in {build} is damaged: {name} changed since it was built")


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


def build_index(
    corpus: Path,
    index_dir: Path,
    chunking: ChunkSettings,
    stamps: dict[str, FileStamp] | None = None,
    progress: bool | None = None,
    reuse: bool = True,
    embed=None,
    follow_links: bool = False,
) -> Path:
    """Build the index of ``corpus`` into a new folder under ``index_dir`` and make it live.

    Args:
        corpus: the corpus folder.
        index_dir: this corpus's index folder (holds ``CURRENT`` and the builds).
        chunking: chunk settings.
        stamps: file stamps already computed by a staleness check, to avoid hashing twice.
        progress: show a progress bar (None: only when stderr is a terminal).
        reuse: keep the work done for unchanged documents in the live build, when it fits.
        embed: computes chunk embeddings (default: sentence-transformers in this process; see
            ``qa.parallel_embedding.RayEmbedder``).

    Returns:
        The new build folder.

    Raises:
        CorpusError: the corpus has no usable document.
    """
    from qa.build import spacy_model_version, write_build  # spaCy, torch: index time only

    started = time.perf_counter()
    stamps = stamps or stamp_files(corpus, follow_links=follow_links)
    previous = _previous_build(index_dir, chunking) if reuse else None
    # Unique even for two builds in the same second by the same process (a rebuild after damage).
    build = index_dir / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".tmp-{build.name}"
    with writing(index_dir):
        make_index_dir(index_dir)
        tmp.mkdir()
        (tmp / OWNER_MARK).write_text("a build folder of qa; removed when no longer live\n", encoding="utf-8")
    try:
        with writing(index_dir):  # a disk that fills up mid-build: one line, the old index intact
            stats = write_build(tmp, corpus, chunking, stamps, previous, progress, embed)
        if stats.documents == 0:
            raise CorpusError(no_documents_message(corpus) + _skip_summary(stats.skipped))
        manifest = {
            **expected_settings(chunking),
            "corpus": str(corpus.resolve()),
            "fingerprint": fingerprint(stats.stamps),
            "files": [asdict(s) for s in stats.stamps.values()],
            "n_documents": stats.documents,
            "n_chunks": stats.chunks,
            "reused_documents": stats.reused,
            "n_pages": stats.pages,
            "skipped_files": [{"file": f, "reason": r} for f, r in stats.skipped],
            "spacy_model": spacy_model_version(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        manifest["checksums"] = file_checksums(tmp)
        # The manifest is written last: a build folder without one is never mistaken for complete.
        with writing(index_dir):
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            os.replace(tmp, build)
            _switch_current(index_dir, build)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if stats.reused:
        log.warning("re-used %d unchanged of %d documents; processed %d", stats.reused, stats.documents,
                    stats.documents - stats.reused)
    _remove_old_builds(index_dir, keep=build)
    return build


def _skip_summary(skipped: list[tuple[str, str]]) -> str:
    return f" ({len(skipped)} skipped: {skip_counts(skipped)})" if skipped else ""


def skip_counts(skipped) -> str:
    """'2 scanned PDF; OCR is not supported, 1 encrypted PDF ...': skipped files counted by reason."""
    from collections import Counter

    reasons = Counter((r["reason"] if isinstance(r, dict) else r[1]).split(" (")[0] for r in skipped)
    return ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())


def _previous_build(index_dir: Path, chunking: ChunkSettings):
    """The live build, when it is intact and was made with the same settings; else None."""
    from qa.build import PreviousBuild

    try:
        build = live_build(index_dir)
        if build is None:
            return None
        manifest = read_manifest(build)
        if any(manifest.get(k) != v for k, v in expected_settings(chunking).items()):
            return None
        index = load_build(build)
    except IndexDamagedError:
        return None
    return PreviousBuild(index, {f["doc_id"]: f["sha256"] for f in manifest.get("files", [])})


def _switch_current(index_dir: Path, build: Path) -> None:
    pointer = index_dir / CURRENT
    if pointer.is_dir() and not pointer.is_symlink() and not any(pointer.iterdir()):
        pointer.rmdir()  # an empty folder where the pointer belongs is damage, not data
    pointer_tmp = index_dir / f".{CURRENT}.{os.getpid()}"
    pointer_tmp.write_text(build.name, encoding="utf-8")
    os.replace(pointer_tmp, index_dir / CURRENT)


def _remove_old_builds(index_dir: Path, keep: Path) -> None:
    """Remove the build folders this tool made that are no longer live.

    Only folders holding ``OWNER_MARK`` go; the caller holds the build lock, so no other build is
    writing one of them (a ``.tmp-`` folder left here is from a build that was killed).
    """
    for entry in index_dir.iterdir():
        if (entry != keep and (entry.name.startswith("build-") or entry.name.startswith(".tmp-build-"))
                and entry.is_dir() and not entry.is_symlink() and _made_by_qa(entry)):
            shutil.rmtree(entry, ignore_errors=True)


def _made_by_qa(folder: Path) -> bool:
    # Builds from before the mark existed are known by their manifest and chunk table together.
    return (folder / OWNER_MARK).is_file() or ((folder / MANIFEST).is_file() and (folder / "chunks.npy").is_file())


def make_index_dir(index_dir: Path) -> None:
    """Create the index folder; a file in its place is the user's, never replaced."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexWriteError(f"cannot keep the index in {index_dir}: it is a file, not a folder; "
                              "choose a folder with --index-dir or $QA_INDEX_ROOT")
    index_dir.mkdir(parents=True, exist_ok=True)


class writing:
    """Turns an ``OSError`` while writing the index (read-only or full disk) into one clear line."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, OSError):
            raise IndexWriteError(
                f"cannot write the index in {self.index_dir} ({exc.strerror or exc}); choose a writable "
                "folder with --index-dir or $QA_INDEX_ROOT") from None
        return False
