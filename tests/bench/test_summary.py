"""Per-question records and their aggregation (qa.bench.runner, qa.bench.summary)."""

from __future__ import annotations

import pytest

from qa.bench.datasets import Question
from qa.bench.metrics import exact_match, f1_score, squad_scores
from qa.bench.runner import Item, Record, is_hit, question_word
from qa.bench.summary import abstention, percentiles, summarize
from qa.types import Chunk, Passage


def _record(answerable=True, prediction="x", em=1.0, f1=1.0, hits=(), qword="what", ms=1.0) -> Record:
    return Record("id", "q?", answerable, prediction, 0.5, em, f1, list(hits), ms, ms, qword)


@pytest.mark.parametrize(
    "question, word",
    [
        ("Who founded it?", "who"),
        ("To whom was it sold?", "who"),
        ("In what year did it end?", "what"),
        ("The plague came from which city?", "which"),
        ("How many were there?", "how"),
        ("Why did it fail?", "why"),
        ("Name the river.", "other"),
        ("Whose idea was it, and when?", "who"),
    ],
)
def test_question_word(question, word):
    assert question_word(question) == word


def test_hits_by_overlapping_range_or_contained_answer():
    passage = Passage(Chunk(0, "a.txt", 100, 200, "The Denver Broncos won in 2016."), 1.0)
    q = Question("1", "Who won?", ("Denver Broncos",), True)
    assert is_hit(passage, Item(q, None, (("a.txt", 150, 160),)))
    assert is_hit(passage, Item(q, None, (("a.txt", 190, 210),)))
    assert not is_hit(passage, Item(q, None, (("a.txt", 200, 214),)))  # half-open: touches, no overlap
    assert not is_hit(passage, Item(q, None, (("b.txt", 150, 160),)))
    assert is_hit(passage, Item(q))  # JSONL: the words are in the passage
    assert is_hit(passage, Item(Question("2", "When?", ('"2016"',), True)))  # normalized
    assert not is_hit(passage, Item(Question("3", "When?", ("201",), True)))  # whole words only


def test_abstention_precision_and_recall():
    records = [
        _record(answerable=False, prediction=""),   # right abstention
        _record(answerable=False, prediction="y"),  # missed
        _record(answerable=True, prediction=""),    # wrong abstention
        _record(answerable=True, prediction="z"),
    ]
    assert abstention(records) == {"abstained": 2, "precision": 0.5, "recall": 0.5}
    assert abstention([_record()]) == {"abstained": 0, "precision": None, "recall": None}


def test_summary_keys_and_retrieval_over_answerable_only():
    records = [
        _record(hits=[False, True] + [False] * 18),
        _record(hits=[True] + [False] * 19),
        _record(answerable=False, prediction="", hits=[]),
    ]
    s = summarize(records)
    assert s["n"] == 3 and s["has_ans"]["n"] == 2 and s["no_ans"]["n"] == 1
    assert s["recall"] == {"1": 0.5, "5": 1.0, "20": 1.0}
    assert s["mrr10"] == pytest.approx(0.75)
    assert set(s["latency_ms"]) == {"p50", "p95", "retrieve", "read"}
    assert "no_ans" not in summarize(records[:2])


def test_percentiles():
    assert percentiles(list(range(1, 101))) == {"p50": 50.5, "p95": pytest.approx(95.05)}
    assert percentiles([]) == {"p50": 0.0, "p95": 0.0}


def test_summary_equals_the_official_scorer(squad_v2, reference_predictions):
    """Aggregating per-question records must give the official script's figures, to the bit."""
    predictions = reference_predictions["v2.0"]["bidaf-self-attention-elmo"]
    questions = squad_v2.split_questions("heldout")
    records = []
    for q in questions:
        golds = list(q.answers) if q.answerable else []
        p = predictions[q.id]
        records.append(_record(q.answerable, p, exact_match(p, golds), f1_score(p, golds)))
    ours = summarize(records)
    official = squad_scores(squad_v2.data, predictions, qid_subset={q.id for q in questions})
    assert (ours["em"], ours["f1"], ours["n"]) == (official["exact"], official["f1"], official["total"])
    assert ours["has_ans"]["f1"] == official["HasAns_f1"]
    assert ours["no_ans"]["em"] == official["NoAns_exact"]
