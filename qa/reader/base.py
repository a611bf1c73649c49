"""What a reader sees: ranked passages and a small lookup of the documents they come from.

A reader never imports the index package. ``qa.index.store.CorpusIndex`` implements
``DocumentLookup``; so can anything else that holds documents (a test's dictionary, another store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    from qa.types import Answer, Document, Passage


@runtime_checkable
class DocumentLookup(Protocol):
    """The documents behind a list of passages, for reading and citing answers.

    Every offset is a character offset into ``document(doc_id).text``.
    """

    def document(self, doc_id: str) -> Document:
        """The stored document (text, PDF page starts, section headings); KeyError if unknown."""
        ...

    def sentence_spans(self, doc_id: str, start: int, end: int) -> Sequence[tuple[int, int]]:
        """``(start, end)`` of each sentence of ``doc_id`` lying inside ``[start, end)``, in order."""
        ...

    def labelled_spans(self, doc_id: str, start: int, end: int) -> Sequence[tuple[int, int, str]]:
        """``(start, end, label)`` of each entity or noun phrase inside ``[start, end)``, in order.

        Labels are spaCy's entity labels (PERSON, DATE, ...) and ``NP`` for noun phrases.
        """
        ...

    def term_idf(self, term: str) -> float:
        """How rare an analyzed term (``qa.ingest.analyzer.analyze``) is among the corpus's passages."""
        ...


class Reader(Protocol):
    """Picks answer spans from passages; every answer is cited into ``documents``."""

    def read(self, question: str, passages: list[Passage], documents: DocumentLookup, top_k: int) -> list[Answer]:
        """Ranked answers (best first); ``[Answer.no_answer()]`` when nothing is good enough."""
        ...
