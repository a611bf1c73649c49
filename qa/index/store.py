"""Index folders on disk: the live build, new builds written beside it, and the atomic swap.

Layout: ``indexes/<name>/CURRENT`` names the live build folder beside it. A build is written to a
new folder and ``CURRENT`` is switched with an atomic rename, so a build that is interrupted
leaves the previous index answering. Old builds are removed only once no longer live.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from qa.errors import CorpusError, IndexDamagedError, IndexWriteError
from qa.index.corpus_index import CorpusIndex, load_build
from qa.index.manifest import (MANIFEST, OWNER_MARK, expected_settings, file_checksums, index_name, read_manifest,
                               staleness)
from qa.ingest.chunking import ChunkSettings
from qa.ingest.corpus import FileStamp, fingerprint, no_documents_message, stamp_files

log = logging.getLogger(__name__)

__all__ = ["CURRENT", "CorpusIndex", "build_index", "index_name", "live_build", "load_build", "make_index_dir",
           "read_manifest", "skip_counts", "staleness", "writing"]

CURRENT = "CURRENT"


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
            ``qa.index.ray_embedding.RayEmbedder``).

    Returns:
        The new build folder.

    Raises:
        CorpusError: the corpus has no usable document.
    """
    from qa.index.writer import spacy_model_version, write_build  # spaCy, torch: index time only

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
            "stage_seconds": {k: round(v, 2) for k, v in stats.seconds.items()},
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
    from qa.index.writer import PreviousBuild

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
    """Create the index folder, before any work is done.

    A file in its place, or a folder with files in it where ``CURRENT`` belongs, is the user's and
    never replaced: the build is refused at once rather than after minutes of work.
    """
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexWriteError(f"cannot keep the index in {index_dir}: it is a file, not a folder; "
                              "choose a folder with --index-dir or $QA_INDEX_ROOT")
    pointer = index_dir / CURRENT
    if pointer.is_dir() and not pointer.is_symlink() and any(pointer.iterdir()):
        raise IndexWriteError(f"cannot keep the index in {index_dir}: {pointer} is a folder with files in it, "
                              f"where qa keeps the name of the live build; move it out of {index_dir}, or "
                              "choose another folder with --index-dir or $QA_INDEX_ROOT")
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
