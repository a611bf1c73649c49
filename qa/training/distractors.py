"""Distractor paragraphs: an answerable question paired with another paragraph of its article,
labelled unanswerable.

In document and corpus modes the reader reads the top retrieved passages, most of which do not hold
the answer, and keeps the best-scored span among them all. Trained on each question's own paragraph
only, its null score seldom had to reject a plausible paragraph of the same article. Measured on the
tuning articles (document mode, 5 passages, the session-10 reader): the best span by score gives F1
74.1, while the best of the same candidate spans would give 81.5.

A distractor is the paragraph of the question's article that BM25 (the index's analyzer and
weights) ranks first for the question among those holding none of its answers.
"""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np

from qa.index.lexical import LexicalIndex
from qa.ingest.analyzer import analyze
from qa.training.data import Row


def questions_by_article(rows: list[Row], share: float,
                         rng: random.Random) -> tuple[dict[str, list[str]], dict[str, list[Row]]]:
    """The paragraphs of each article of ``rows`` (in first-seen order), and a ``share`` of the
    answerable rows drawn with ``rng``, grouped by article (empty when there is nothing to draw)."""
    answerable = [r for r in rows if r.answers]
    if share <= 0 or not answerable:
        return {}, {}
    chosen = rng.sample(answerable, min(len(answerable), round(share * len(answerable))))
    paragraphs: dict[str, dict[str, None]] = defaultdict(dict)  # an ordered set per title
    for r in rows:
        paragraphs[r.title].setdefault(r.context)
    by_title: dict[str, list[Row]] = defaultdict(list)
    for r in chosen:
        by_title[r.title].append(r)
    return {t: list(p) for t, p in paragraphs.items()}, dict(by_title)


def distractor_rows(rows: list[Row], share: float, rng: random.Random) -> list[Row]:
    """Unanswerable rows for a ``share`` of the answerable ``rows`` (drawn with ``rng``).

    Paragraphs are those of ``rows`` with the same title. A question gets no distractor when every
    other paragraph of its article holds one of its answers or shares no term with it.
    """
    paragraphs, by_title = questions_by_article(rows, share, rng)
    out = []
    for title, questions in by_title.items():
        texts = paragraphs[title]
        if len(texts) < 2:
            continue
        ranker = AnswerlessRanker(texts)
        for r in questions:
            k = ranker.best(r.question, r.answers, skip=r.context)
            if k is not None:
                out.append(Row(f"{r.id}-distractor", title, r.question, texts[k], source="distractor"))
    return out


class AnswerlessRanker:
    """BM25 (the index's analyzer and weights) over one article's passages, to find the passage that
    matches a question best among those holding none of its answers."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.index = LexicalIndex.build([analyze(t) for t in texts])
        self.folded = [t.lower() for t in texts]

    def best(self, question: str, answers: list[str], skip: str | None = None) -> int | None:
        """Position of that passage (never one equal to ``skip``); None when every passage holds an
        answer (case-folded) or shares no term with the question."""
        scores = self.index.scores(analyze(question))
        golds = [a.lower() for a in answers]
        for k in np.argsort(-scores, kind="stable"):
            if scores[k] <= 0:
                return None
            if self.texts[k] != skip and not any(g in self.folded[k] for g in golds):
                return int(k)
        return None
