"""``QA`` composes an index, a retriever and a reader: any ``Retriever`` can be handed to it."""

from __future__ import annotations

import pytest

from qa.errors import QAError
from qa.pipeline import QA
from qa.retrieve.base import Retriever
from qa.retrieve.hybrid import HybridRetriever
from qa.types import Method, Passage
from support import write_corpus

DOCS = {
    "bridge.txt": "The Harbour Bridge was opened in 1932 by Governor Ada Brennan. It carries eight lanes.",
    "tunnel.txt": "The harbour tunnel was opened in 1992. It carries four lanes of traffic under the water.",
}


class OnlyDocument:
    """A retriever of our own: the local hybrid ranking, kept to one document, calls recorded."""

    def __init__(self, index, doc_id: str) -> None:
        self.inner = HybridRetriever(index)
        self.doc_id = doc_id
        self.calls: list[tuple[str, int, str]] = []

    def retrieve(self, question, k, method=Method.HYBRID, doc_ids=None) -> list[Passage]:
        self.calls.append((question, k, Method(method).value))
        return self.inner.retrieve(question, k=k, method=method, doc_ids=[self.doc_id])


@pytest.fixture()
def corpus(tmp_path):
    return write_corpus(tmp_path / "docs", DOCS)


def test_a_retriever_of_our_own_decides_what_the_reader_reads(corpus, tmp_path):
    made = []

    def make(index) -> Retriever:
        made.append(OnlyDocument(index, "tunnel.txt"))
        return made[-1]

    qa = QA(corpus=corpus, index_dir=tmp_path / "index", retriever=make, progress=False)
    best = qa.ask("  When was it opened?  ", passages=3)[0]
    # The bridge sentence matches as well; only the tunnel document was handed to the reader.
    assert best.doc_id == "tunnel.txt" and best.text == "1992"
    assert DOCS["tunnel.txt"][best.start:best.end] == "1992"
    # The question reaches the retriever checked once, at the boundary: stripped, with the depth asked.
    assert made[0].calls == [("When was it opened?", 3, "hybrid")]


def test_the_default_retriever_is_the_local_hybrid_one(corpus, tmp_path):
    qa = QA(corpus=corpus, index_dir=tmp_path / "index", progress=False)
    qa.ensure_index()
    assert isinstance(qa._retriever, HybridRetriever) and qa.collection is None


def test_a_retriever_that_is_not_a_function_is_refused(corpus):
    with pytest.raises(QAError, match="retriever must be a function"):
        QA(corpus=corpus, retriever="bm25")


def test_an_answer_carries_its_citation_as_one_span(corpus, tmp_path):
    from qa import Span

    qa = QA(corpus=corpus, index_dir=tmp_path / "index", progress=False)
    best = qa.ask("Who opened the Harbour Bridge?")[0]
    assert best.span == Span("bridge.txt", best.start, best.end)
    assert DOCS[best.span.doc_id][best.span.start:best.span.end] == best.text
    assert qa.ask("How many moons does Jupiter have?")[0].span is None
