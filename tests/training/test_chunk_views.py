"""Chunk views: a question read in its article's index chunks (answer chunk and BM25 distractor)."""

from __future__ import annotations

import random

import pytest

from qa.bench.corpora import PARAGRAPH_SEPARATOR
from qa.training.chunk_views import chunk_view_rows, sentence_spans
from qa.training.data import Row, dev_titles, load_squad_file, rows_of


@pytest.fixture(scope="module")
def article_rows(benchmarks):
    dev1 = load_squad_file(benchmarks / "squad" / "dev-v1.1.json")
    fit, _ = dev_titles(dev1)
    return rows_of(dev1, {fit[0]}, "dev-v1.1")


def test_sentences_never_cross_a_paragraph_break():
    text = "Stalin rose. Trotsky fell\n\nin 1927. Bukharin followed."
    spans = sentence_spans([text])[0]
    assert [text[s:e] for s, e in spans] == ["Stalin rose.", "Trotsky fell", "in 1927.", "Bukharin followed."]


def test_chunk_views_hold_the_answer_at_exact_offsets_and_a_distractor_without_it(article_rows):
    rows = article_rows
    paragraphs = list(dict.fromkeys(r.context for r in rows))
    article = PARAGRAPH_SEPARATOR.join(paragraphs)
    out = chunk_view_rows(rows, 1.0, random.Random(0))
    by_id = {r.id: r for r in rows}
    answer_rows = [r for r in out if r.id.endswith("-chunk")]
    distractors = [r for r in out if r.id.endswith("-chunk-distractor")]
    # Nearly every question has both views (a few answers cross a chunk seam).
    assert len(answer_rows) >= 0.9 * len(rows) and len(distractors) >= 0.9 * len(rows)
    seams = 0
    for view in answer_rows:
        q = by_id[view.id.removesuffix("-chunk")]
        assert view.question == q.question and view.title == q.title and view.source == "chunk-view"
        assert view.context in article and view.context != q.context
        assert view.answers[0] == q.answers[0]
        for a, s in zip(view.answers, view.starts):
            assert view.context[s : s + len(a)] == a
        seams += PARAGRAPH_SEPARATOR in view.context
    # Chunks are packed across paragraph breaks: that is the shape the reader must learn.
    assert seams >= 0.5 * len(answer_rows)
    for view in distractors:
        q = by_id[view.id.removesuffix("-chunk-distractor")]
        assert view.answers == [] and view.starts == [] and view.context in article
        assert not any(a.lower() in view.context.lower() for a in q.answers)


def test_only_the_asked_share_and_each_article_on_its_own(article_rows):
    rows = article_rows
    assert chunk_view_rows(rows, 0.0, random.Random(0)) == []
    half = chunk_view_rows(rows, 0.5, random.Random(0))
    asked = {r.id.split("-chunk")[0] for r in half}
    assert len(asked) <= round(0.5 * len(rows)) and len(asked) >= 0.45 * len(rows)
    # A one-paragraph article of another title: its question never reads this article's chunks.
    lone = Row("x", "Lone", "What is it?", "It is a short text.", ["short text"], [6], "t")
    out = chunk_view_rows(rows + [lone], 1.0, random.Random(0))
    assert not any(r.id.startswith("x-") for r in out)
    assert {r.title for r in out} == {rows[0].title}
