"""Readers over passages and a document lookup: no index anywhere, the real models, exact citations."""

from __future__ import annotations

import pytest

from qa.reader import DocumentLookup, make_reader
from qa.reader.neural import MODEL_FILE
from qa.types import Chunk, Document, Passage

PREAMBLE = "Annual report\n\nFront matter that no question is about.\n\n"
BODY = (
    "The Harbour Bridge was opened in 1932 by Governor Ada Brennan. "
    "It carries eight lanes of traffic across the river. "
    "Its steel came from Middlesbrough."
)
TEXT = PREAMBLE + BODY


class DictLookup:
    """A ``DocumentLookup`` over plain Python values: what a reader needs, and nothing else."""

    def __init__(self, document: Document, sentences, spans, idf=None) -> None:
        self.documents = {document.id: document}
        self._sentences = sentences
        self._spans = spans
        self._idf = idf or {}

    def document(self, doc_id):
        return self.documents[doc_id]

    def sentence_spans(self, doc_id, start, end):
        return [(s, e) for s, e in self._sentences if start <= s and e <= end]

    def labelled_spans(self, doc_id, start, end):
        return [(s, e, lab) for s, e, lab in self._spans if start <= s and e <= end]

    def term_idf(self, term):
        return self._idf.get(term, 1.0)


def _span(text: str, label: str) -> tuple[int, int, str]:
    start = TEXT.index(text)
    return start, start + len(text), label


def _sentences() -> list[tuple[int, int]]:
    out, start = [], len(PREAMBLE)
    for sentence in ("The Harbour Bridge was opened in 1932 by Governor Ada Brennan.",
                     "It carries eight lanes of traffic across the river.", "Its steel came from Middlesbrough."):
        s = TEXT.index(sentence, start)
        out.append((s, s + len(sentence)))
        start = s + len(sentence)
    return out


@pytest.fixture()
def lookup_and_passage():
    # Page 2 starts with the body, under the heading "Report › Bridge": the citation must say so.
    doc = Document("report.pdf", TEXT, pages=(0, len(PREAMBLE)), sections=((0, "Report"), (len(PREAMBLE), "Report › Bridge")))
    spans = [_span("1932", "DATE"), _span("Governor Ada Brennan", "PERSON"), _span("Ada Brennan", "PERSON"),
             _span("the river", "NP"), _span("Middlesbrough", "GPE"), _span("eight lanes", "NP")]
    lookup = DictLookup(doc, _sentences(), spans)
    # The passage is the body only: offsets inside it are document offsets, not passage offsets.
    passage = Passage(Chunk(0, doc.id, len(PREAMBLE), len(TEXT), BODY), score=1.0)
    return lookup, passage


def test_a_plain_lookup_is_a_document_lookup(lookup_and_passage):
    lookup, _ = lookup_and_passage
    assert isinstance(lookup, DocumentLookup)


@pytest.mark.skipif(not MODEL_FILE.is_file(), reason="reader weights not built")
def test_neural_reader_cites_into_the_lookup_document(lookup_and_passage):
    lookup, passage = lookup_and_passage
    answer = make_reader("neural").read("When was the Harbour Bridge opened?", [passage], lookup, top_k=1)[0]
    assert answer.text == "1932"
    assert TEXT[answer.start:answer.end] == "1932" and answer.start == TEXT.index("1932")
    assert answer.page == 2 and answer.section == "Report › Bridge"
    assert answer.sentence == "The Harbour Bridge was opened in 1932 by Governor Ada Brennan."
    assert answer.sentence_start == TEXT.index("The Harbour")
    assert answer.line == TEXT.count("\n", 0, answer.start) + 1


def test_heuristic_reader_answers_from_the_lookup_spans(lookup_and_passage):
    lookup, passage = lookup_and_passage
    answer = make_reader("heuristic").read("Where did the bridge's steel come from?", [passage], lookup, top_k=1)[0]
    assert answer.text == "Middlesbrough"
    assert TEXT[answer.start:answer.end] == answer.text
    assert answer.page == 2 and answer.section == "Report › Bridge"


def test_heuristic_reader_answers_nothing_when_the_lookup_has_no_spans(lookup_and_passage):
    lookup, passage = lookup_and_passage
    lookup._spans = []
    answers = make_reader("heuristic").read("Where did the bridge's steel come from?", [passage], lookup, top_k=1)
    assert len(answers) == 1 and not answers[0].is_answer


def test_the_corpus_index_is_a_document_lookup(bundled_qa):
    index = bundled_qa.index
    assert isinstance(index, DocumentLookup)
    passage = bundled_qa.retrieve("When was Trotsky assassinated?", k=1)[0]
    chunk = passage.chunk
    sentences = index.sentence_spans(chunk.doc_id, chunk.start, chunk.end)
    text = index.document(chunk.doc_id).text
    assert len(sentences) >= 1
    assert all(chunk.start <= s < e <= chunk.end for s, e in sentences)
    assert "Trotsky was assassinated on August 20, 1940" in " ".join(text[s:e] for s, e in sentences)
    labelled = index.labelled_spans(chunk.doc_id, chunk.start, chunk.end)
    assert ("August 20, 1940", "DATE") in {(text[s:e], lab) for s, e, lab in labelled}
    # A word in every passage says less than a rare one.
    assert index.term_idf("trotski") < index.term_idf("rabbit") < index.term_idf("zzzunseen")
