"""Word (.docx) files by python-docx: paragraphs and tables in document order, headings as sections.

A paragraph styled "Title" or "Heading N" opens a section; tabs inside a heading ("A.\\tPURPOSE")
become spaces. Table rows become lines of cells separated by " | " (a merged cell once).
"""

from __future__ import annotations

import io
import re

from qa.ingest.layout import Extracted, TextBuilder, Unreadable, collapse

_HEADING = re.compile(r"^heading\s*(\d)$", re.I)


def extract(data: bytes) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors: all mean a damaged file
        raise Unreadable(f"damaged or not a Word file ({type(exc).__name__})") from None
    out = TextBuilder()
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(element, document)
            level = _heading_level(para)
            if level:
                out.heading(level, para.text.replace("\t", " "))
            else:
                out.block(para.text)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(collapse(cell.text))
                if any(cells):
                    out.block(" | ".join(cells))
    return out.result()


def _heading_level(para) -> int:
    name = (para.style.name if para.style is not None else "") or ""
    if name.lower() == "title":
        return 1
    m = _HEADING.match(name)
    return int(m.group(1)) if m else 0
