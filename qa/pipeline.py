"""The QA pipeline for one corpus folder: keep its index fresh, retrieve passages, read answers."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from qa.ingest.chunking import ChunkSettings
from qa.config import BUNDLED_CORPUS, FUSIONS, MAX_QUESTION_CHARS, PASSAGES, TOP_K, index_root
from qa.reader import DEFAULT_READER, check_min_score
from qa.backends import BackendSettings, make_backend
from qa.errors import CorpusError, IndexDamagedError, QAError, QuestionError
from qa.index.lock import build_lock
from qa.index.store import (CorpusIndex, build_index, index_name, live_build, load_build, make_index_dir, read_manifest,
                            staleness, writing)
from qa.types import METHODS, Answer, Passage

if TYPE_CHECKING:
    from qa.reader.base import Reader
    from qa.retrieve.base import Retriever

log = logging.getLogger("qa")

# Terminal escape sequences pasted into a question (colours, cursor moves): ESC [ ... final byte,
# or ESC and one more character.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b.?")


def normalize_question(question: str) -> str:
    """The question with bytes that are not text made harmless.

    Invalid UTF-8 from a terminal or argv arrives as lone surrogates: they become U+FFFD. NUL and
    other control characters, and whole terminal escape sequences, become spaces.
    """
    try:  # bytes smuggled in by surrogateescape (argv, the prompt's stdin): one U+FFFD per byte
        raw = question.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # other lone surrogates (a Python caller's string)
        raw = question.encode("utf-8", "surrogatepass")
    q = _ESCAPE_SEQUENCE.sub(" ", raw.decode("utf-8", "replace"))
    return "".join(" " if (unicodedata.category(c) == "Cc" and c not in "\t\n") else c for c in q)


def check_question(question: str) -> str:
    """The question, normalised (``normalize_question``) and stripped of surrounding white space.

    Raises:
        QuestionError: not text, empty, blank, or longer than 2,000 characters.
    """
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    q = normalize_question(question).strip()
    if not q:
        raise QuestionError("the question is empty: type a question in plain English")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(q):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return q


class QA:
    """Question answering over one folder of text files.

    Args:
        corpus: folder of ``.txt`` / ``.md`` files (default: the bundled corpus).
        index_dir: where this corpus's index lives (default: ``indexes/<folder>-<hash>``).
        reader: answerer name: ``"neural"`` (default, the trained span reader) or ``"heuristic"``.
        min_score: answers scoring below this (0-1) become "no answer"; None keeps the reader's
            threshold fitted on training articles. Higher trades answered questions for precision.
        fusion: ``"rrf"`` (default) or ``"weighted"``.
        chunking: chunk settings; a change makes an existing index stale.
        progress: progress bars while building (None: only on a terminal).
        backend: where retrieval runs: ``"local"`` (default, the index files) or ``"milvus"``.
        uri: Milvus: a Milvus Lite file (``"./qa.db"``) or a server (``"http://host:19530"``).
        dense_index: Milvus dense index type: ``"auto"`` (HNSW, or FLAT where refused), ``"HNSW"``,
            ``"FLAT"``, ``"IVF_FLAT"`` or ``"AUTOINDEX"``; a change makes the collection stale.
        ray: embed chunks on a Ray cluster while building: its address, or ``"local"``.
        follow_links: read symbolic links that point outside the corpus folder (default: skip them).
        wait: when another process is building this index, wait for it (default) or raise
            ``IndexBusyError``.
        retriever: your own ``qa.retrieve.base.Retriever``, called with the loaded index (``retriever(index)``
            returns one); replaces the backend's. The index is still built: readers cite from it.

    The index is checked (and built or rebuilt when missing, stale or damaged) on first use. With
    ``backend="milvus"`` the local index is still built (the reader cites from its documents) and
    its chunks and embeddings are uploaded to a collection, which is rebuilt when stale.
    """

    def __init__(
        self,
        corpus: str | os.PathLike | None = None,
        index_dir: str | os.PathLike | None = None,
        reader: str = DEFAULT_READER,
        min_score: float | None = None,
        fusion: str = "rrf",
        chunking: ChunkSettings | None = None,
        progress: bool | None = None,
        backend: str = "local",
        uri: str | None = None,
        dense_index: str = "auto",
        ray: str | None = None,
        follow_links: bool = False,
        wait: bool = True,
        retriever: Callable[[CorpusIndex], Retriever] | None = None,
    ) -> None:
        self.corpus = _folder("corpus", corpus) if corpus is not None else BUNDLED_CORPUS
        if not self.corpus.is_dir():
            raise CorpusError(f"corpus folder not found: {self.corpus} (pass an existing folder)")
        self.index_dir = (_folder("index_dir", index_dir) if index_dir is not None
                          else index_root() / index_name(self.corpus))
        from qa.reader import READERS

        if reader not in READERS:
            raise QAError(f"reader must be one of {', '.join(READERS)}, not {reader!r}")
        if reader == "neural":
            from qa.config import int8_weights_choice
            from qa.reader.neural import reader_files

            reader_files()  # a bad $QA_READER_DIR fails now, not after building an index
            int8_weights_choice()  # and so does a bad $QA_INT8_WEIGHTS
        if str(getattr(fusion, "value", fusion)) not in FUSIONS:
            raise QAError(f"fusion must be one of {', '.join(FUSIONS)}, not {fusion!r}")
        self.reader_name = reader
        self.min_score = check_min_score(min_score)
        self.follow_links = bool(follow_links)
        self.wait = bool(wait)
        self.fusion = fusion
        self.chunking = chunking or ChunkSettings()
        self.progress = progress
        self.backend = BackendSettings(backend, uri, dense_index)
        self.ray = ray
        if retriever is not None and not callable(retriever):
            raise QAError("retriever must be a function of the loaded index that returns a Retriever")
        self._make_retriever = retriever
        self._backend = make_backend(self.backend, fusion)
        self._index: CorpusIndex | None = None
        self._retriever: Retriever | None = None
        self._reader: Reader | None = None

    @property
    def collection(self) -> str | None:
        """The live Milvus collection, once checked (None with the local backend)."""
        return self._backend.collection

    # -- index ---------------------------------------------------------------------------------
    def ensure_index(self, force: bool = False, verify: bool = False) -> CorpusIndex:
        """Load the index, building it first when it is missing, stale or damaged.

        ``verify`` hashes every index file against the manifest (large ones are otherwise only
        size-checked on load); a mismatch means "damaged, rebuilding".
        """
        if self._index is not None and not force and not verify:
            return self._index
        self._backend.check()  # an unreachable server is reported before minutes of building
        reason, stamps, damaged = None, None, False
        try:
            build = None if force else live_build(self.index_dir)
            if force:
                reason = "rebuild requested"
            elif build is None:
                reason = "no index yet"
            else:
                reason, stamps = staleness(read_manifest(build), self.corpus, self.chunking, self.follow_links)
                if reason is None:
                    self._set_index(load_build(build, verify=verify), force)
                    return self._index
        except IndexDamagedError as exc:
            reason, damaged = f"{exc}", True
        held = ExitStack()
        with writing(self.index_dir):  # a read-only disk fails here, in one line
            make_index_dir(self.index_dir)
            held.enter_context(build_lock(self.index_dir, wait=self.wait))
        with held:
            if not force:
                # Another process may have built it while this one waited for the lock.
                fresh = self._fresh_build(verify)
                if fresh is not None:
                    self._set_index(fresh)
                    return self._index
            log.warning("building the index of %s (%s)", self.corpus, reason)
            build = build_index(self.corpus, self.index_dir, self.chunking, stamps or None, self.progress,
                                # Nothing is re-used from a build found damaged.
                                reuse=not (force or damaged), embed=self._embedder(),
                                follow_links=self.follow_links)
        self._set_index(load_build(build), force)
        return self._index

    def _fresh_build(self, verify: bool = False) -> CorpusIndex | None:
        """The live build when it is intact (hashed whole with ``verify``) and fits the corpus; else None."""
        try:
            build = live_build(self.index_dir)
            if build is None:
                return None
            reason, _ = staleness(read_manifest(build), self.corpus, self.chunking, self.follow_links)
            return load_build(build, verify=verify) if reason is None else None
        except IndexDamagedError:
            return None

    def _embedder(self):
        if self.ray is None:
            return None  # sentence-transformers in this process
        from qa.index.ray_embedding import RayEmbedder

        return RayEmbedder(self.ray)

    def _set_index(self, index: CorpusIndex, force: bool = False) -> None:
        from qa.reader import make_reader

        if self._make_retriever is not None:
            retriever = self._make_retriever(index)
        else:
            retriever = self._backend.retriever(index, self.index_dir, force)
        self._index = index
        self._retriever = retriever
        self._reader = make_reader(self.reader_name, self.min_score)

    @property
    def index(self) -> CorpusIndex:
        return self.ensure_index()

    # -- questions -----------------------------------------------------------------------------
    def retrieve(
        self, question: str, k: int = 5, method: str = "hybrid", doc_ids: list[str] | None = None
    ) -> list[Passage]:
        """The ``k`` best passages for ``question`` (``method``: bm25, dense or hybrid).

        ``doc_ids`` restricts retrieval to those documents (e.g. one SQuAD paragraph).
        """
        question = check_question(question)
        k = _count("k", k)
        method = _method(method)
        doc_ids = _doc_ids(doc_ids)
        self.ensure_index()
        return self._retriever.retrieve(question, k=k, method=method, doc_ids=doc_ids)

    def ask(
        self,
        question: str,
        top_k: int = TOP_K,
        passages: int = PASSAGES,
        method: str = "hybrid",
        doc_ids: list[str] | None = None,
    ) -> list[Answer]:
        """Ranked answers to ``question``, best first; ``[no answer]`` when none is good enough.

        Args:
            question: plain-English question, at most 2,000 characters.
            top_k: how many answers to return at most.
            passages: how many retrieved passages the reader reads.
            method: retrieval method (bm25, dense, hybrid).
            doc_ids: when given, only these documents are searched.
        """
        question = check_question(question)
        top_k, passages = _count("top_k", top_k), _count("passages", passages)
        method = _method(method)
        doc_ids = _doc_ids(doc_ids)
        self.ensure_index()
        found = self._retriever.retrieve(question, k=passages, method=method, doc_ids=doc_ids)
        if not found:
            return [Answer.no_answer()]
        return self.read(question, found, top_k=top_k)

    def read(self, question: str, passages: list[Passage], top_k: int = TOP_K) -> list[Answer]:
        """Answers from already-retrieved passages (lets a benchmark time retrieval and reading apart)."""
        self.ensure_index()
        if not passages:
            return [Answer.no_answer()]
        return self._reader.read(question, passages, self._index, top_k=top_k)


def folder_options(args) -> dict:
    """``follow_links`` and ``wait`` from parsed command-line options (``--follow-links``, ``--no-wait``)."""
    return {"follow_links": bool(getattr(args, "follow_links", False)), "wait": not getattr(args, "no_wait", False)}


def _folder(name: str, value) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise QAError(f"{name} must be a folder path, not {type(value).__name__}")
    if str(value).strip() == "":
        raise QAError(f"{name} is empty: name a folder")
    return Path(value)


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuestionError(f"{name} must be a whole number, not {type(value).__name__}")
    if value < 1:
        raise QuestionError(f"{name} must be at least 1 (got {value})")
    return value


def _method(value) -> str:
    if value not in METHODS:
        raise QuestionError(f"method must be one of {', '.join(METHODS)}, not {value!r}")
    return value


def _doc_ids(value) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(d, str) for d in value):
        raise QuestionError("doc_ids must be a list of document ids (paths inside the corpus), not a single string")
    return list(value)


_bundled: QA | None = None


def answer(question: str) -> Answer:
    """The best answer to ``question`` from the bundled corpus (or an explicit no-answer)."""
    global _bundled
    if _bundled is None:
        _bundled = QA()
    return _bundled.ask(question, top_k=1)[0]
