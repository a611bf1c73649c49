"""Web pages: the main content only, by trafilatura (no navigation, scripts, styles, cookie banners).

trafilatura finds the article and returns it as XML (``head``, ``p``, ``list/item``, ``table/row/
cell``, ``quote``); this walks that tree into plain text: headings open sections, table rows become
lines of cells separated by " | ", white space inside a block collapses to one space.
"""

from __future__ import annotations

from qa.ingest.layout import Extracted, TextBuilder, Unreadable, collapse

BLOCKS = {"p", "quote", "item", "code"}


def extract(data: bytes) -> Extracted:
    import logging

    import trafilatura
    from lxml import etree

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    # Bytes in: trafilatura finds the encoding (meta charset, then detection) as a browser would.
    xml = trafilatura.extract(data, output_format="xml", include_tables=True, include_comments=False,
                              favor_recall=True, include_links=False, include_images=False)
    if not xml:
        raise Unreadable("no main text found in the page (only scripts, navigation or markup)")
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:  # pragma: no cover - trafilatura writes well-formed XML
        raise Unreadable(f"could not parse the extracted page ({exc})") from None
    out = TextBuilder()
    _walk(root, out)
    return out.result()


def _walk(node, out: TextBuilder) -> None:
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "head":
            rend = child.get("rend") or "h2"
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            out.heading(level, "".join(child.itertext()))
        elif tag == "table":
            for row in child.iter("row"):
                cells = [collapse("".join(c.itertext())) for c in row.iter("cell")]
                if any(cells):
                    out.block(" | ".join(cells))
        elif tag == "list":
            _walk(child, out)
        elif tag in BLOCKS:
            if any(isinstance(c.tag, str) and c.tag in ("list", "table") for c in child):
                _walk(child, out)
            else:
                out.block(collapse("".join(child.itertext())))
        else:
            _walk(child, out)
