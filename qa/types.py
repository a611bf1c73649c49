"""The plain values that flow through the pipeline: documents, chunks, passages, answers.

Every offset is a half-open character range ``[start, end)`` into ``Document.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Method(str, Enum):
    """How passages are ranked: BM25 alone, dense alone, or their fusion."""

    BM25 = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"


#: The method names as users spell them (``--retriever``, ``method=``).
METHODS = tuple(m.value for m in Method)


@dataclass(frozen=True)
class Document:
    """One source file: ``id`` is its path relative to the corpus folder.

    ``text`` is the extracted text (for PDF, HTML, Word and Markdown: without markup) that every
    citation points into. ``pages`` holds the start offset of each PDF page (empty for other
    formats); ``sections`` the ``(start, heading path)`` of each section, in order.
    """

    id: str
    text: str
    pages: tuple[int, ...] = ()
    sections: tuple[tuple[int, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """1-based page that holds ``offset`` (None for a format without pages)."""
        from bisect import bisect_right

        return bisect_right(self.pages, offset) if self.pages else None

    def section_at(self, offset: int) -> str | None:
        """Heading path of the section that holds ``offset`` (None before the first heading)."""
        from bisect import bisect_right

        i = bisect_right([s for s, _ in self.sections], offset) - 1
        return self.sections[i][1] if i >= 0 else None


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one document; ``text == document.text[start:end]``."""

    index: int
    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and its 1-based rank in each ranked list.

    ``ranks`` maps a retriever name (``"bm25"``, ``"dense"``) to the chunk's rank there, or
    None when that list did not return it.
    """

    chunk: Chunk
    score: float
    ranks: dict[str, int | None] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id

    @property
    def text(self) -> str:
        return self.chunk.text


@dataclass(frozen=True)
class Span:
    """A cited character range: ``document(doc_id).text[start:end]``."""

    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Answer:
    """An extracted answer, or an explicit "no answer" (``text is None``).

    Attributes:
        text: the exact answer words, ``document.text[start:end]``; None when the system abstains.
        score: confidence in [0, 1].
        doc_id: the document the answer comes from (None for no answer).
        start, end: half-open character range into that document (None for no answer).
        sentence: the sentence that contains the answer.
        sentence_start: where that sentence starts in the document, to highlight the answer in it.
        passage: the retrieved passage the answer came from.
        line: 1-based line number of ``start`` in the document.
        page: 1-based PDF page of ``start`` (None for other formats).
        section: heading path of the section holding ``start`` ("Results › Table 2"), or None.
    """

    text: str | None
    score: float
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    sentence: str | None = None
    sentence_start: int | None = None
    passage: Passage | None = None
    line: int | None = None
    page: int | None = None
    section: str | None = None

    @property
    def is_answer(self) -> bool:
        return self.text is not None

    @property
    def span(self) -> Span | None:
        """The citation as one value (None for no answer)."""
        return None if self.text is None else Span(self.doc_id, self.start, self.end)

    @classmethod
    def no_answer(cls, score: float = 0.0, passage: Passage | None = None) -> "Answer":
        """The explicit abstention: no text, no citation."""
        return cls(text=None, score=score, passage=passage)

    def to_dict(self, question: str | None = None) -> dict:
        """The JSON shape the CLI prints (``answer`` is null when there is none)."""
        out = {} if question is None else {"question": question}
        out.update(
            answer=self.text,
            score=round(float(self.score), 4),
            doc_id=self.doc_id,
            start=self.start,
            end=self.end,
            line=self.line,
            page=self.page,
            section=self.section,
            sentence=self.sentence,
            passage=None if self.passage is None else self.passage.text,
        )
        return out
