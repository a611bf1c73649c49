"""The extractors on real files (../shared/corpus-samples): text, pages, sections, clean skips."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest

from qa.ingest import Unreadable, extract
from qa.types import Document
from support import REPO, SHARED

SAMPLES = SHARED / "corpus-samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"samples not found at {SAMPLES}")


@lru_cache(maxsize=None)  # each file is extracted once for the whole module
def _doc(name: str) -> Document:
    x = extract(SAMPLES / name)
    return Document(name, x.text, tuple(x.pages), tuple(x.sections))


def _questions():
    return [json.loads(line) for line in (SAMPLES / "questions.jsonl").read_text().splitlines() if line.strip()]


def _page_text(doc: Document, page: int) -> str:
    end = doc.pages[page] if page < len(doc.pages) else len(doc.text)
    return doc.text[doc.pages[page - 1] : end]


@pytest.mark.parametrize("name", ["paper_2col_longeval_eacl2023.pdf", "manual_ibm_redpaper_rcac_sampled.pdf"])
def test_every_pdf_answer_is_on_its_cited_page(name):
    doc = _doc(name)
    questions = [q for q in _questions() if q["file"] == name]
    assert questions and doc.pages[0] == 0 and doc.pages == tuple(sorted(doc.pages))
    for q in questions:
        page = " ".join(_page_text(doc, q["page"]).split())
        assert any(a in page for a in q["answers"]), (q["id"], q["page"])


def test_page_count_and_page_lookup_agree():
    doc = _doc("paper_2col_longeval_eacl2023.pdf")
    assert len(doc.pages) == 20
    assert doc.page_at(0) == 1 and doc.page_at(doc.pages[3]) == 4 and doc.page_at(len(doc.text) - 1) == 20


def test_ligatures_are_letters_and_broken_words_are_joined():
    text = extract(SAMPLES / "paper_ligatures_dpr_arxiv2004.04906.pdf").text
    assert not re.search("[\ufb00-\ufb06]", text)
    assert "efficient" in text and "ef-\nficient" not in text
    # Hyphenated compounds the paper also writes mid-line keep their hyphen.
    assert "dual-encoder" in text


def test_encrypted_and_scanned_pdfs_are_refused_with_their_reason():
    with pytest.raises(Unreadable, match="encrypted PDF"):
        extract(SAMPLES / "encrypted_doclaynet_p3_pw1234.pdf")
    with pytest.raises(Unreadable, match="no text layer: scanned PDF; OCR is not supported"):
        extract(SAMPLES / "scanned_linnsequencer_brochure.pdf")


def test_web_page_keeps_the_article_and_drops_the_page_chrome():
    doc = _doc("wikipedia_duck_2024.html")
    assert "Jump to content" not in doc.text and "function(" not in doc.text and "{" not in doc.text[:2000]
    flat = " ".join(doc.text.split())
    for q in _questions():
        if q["file"] == doc.id:
            assert any(a in flat for a in q["answers"]), q["id"]
    start = doc.text.index("The word duck comes from Old English")
    assert doc.section_at(start) == "Duck › Etymology"
    assert "Kingdom: | Animalia" in doc.text  # the infobox table, one row a line


def test_data_table_becomes_rows_of_cells():
    text = extract(SAMPLES / "wikipedia_time_loop_films_2024.html").text
    rows = [line for line in text.splitlines() if line.count(" | ") >= 2]
    assert len(rows) > 50 and any("Groundhog Day" in r and "1993" in r for r in rows)


def test_word_file_headings_become_sections_and_tables_rows():
    doc = _doc("fedramp_ssp_guide_overview.docx")
    assert [title for _, title in doc.sections][:2] == ["Overview", "Overview › Who Should Use This Document?"]
    assert any(line.count(" | ") >= 1 for line in doc.text.splitlines())
    for start, title in doc.sections:
        assert doc.text[start:].startswith(title.split(" › ")[-1])


def test_word_heading_tabs_become_spaces():
    doc = _doc("doj_ch13_trustee_handbook.docx")
    titles = [t for _, t in doc.sections]
    assert "CHAPTER 1 – INTRODUCTION › A. PURPOSE" in titles and not any("\t" in t for t in titles)


def test_markdown_markup_does_not_reach_the_text():
    doc = _doc("readme_unstructured_2024.md")
    assert "](" not in doc.text and "<h3" not in doc.text and "**" not in doc.text and "<div" not in doc.text
    assert "data:image/svg" not in doc.text
    assert any(t.endswith("Installing the library") for _, t in doc.sections)
    ocr = _doc("readme_ocrmypdf.md")
    assert "<!--" not in ocr.text and "ocrmypdf" in ocr.text.lower()




def test_the_extra_question_set_is_answered_by_its_own_files_and_pages():
    """``tests/data/samples_extra_questions.jsonl``, the out-of-domain set beside the shared one:
    every answer is in its file's extracted text (whitespace aside), PDF answers on the page named."""
    from qa.bench.datasets import load

    qset = load(REPO / "tests" / "data" / "samples_extra_questions.jsonl")
    questions = qset.questions
    files = {q.file for q in questions}
    assert len(questions) >= 40 and len(files) >= 9
    assert sum(not q.answerable for q in questions) >= 5
    docs = {name: _doc(name) for name in files}
    for q in questions:
        doc = docs[q.file]
        if not q.answerable:
            assert not q.answers, q.id
            continue
        if q.page is not None:
            assert doc.pages, (q.id, "a page is named for a file without pages")
            where = _page_text(doc, q.page)
        else:
            where = doc.text
        where = " ".join(where.split())
        assert all(" ".join(a.split()) in where for a in q.answers), (q.id, q.page)
