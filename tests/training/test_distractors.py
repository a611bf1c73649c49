"""Distractor paragraphs: the article's BM25-best paragraph without the answer, labelled unanswerable."""

from __future__ import annotations

import random

from qa.training.data import Row
from qa.training.distractors import distractor_rows

OWN = "The Eiffel Tower was completed in 1889 for the World's Fair in Paris."
NEAR = "The tower's designer, Gustave Eiffel, also built a bridge; the tower was painted in 1968."
HAS_ANSWER = "By 1889 the tower was the tallest structure; it was completed on time."
FAR = "Paris has about two million inhabitants and many museums."


def _row(i, question, context, answer="", title="Eiffel_Tower"):
    return Row(str(i), title, question, context, [answer] if answer else [],
               [context.index(answer)] if answer else [], "squad-train")


def test_the_distractor_is_the_best_bm25_paragraph_of_the_article_without_the_answer():
    rows = [_row(1, "When was the Eiffel tower completed?", OWN, "1889"),
            _row(2, "Who designed the tower?", NEAR, "Gustave Eiffel"),
            _row(3, "When was the tower completed?", HAS_ANSWER, "1889"),
            _row(4, "How many live in Paris?", FAR, "about two million")]
    out = {r.id: r for r in distractor_rows(rows, 1.0, random.Random(0))}
    first = out["1-distractor"]
    # HAS_ANSWER matches the question best but holds "1889"; the own paragraph is never a distractor.
    assert first.context == NEAR and first.question == rows[0].question
    assert first.answers == [] and first.starts == [] and first.title == "Eiffel_Tower"
    assert first.source == "distractor"
    assert all("1889" not in out[k].context for k in ("1-distractor", "3-distractor"))


def test_only_the_article_s_own_paragraphs_and_the_asked_share():
    rows = [_row(1, "When was the Eiffel tower completed?", OWN, "1889"),
            _row(2, "Who designed the tower?", NEAR, "Gustave Eiffel", title="Other"),
            _row(3, "Is this question unanswerable?", FAR)]
    # NEAR is another article's; FAR, the only other paragraph of question 1's own, shares no term
    # with it: no distractor.
    assert distractor_rows(rows, 1.0, random.Random(0)) == []
    # (BM25 needs a few paragraphs: with two, a term in one of them has an idf of 0.)
    same = [_row(i, "When was the Eiffel tower completed?", OWN, "1889") for i in range(10)] + \
           [_row(10, "Who designed the tower?", NEAR, "Gustave Eiffel"),
            _row(11, "How many live in Paris?", FAR, "about two million")] + \
           [_row(13 + i, "Which river?", f"The Seine is river number {i}.", f"number {i}") for i in range(4)]
    assert len(distractor_rows(same, 0.5, random.Random(0))) == round(0.5 * 16)
    assert distractor_rows(same, 0.0, random.Random(0)) == []
