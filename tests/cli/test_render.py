"""What a person reads: the answer, its citation, the sentence with the answer marked, nothing unsafe."""

from __future__ import annotations

from qa.cli.render import citation, render_answer, render_answers
from qa.cli.show import show_text
from qa.cli.terminal import printable
from qa.errors import QAError
from qa.types import Answer, Document

import pytest

SENTENCE = "Trotsky was assassinated on August 20, 1940 after feeding his rabbits."


def _answer(**kw) -> Answer:
    start = 100 + SENTENCE.index("August")
    fields = dict(text="August 20, 1940", score=0.95, doc_id="notes/soviet.txt", start=start, end=start + 15,
                  sentence=SENTENCE, sentence_start=100, line=49)
    fields.update(kw)
    return Answer(**fields)


def test_an_answer_shows_its_words_score_citation_and_bracketed_sentence():
    text = render_answer(_answer())
    assert text.splitlines() == [
        "August 20, 1940",
        "   score 0.95 | notes/soviet.txt, line 49, characters 128-143",
        "   “Trotsky was assassinated on [August 20, 1940] after feeding his rabbits.”",
    ]


def test_a_pdf_citation_names_page_and_section():
    assert citation(_answer(doc_id="r.pdf", page=4, section="Results › Table 2")) == \
        "r.pdf, page 4, § Results › Table 2, characters 128-143"


def test_no_answer_and_numbered_answers():
    assert render_answer(Answer.no_answer(0.25)) == "No answer found in the corpus (confidence 0.25)."
    two = render_answers([_answer(), _answer(text="1940", start=139, end=143)])
    assert two.startswith("1. August 20, 1940") and "\n2. 1940\n" in two


def test_escape_sequences_in_file_names_and_text_are_shown_not_obeyed():
    assert printable("bad\x1b[2Jname\nx") == "bad\\x1b[2Jname\\nx"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert "\x1b" not in render_answer(_answer(doc_id="evil\x1b[31m.txt", text="Aug\x1bust"))


class _OneDocument:
    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def has_document(self, doc_id):
        return doc_id == self.doc.id

    def document(self, doc_id):
        return self.doc


def test_show_prints_a_page_or_the_text_around_a_citation_and_refuses_what_is_not_there():
    doc = Document("r.pdf", "Page one text.\fPage two text.", pages=(0, 15), sections=((15, "Two"),))
    index = _OneDocument(doc)
    assert show_text(index, "r.pdf", page=2) == "r.pdf, page 2 of 2, characters 15-29:\nPage two text."
    assert show_text(index, "r.pdf", start=20, end=23, context=5) == "r.pdf, page 2, § Two, characters 20-23:\n…Page [two] text…"
    for kwargs, message in (({"page": 3}, "pages 1-2"), ({"start": 5, "end": 99}, "outside"), ({"end": 4}, "--end needs")):
        with pytest.raises(QAError, match=message):
            show_text(index, "r.pdf", **kwargs)
    with pytest.raises(QAError, match="no document 'x.txt'"):
        show_text(index, "x.txt")
