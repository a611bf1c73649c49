"""Reading a folder of text files into Documents, and fingerprinting it for index staleness."""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from qa.errors import CorpusError
from qa.types import Document

log = logging.getLogger(__name__)

#: File kinds read as documents; everything else in the folder is ignored.
TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class FileStamp:
    """What the index remembers of one file: a cheap stat for the quick check, a hash for the sure one."""

    doc_id: str
    size: int
    mtime_ns: int
    sha256: str


def find_text_files(folder: Path) -> list[Path]:
    """All ``.txt`` and ``.md`` files under ``folder``, recursively, in a stable order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder} (pass an existing folder with --corpus)")
    files = [
        p for p in folder.rglob("*")
        if p.suffix.lower() in TEXT_SUFFIXES and p.is_file() and not _is_hidden(p, folder)
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def _is_hidden(path: Path, root: Path) -> bool:
    # Editors and VCS keep dot-folders (.git, .obsidian) that are not part of the corpus.
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def doc_id_for(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def read_document(path: Path, folder: Path) -> Document | None:
    """Read one file as UTF-8; None (with a warning naming it) when it is empty or not UTF-8."""
    doc_id = doc_id_for(path, folder)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        log.warning("skipping %s: not valid UTF-8 (byte %d)", doc_id, exc.start)
        return None
    except OSError as exc:
        log.warning("skipping %s: cannot read it (%s)", doc_id, exc.strerror)
        return None
    # A BOM is an encoding mark, not text; keeping it would shift nothing but would show in answers.
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        log.warning("skipping %s: empty file", doc_id)
        return None
    return Document(id=doc_id, text=text)


def load_corpus(folder: str | os.PathLike) -> list[Document]:
    """Every usable text document under ``folder``.

    Raises:
        CorpusError: the folder does not exist or holds no usable document.
    """
    folder = Path(folder)
    docs = [d for d in (read_document(p, folder) for p in find_text_files(folder)) if d is not None]
    if not docs:
        raise CorpusError(
            f"no usable documents in {folder}: it needs at least one non-empty UTF-8 .txt or .md file"
        )
    return docs


def stamp_files(folder: Path, previous: dict[str, FileStamp] | None = None) -> dict[str, FileStamp]:
    """Stamp every text file; reuse a previous hash when size and mtime are unchanged.

    Hashing a large corpus on every start would cost as much as reading it, so the hash is only
    recomputed for files whose stat changed.
    """
    previous = previous or {}
    stamps: dict[str, FileStamp] = {}
    for path in find_text_files(folder):
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
