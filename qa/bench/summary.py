"""Aggregating per-question records into the figures a report shows.

EM and F1 are averaged x100 in record order, as the official SQuAD script sums them; retrieval
figures are fractions in [0, 1], as the retrieval literature prints them.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from qa.bench.metrics import recall_at_k, reciprocal_rank_at_k
from qa.bench.runner import QUESTION_WORDS, Record

RECALL_CUTOFFS = (1, 5, 20)


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    """``{"p50", "p95"}`` of latencies in milliseconds (0 for none)."""
    if not len(values_ms):
        return {"p50": 0.0, "p95": 0.0}
    p50, p95 = np.percentile(np.asarray(values_ms, dtype=np.float64), [50, 95])
    return {"p50": float(p50), "p95": float(p95)}


def answer_block(records: Sequence[Record]) -> dict[str, float | int]:
    """``{"n", "em", "f1"}`` of ``records`` (x100)."""
    n = len(records)
    if not n:
        return {"n": 0, "em": 0.0, "f1": 0.0}
    return {
        "n": n,
        "em": 100.0 * sum(r.em for r in records) / n,
        "f1": 100.0 * sum(r.f1 for r in records) / n,
    }


def abstention(records: Sequence[Record]) -> dict[str, float | int | None]:
    """How often the system abstained, and how well that matches the unanswerable questions.

    Precision: of the questions where it abstained, the share that are unanswerable. Recall: of
    the unanswerable questions, the share where it abstained. None where the share has no
    denominator.
    """
    abstained = [r for r in records if r.abstained]
    unanswerable = [r for r in records if not r.answerable]
    both = sum(1 for r in abstained if not r.answerable)
    return {
        "abstained": len(abstained),
        "precision": both / len(abstained) if abstained else None,
        "recall": both / len(unanswerable) if unanswerable else None,
    }


def retrieval(records: Sequence[Record]) -> dict | None:
    """Recall@1/5/20 and MRR@10 over answerable questions (None when there are none)."""
    hits = [r.hits for r in records if r.answerable]
    if not hits:
        return None
    n = len(hits)
    return {
        "recall": {str(k): sum(recall_at_k(h, k) for h in hits) / n for k in RECALL_CUTOFFS},
        "mrr10": sum(reciprocal_rank_at_k(h, 10) for h in hits) / n,
    }


def by_question_word(records: Sequence[Record]) -> dict[str, dict[str, float | int]]:
    """F1 (x100) and count per wh-word, in a fixed order, words without questions left out."""
    out = {}
    for word in (*QUESTION_WORDS, "other"):
        group = [r for r in records if r.qword == word]
        if group:
            out[word] = {"n": len(group), "f1": 100.0 * sum(r.f1 for r in group) / len(group)}
    return out


def citations(records: Sequence[Record]) -> dict | None:
    """How many answers cite the document (and PDF page) the question set names; None without any."""
    named = [r for r in records if r.answerable and r.gold_file]
    if not named:
        return None
    right_file = [r for r in named if r.cited_doc == r.gold_file]
    paged = [r for r in named if r.gold_page is not None]
    right_page = [r for r in paged if r.cited_doc == r.gold_file and r.cited_page == r.gold_page]
    return {"n": len(named), "right_file": len(right_file), "n_with_page": len(paged), "right_page": len(right_page),
            "right_page_and_correct": sum(r.em == 1 for r in right_page)}


def summarize(records: Sequence[Record]) -> dict:
    """The answer, retrieval and latency figures of one run (report keys, see ``qa.bench.report``)."""
    out: dict = {"n": len(records)}
    overall = answer_block(records)
    out["em"], out["f1"] = overall["em"], overall["f1"]
    has = [r for r in records if r.answerable]
    no = [r for r in records if not r.answerable]
    if has:
        out["has_ans"] = answer_block(has)
    if no:
        out["no_ans"] = answer_block(no)
    out["abstention"] = abstention(records)
    ret = retrieval(records)
    if ret is not None:
        out.update(ret)
    total = [r.retrieve_ms + r.read_ms for r in records]
    out["latency_ms"] = {
        **percentiles(total),
        "retrieve": percentiles([r.retrieve_ms for r in records]),
        "read": percentiles([r.read_ms for r in records]),
    }
    out["qps"] = len(records) / (sum(total) / 1000) if sum(total) > 0 else 0.0
    out["by_question_word"] = by_question_word(records)
    cited = citations(records)
    if cited is not None:
        out["citations"] = cited
    return out
