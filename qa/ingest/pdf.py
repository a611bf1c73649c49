"""PDF files by pypdf: the text layer page by page, with page starts for citations.

Chosen over pdfminer.six on the sample files (README, "Reading documents"): faster, and every
question's answer was found on its cited page. Post-processing, the same for every PDF:

- ligature code points (U+FB00-FB06: "ﬁ", "ﬂ" ...) become their letters, so "efﬁcient" matches
  "efficient";
- a word broken at a line end ("ef-\\nficient") is joined, unless the document also writes the
  hyphenated form mid-line ("dual-encoder"), which marks a real compound;
- control characters other than tab and newline are dropped.

An encrypted file is opened when it has no user password; otherwise it is skipped, as are damaged
files, files with no pages and files with no text layer (scans: OCR is not supported).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from typing import Callable

from qa.ingest.layout import Extracted, Unreadable

PAGE_BREAK = "\n\n"
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_BROKEN_WORD = re.compile(r"(\w+)-\n(\w+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def extract(data: bytes, on_page: Callable[[], None] | None = None) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every odd object
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _open_encrypted(reader):
            raise Unreadable("encrypted PDF: it needs a password")
        pages = reader.pages
        n_pages = len(pages)
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise Unreadable(f"damaged PDF ({_reason(exc)})") from None
    except Exception as exc:  # pypdf raises many kinds on truncated or malformed files
        raise Unreadable(f"damaged PDF ({_reason(exc)})") from None
    if n_pages == 0:
        raise Unreadable("the PDF has no pages")
    texts = []
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one bad page: keep the others, numbered as they are
            logging.getLogger("qa").debug("unreadable PDF page: %s", exc)
            texts.append("")
        if on_page is not None:
            on_page()
    if not any(re.search(r"\w", t) for t in texts):
        raise Unreadable("no text layer: scanned PDF; OCR is not supported")
    texts = clean_pages(texts)
    starts, parts, size = [], [], 0
    for t in texts:
        if parts:
            parts.append(PAGE_BREAK)
            size += len(PAGE_BREAK)
        starts.append(size)
        parts.append(t)
        size += len(t)
    return Extracted("".join(parts), starts, [])


def _open_encrypted(reader) -> bool:
    """Open a file protected only by an owner password (an empty user password); False otherwise."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # missing AES support (cryptography) or a broken encryption dictionary
        return False


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def clean_pages(texts: list[str]) -> list[str]:
    """Ligatures, line-end hyphenation and control characters, fixed across the whole document."""
    texts = [_CONTROL.sub("", _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), t)) for t in texts]
    whole = "\n".join(texts)
    # Hyphenated forms the document writes mid-line are real compounds: keep their hyphen.
    compounds = {m.group().lower() for m in re.finditer(r"\b\w+-\w+\b", whole.replace("-\n", "\0"))}

    def join(m: re.Match) -> str:
        head, tail = m.group(1), m.group(2)
        if f"{head}-{tail}".lower() in compounds or not tail[:1].islower():
            return f"{head}-{tail}"
        return head + tail

    return [_BROKEN_WORD.sub(join, t) for t in texts]
