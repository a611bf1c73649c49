"""Turning a chosen span into a cited Answer, and a ranked list of them into the reader's output.

Shared by every reader, so all answers carry the same citation: document, exact character range,
line number, and the sentence(s) that hold the span.
"""

from __future__ import annotations

import numpy as np

from qa.index_store import CorpusIndex
from qa.types import Answer, Passage


def enclosing_sentence(index: CorpusIndex, doc: int, chunk_start: int, chunk_end: int, start: int, end: int) -> tuple[int, int]:
    """``[s0, s1)`` of the sentence (or run of sentences) holding ``[start, end)``; the chunk if none."""
    sents = index.rows_within(index.sentences, doc, chunk_start, chunk_end)
    if not len(sents):
        return chunk_start, chunk_end
    first = int(np.searchsorted(sents[:, 1], start, side="right") - 1)
    last = int(np.searchsorted(sents[:, 1], end, side="left") - 1)
    if first < 0:
        return chunk_start, chunk_end
    last = max(first, last)
    s0, s1 = int(sents[first, 1]), int(sents[last, 2])
    return (s0, s1) if s1 >= end else (s0, chunk_end)


def cite(index: CorpusIndex, passage: Passage, start: int, end: int, score: float) -> Answer | None:
    """An Answer for ``document.text[start:end]`` found in ``passage``; None if the range is empty."""
    chunk = passage.chunk
    d = index.doc_index(chunk.doc_id)
    text = index.documents[d].text
    if not (chunk.start <= start < end <= chunk.end):
        return None
    s0, s1 = enclosing_sentence(index, d, chunk.start, chunk.end, start, end)
    return Answer(
        text=text[start:end],
        score=float(min(1.0, max(0.0, score))),
        doc_id=chunk.doc_id,
        start=int(start),
        end=int(end),
        sentence=text[s0:s1],
        sentence_start=s0,
        passage=passage,
        line=text.count("\n", 0, int(start)) + 1,
        page=index.page_at(d, int(start)),
        section=index.section_at(d, int(start)),
    )


def keep_best(best: dict[str, Answer], answer: Answer | None) -> None:
    """Keep one answer per distinct (case-folded) text: the best-scored occurrence."""
    if answer is None:
        return
    key = answer.text.lower()
    if key not in best or answer.score > best[key].score:
        best[key] = answer


def ranked_or_abstain(best: dict[str, Answer], threshold: float, top_k: int, passages: list[Passage]) -> list[Answer]:
    """Answers at or above ``threshold``, best first; an explicit no-answer when there are none."""
    ranked = sorted(best.values(), key=lambda a: (-a.score, a.start))
    if not ranked or ranked[0].score < threshold:
        top = ranked[0].score if ranked else 0.0
        return [Answer.no_answer(score=float(1.0 - top), passage=passages[0] if passages else None)]
    return [a for a in ranked if a.score >= threshold][:top_k]
