"""``qa show``: the extracted text behind a citation, so a person can check it against the file."""

from __future__ import annotations

from qa.errors import QAError


def show_text(index, doc_id: str, page: int | None = None, start: int | None = None, end: int | None = None,
              context: int = 300) -> str:
    """A document's text, one PDF page of it, or the text around ``[start, end)`` with the span bracketed.

    Raises:
        QAError: unknown document, a page it does not have, or offsets outside its text.
    """
    if not index.has_document(doc_id):
        raise QAError(f"no document '{doc_id}' in the index (ids are paths inside the corpus, as answers cite them)")
    doc = index.document(doc_id)
    if page is not None:
        if not doc.pages:
            raise QAError(f"{doc_id} has no pages (only PDF files do)")
        if not 1 <= page <= len(doc.pages):
            raise QAError(f"{doc_id} has pages 1-{len(doc.pages)}, not {page}")
        lo = doc.pages[page - 1]
        hi = doc.pages[page] if page < len(doc.pages) else len(doc.text)
        return f"{doc_id}, page {page} of {len(doc.pages)}, characters {lo}-{hi}:\n{doc.text[lo:hi].strip()}"
    if start is None:
        if end is not None:
            raise QAError("--end needs --start")
        return doc.text
    end = start + 1 if end is None else end
    if not 0 <= start < end <= len(doc.text):
        raise QAError(f"characters {start}-{end} lie outside {doc_id} (0-{len(doc.text)})")
    lo, hi = max(0, start - context), min(len(doc.text), end + context)
    where = [doc_id]
    if doc.page_at(start) is not None:
        where.append(f"page {doc.page_at(start)}")
    if doc.section_at(start):
        where.append(f"§ {doc.section_at(start)}")
    where.append(f"characters {start}-{end}")
    body = f"{'…' if lo else ''}{doc.text[lo:start]}[{doc.text[start:end]}]{doc.text[end:hi]}{'…' if hi < len(doc.text) else ''}"
    return ", ".join(where) + ":\n" + body
