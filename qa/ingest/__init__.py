"""Reading documents: one extractor per file format, each returning plain text plus its layout.

``extract(path)`` dispatches on the suffix. The text it returns is what the index stores and what
citations point into (``document.text[start:end] == answer.text``); the layout says on which PDF
page and under which heading each offset lies. A file that cannot be read raises ``Unreadable``
with a reason a person understands ("no text layer: scanned PDF; OCR is not supported").

Imported at index time only: the libraries behind it (pypdf, trafilatura, python-docx,
markdown-it-py) never load on the query path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from qa.ingest.layout import Extracted, Unreadable

#: Suffix -> (module, the distribution whose version the index manifest records).
FORMATS: dict[str, tuple[str, str | None]] = {
    ".txt": ("qa.ingest.plain", None),
    ".md": ("qa.ingest.markdown", "markdown-it-py"),
    ".markdown": ("qa.ingest.markdown", "markdown-it-py"),
    ".pdf": ("qa.ingest.pdf", "pypdf"),
    ".html": ("qa.ingest.html", "trafilatura"),
    ".htm": ("qa.ingest.html", "trafilatura"),
    ".docx": ("qa.ingest.docx", "python-docx"),
}
SUFFIXES = tuple(FORMATS)
#: Bumped when our own post-processing of extracted text changes, so old indexes re-extract.
EXTRACTION_VERSION = 1

__all__ = ["EXTRACTION_VERSION", "Extracted", "FORMATS", "SUFFIXES", "Unreadable", "extract", "extractor_versions"]


def extract(path: Path, on_page: Callable[[], None] | None = None, data: bytes | None = None) -> Extracted:
    """The text and layout of one file.

    Args:
        path: a file with a suffix in ``SUFFIXES``.
        on_page: called once per PDF page read (for a pages/s progress figure).
        data: the file's bytes, when the caller has read them already (to hash what is indexed).

    Raises:
        Unreadable: the file cannot be read as its format (damaged, encrypted, scanned, empty).
    """
    import importlib

    module, _ = FORMATS[path.suffix.lower()]
    reader = importlib.import_module(module)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Unreadable(f"cannot read it ({exc.strerror or exc})") from None
    if not data.strip():
        raise Unreadable("empty file")
    result = reader.extract(data, on_page=on_page) if module == "qa.ingest.pdf" else reader.extract(data)
    if not result.text.strip():
        raise Unreadable("no text in it")
    return result


def extractor_versions() -> dict[str, str]:
    """``{suffix: "library==version"}`` plus our own post-processing version, for the manifest:
    an index built by another version of an extractor is stale, so an upgrade re-extracts."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"qa": str(EXTRACTION_VERSION)}
    for suffix, (_, dist) in FORMATS.items():
        if dist is None:
            continue
        try:
            out[suffix] = f"{dist}=={version(dist)}"
        except PackageNotFoundError:
            out[suffix] = f"{dist} (not installed)"
    return out
