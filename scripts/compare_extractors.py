#!/usr/bin/env python
"""Compare PDF and HTML text extractors on ../shared/corpus-samples (the README's "Why these libraries").

For each library: pages (or files) per second, and how many of questions.jsonl's answers are found
in the extracted text of their cited page (PDF) or file (HTML), white space collapsed. The peers
are not dependencies of qa: ``pip install pdfminer.six beautifulsoup4 selectolax`` first.

    .venv/bin/python scripts/compare_extractors.py [--samples ../shared/corpus-samples]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

PDFS = ("paper_2col_longeval_eacl2023.pdf", "paper_ligatures_dpr_arxiv2004.04906.pdf",
        "manual_ibm_redpaper_rcac_sampled.pdf", "singlepage_faa_amt_handbook_p7-45.pdf")
DROP = ["script", "style", "nav", "header", "footer", "aside", "noscript"]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pypdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(path).pages]


def pdfminer_pages(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["".join(el.get_text() for el in page if isinstance(el, LTTextContainer)) for page in extract_pages(path)]


def trafilatura_text(html: bytes) -> str:
    from qa.ingest.html import extract

    return extract(html).text


def bs4_text(html: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(DROP):
        tag.decompose()
    return soup.get_text(" ")


def selectolax_text(html: bytes) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    tree.strip_tags(DROP)
    return tree.body.text(separator=" ") if tree.body else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus-samples")
    args = ap.parse_args()
    questions = [json.loads(x) for x in (args.samples / "questions.jsonl").read_text().splitlines() if x.strip()]
    for name, read in (("pypdf", pypdf_pages), ("pdfminer.six", pdfminer_pages)):
        pages = found = asked = 0
        seconds = 0.0
        for pdf in PDFS:
            t0 = time.perf_counter()
            texts = read(args.samples / pdf)
            seconds += time.perf_counter() - t0
            pages += len(texts)
            for q in questions:
                if q["file"] == pdf:
                    asked += 1
                    found += any(a in flat(texts[q["page"] - 1]) for a in q["answers"])
        print(f"PDF  {name:13s} {pages} pages, {pages / seconds:5.1f} pages/s, answers on their page {found}/{asked}")
    htmls = sorted(args.samples.glob("*.html"))
    for name, read in (("trafilatura", trafilatura_text), ("bs4", bs4_text), ("selectolax", selectolax_text)):
        found = asked = chrome = 0
        seconds = 0.0
        for page in htmls:
            t0 = time.perf_counter()
            text = flat(read(page.read_bytes()))
            seconds += time.perf_counter() - t0
            chrome += "Jump to content" in text or "Navigation menu" in text
            for q in questions:
                if q["file"] == page.name:
                    asked += 1
                    found += any(a in text for a in q["answers"])
        print(f"HTML {name:13s} {len(htmls)} pages, {seconds / len(htmls):.3f} s/page, answers found {found}/{asked}, "
              f"pages with navigation text left {chrome}/{len(htmls)}")


if __name__ == "__main__":
    main()
