"""An index build's manifest: its format, what it was built from, and checksums of its files.

A build is used as it is only when its manifest says it was made with today's settings from
today's corpus (``staleness``) and its files still have the bytes it lists (``verify_checksums``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qa.embedding import MODEL_NAME, QUERY_MODEL_NAME, passage_precision
from qa.errors import IndexDamagedError
from qa.ingest.chunking import ChunkSettings
from qa.ingest.corpus import FileStamp, fingerprint, stamp_files

FORMAT_VERSION = 3  # 2: documents in a memory-mapped blob; 3: PDF pages and section headings

MANIFEST = "manifest.json"

#: Written first into every build folder this tool makes; clean-up removes only folders holding it,
#: never a user's own folder that happens to be called ``build-...`` or ``.tmp-...``.
OWNER_MARK = ".qa-build"


def index_name(corpus: Path) -> str:
    """A folder name per corpus: readable, and unique per absolute path."""
    corpus = corpus.resolve()
    digest = hashlib.sha256(str(corpus).encode("utf-8")).hexdigest()[:10]
    return f"{corpus.name or 'corpus'}-{digest}"


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
        "passage_precision": passage_precision(),
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
