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
    """What the index remembers of one file: its stat, to decide when to hash again, and the hash
    of the bytes that were indexed.

    The stat includes the change time and inode, which no user tool can set back: an edit that
    keeps the size and restores the modification time still changes ``ctime_ns``.
    """

    doc_id: str
    size: int
    mtime_ns: int
    sha256: str
    ctime_ns: int = 0
    inode: int = 0

    def same_stat(self, st: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode) == (
            st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def find_documents(folder: Path, follow_links: bool = False) -> list[Path]:
    """All documents (``DOCUMENT_SUFFIXES``) under ``folder``, recursively, in a stable order.

    A symbolic link that resolves outside ``folder`` is skipped with a warning naming it (it could
    pull any file of the machine into the index and its answers) unless ``follow_links``; links
    inside the folder are read once, under the first name in order.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder} (pass an existing folder with --corpus)")
    root = folder.resolve()
    candidates = sorted(
        (p for p in folder.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and not _is_hidden(p, folder)),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    files, seen = [], set()
    for p in candidates:
        try:
            if not p.is_file():
                continue
            real = p.resolve()
        except OSError:  # a link loop, or a file gone since the listing
            continue
        if not follow_links and not real.is_relative_to(root):
            log.warning("skipping %s: a link to %s, outside the corpus folder (--follow-links reads it)",
                        safe_name(doc_id_for(p, folder)), safe_name(str(real)))
            continue
        if real in seen:
            continue
        seen.add(real)
        files.append(p)
    return files


from qa.cli.terminal import printable as safe_name  # noqa: E402  (file names in warnings: one clean line)


def _is_hidden(path: Path, root: Path) -> bool:
    # Editors and VCS keep dot-folders (.git, .obsidian) that are not part of the corpus.
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def doc_id_for(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def read_document(path: Path, folder: Path, on_page=None) -> tuple[Document, FileStamp]:
    """Extract one file (``qa.ingest``) as a Document with its page and section starts, and the
    stamp of exactly the bytes extracted (stat taken before the read, hash of what was read), so a
    file that changes while it is read is seen as changed by the next check.

    Raises:
        Unreadable: with the reason (empty, not UTF-8, damaged, encrypted, scanned PDF, vanished ...).
    """
    from qa.ingest import extract

    doc_id = doc_id_for(path, folder)
    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read it ({exc.strerror or exc})") from None
    extracted = extract(path, on_page=on_page, data=data)
    stamp = FileStamp(doc_id, st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest(), st.st_ctime_ns, st.st_ino)
    return Document(doc_id, extracted.text, tuple(extracted.pages), tuple(extracted.sections)), stamp


def try_read_document(path: Path, folder: Path, on_page=None) -> tuple[Document | None, FileStamp | None, str | None]:
    """``(document, stamp, None)``, or ``(None, None, reason)`` with a warning line naming the file."""
    try:
        doc, stamp = read_document(path, folder, on_page)
        return doc, stamp, None
    except Unreadable as exc:
        log.warning("skipping %s: %s", safe_name(doc_id_for(path, folder)), exc)
        return None, None, str(exc)


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


def stamp_files(folder: Path, previous: dict[str, FileStamp] | None = None,
                follow_links: bool = False) -> dict[str, FileStamp]:
    """Stamp every document file; reuse a previous hash when the whole stat is unchanged.

    Hashing a large corpus on every start would cost as much as reading it, so the hash is only
    recomputed for files whose stat (size, modification and change time, inode) changed. A file
    that vanishes or cannot be read meanwhile is left out (the build skips it with a warning).
    """
    previous = previous or {}
    stamps: dict[str, FileStamp] = {}
    for path in find_documents(folder, follow_links):
        doc_id = doc_id_for(path, folder)
        try:
            st = path.stat()
            old = previous.get(doc_id)
            if old is not None and old.same_stat(st):
                stamps[doc_id] = old
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
        stamps[doc_id] = FileStamp(doc_id, st.st_size, st.st_mtime_ns, digest, st.st_ctime_ns, st.st_ino)
    return stamps


def fingerprint(stamps: dict[str, FileStamp]) -> str:
    """One hash of every file's id and content hash: equal fingerprints mean the same corpus."""
    h = hashlib.sha256()
    for doc_id in sorted(stamps):
        h.update(doc_id.encode("utf-8") + b"\0" + stamps[doc_id].sha256.encode() + b"\n")
    return h.hexdigest()
