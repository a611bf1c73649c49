"""Markdown: the text a reader sees, with headings kept as structure and no markup.

markdown-it-py parses the file (CommonMark plus tables); emphasis, link targets, badges and HTML
tags are dropped, link texts and image alt texts kept, code kept as its text, table rows become
lines of cells separated by " | ". Headings open sections (``# A`` then ``## B`` is "A › B").
"""

from __future__ import annotations

from qa.ingest.layout import Extracted, TextBuilder, Unreadable, collapse


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def inline_text(token) -> str:
    """The visible text of an inline token: words, code, link texts, image alt texts."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n" if child.type == "hardbreak" else " ")
        elif child.type == "image":
            out.append(inline_text(child) if child.children else child.content)
        elif child.type == "html_inline":
            continue
    return "".join(out)


def html_text(html: str) -> str:
    """The visible words of an HTML block inside Markdown (badges, <h3 align>, <div>)."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for bad in root.xpath(".//script|.//style|.//comment()"):
        bad.drop_tree()
    return collapse(" ".join(root.itertext()))


def extract(data: bytes) -> Extracted:
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not valid UTF-8 (byte {exc.start})") from None
    tokens = _parser().parse(source.lstrip("\ufeff"))
    out = TextBuilder()
    row: list[str] | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            out.heading(int(tok.tag[1:]), inline_text(tokens[i + 1]))
            i += 3
            continue
        if tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            out.block(" | ".join(c for c in row))
            row = None
        elif tok.type == "inline" and row is not None:
            row.append(collapse(inline_text(tok)))
        elif tok.type == "inline":
            out.block(inline_text(tok))
        elif tok.type in ("fence", "code_block"):
            out.block(tok.content)
        elif tok.type == "html_block":
            out.block(html_text(tok.content))
        i += 1
    return out.result()
