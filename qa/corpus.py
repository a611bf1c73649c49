"""Reading a folder of documents into Documents, and fingerprinting it for index staleness.

The formats and their extractors are in ``qa.ingest``; this module walks the folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from qa.errors import CorpusError
from qa.ingest import SUFFIXES, Unreadable
from qa.types import Document

log = logging.getLogger(__name__)

#: File kinds read as documents; everything else in the folder is ignored.
DOCUMENT_SUFFIXES = SUFFIXES


@dataclass(frozen=True)
class FileStamp:
    """What the index remembers of one file: a cheap stat for the quick check, a hash for the sure one."""

    doc_id: str
    size: int
    mtime_ns: int
    sha256: str


def find_documents(folder: Path) -> list[Path]:
    """All readable documents (``DOCUMENT_SUFFIXES``) under ``folder``, recursively, in a stable order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder} (pass an existing folder with --corpus)")
    files = [
        p for p in folder.rglob("*")
        if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file() and not _is_hidden(p, folder)
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def _is_hidden(path: Path, root: Path) -> bool:
    # Editors and VCS keep dot-folders (.git, .obsidian) that are not part of the corpus.
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def doc_id_for(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def read_document(path: Path, folder: Path, on_page=None) -> Document:
    """Extract one file (``qa.ingest``) as a Document with its page and section starts.

    Raises:
        Unreadable: with the reason (empty, not UTF-8, damaged, encrypted, scanned PDF ...).
    """
    from qa.ingest import extract

    extracted = extract(path, on_page=on_page)
    return Document(doc_id_for(path, folder), extracted.text, tuple(extracted.pages), tuple(extracted.sections))


def try_read_document(path: Path, folder: Path, on_page=None) -> tuple[Document | None, str | None]:
    """``(document, None)``, or ``(None, reason)`` with a warning line naming the file."""
    try:
        return read_document(path, folder, on_page), None
    except Unreadable as exc:
        log.warning("skipping %s: %s", doc_id_for(path, folder), exc)
        return None, str(exc)


def load_corpus(folder: str | os.PathLike) -> list[Document]:
    """Every usable text document under ``folder``.

    Raises:
        CorpusError: the folder does not exist or holds no usable document.
    """
    folder = Path(folder)
    docs = [d for d in (try_read_document(p, folder)[0] for p in find_documents(folder)) if d is not None]
    if not docs:
        raise CorpusError(no_documents_message(folder))
    return docs


def no_documents_message(folder: Path) -> str:
    kinds = ", ".join(DOCUMENT_SUFFIXES)
    return f"no usable documents in {folder}: it needs at least one readable file with text ({kinds})"


def stamp_files(folder: Path, previous: dict[str, FileStamp] | None = None) -> dict[str, FileStamp]:
    """Stamp every document file; reuse a previous hash when size and mtime are unchanged.

    Hashing a large corpus on every start would cost as much as reading it, so the hash is only
    recomputed for files whose stat changed.
    """
    previous = previous or {}
    stamps: dict[str, FileStamp] = {}
    for path in find_documents(folder):
        doc_id = doc_id_for(path, folder)
        st = path.stat()
        old = previous.get(doc_id)
        if old is not None and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
            stamps[doc_id] = old
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        stamps[doc_id] = FileStamp(doc_id, st.st_size, st.st_mtime_ns, digest)
    return stamps


def fingerprint(stamps: dict[str, FileStamp]) -> str:
    """One hash of every file's id and content hash: equal fingerprints mean the same corpus."""
    h = hashlib.sha256()
    for doc_id in sorted(stamps):
        h.update(doc_id.encode("utf-8") + b"\0" + stamps[doc_id].sha256.encode() + b"\n")
    return h.hexdigest()
