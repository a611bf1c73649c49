"""Turning a chosen span into a cited Answer, and a ranked list of them into the reader's output.

Shared by every reader, so all answers carry the same citation: document, exact character range,
line number, and the sentence(s) that hold the span.
"""

from __future__ import annotations

import numpy as np

from qa.types import Answer, Document, Passage


def enclosing_sentence(sentences: np.ndarray, chunk_start: int, chunk_end: int, start: int, end: int) -> tuple[int, int]:
    """``[s0, s1)`` of the sentence (or run of sentences) holding ``[start, end)``; the chunk if none.

    ``sentences`` holds the ``(start, end)`` rows of the chunk's sentences, in order.
    """
    if not len(sentences):
        return chunk_start, chunk_end
    first = int(np.searchsorted(sentences[:, 0], start, side="right") - 1)
    last = int(np.searchsorted(sentences[:, 0], end, side="left") - 1)
    if first < 0:
        return chunk_start, chunk_end
    last = max(first, last)
    s0, s1 = int(sentences[first, 0]), int(sentences[last, 1])
    return (s0, s1) if s1 >= end else (s0, chunk_end)


def sentence_table(rows) -> np.ndarray:
    """A lookup's ``(start, end)`` sentence rows as an (n, 2) int64 array."""
    return np.asarray(rows, dtype=np.int64).reshape(-1, 2)


def cite(document: Document, sentences: np.ndarray, passage: Passage, start: int, end: int,
         score: float) -> Answer | None:
    """An Answer for ``document.text[start:end]`` found in ``passage``; None if the range is empty.

    ``sentences``: the passage's sentences (``sentence_table``), for the answer's context.
    """
    chunk = passage.chunk
    text = document.text
    if not (chunk.start <= start < end <= chunk.end):
        return None
    s0, s1 = enclosing_sentence(sentences, chunk.start, chunk.end, start, end)
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
        page=document.page_at(int(start)),
        section=document.section_at(int(start)),
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
