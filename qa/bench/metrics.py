"""Benchmark scoring functions.

Two families of pure-Python metrics live here:

* SQuAD answer metrics that reproduce the official evaluation scripts
  (``evaluate-v2.0.py`` and ``evaluate-v1.1.py``) bit for bit, so that our
  numbers can be compared directly with published leaderboard figures.
* Retrieval metrics on ranked lists (recall@k, MRR@k, BEIR / pytrec_eval
  style nDCG@k and recall@k).

Everything is deliberately dependency-free: the official scripts are plain
Python, and re-implementing them with the same operation order is the
simplest way to get identical floating-point results.
"""

from __future__ import annotations

import collections
import math
import re
import string
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Literal

__all__ = [
    "normalize_answer",
    "exact_match",
    "f1_score",
    "squad_scores",
    "squad_v1_scores",
    "recall_at_k",
    "reciprocal_rank_at_k",
    "ndcg_at_k",
    "recall_at_k_qrels",
]

# Compiled once; the official scripts recompile per call, which is only slower.
_ARTICLES_RE = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


# ---------------------------------------------------------------------------
# SQuAD answer metrics
# ---------------------------------------------------------------------------


def normalize_answer(s: str) -> str:
    """Normalize an answer string the way the official SQuAD scripts do.

    Lower-cases, strips ASCII punctuation (``string.punctuation``), replaces
    the whole-word articles ``a``/``an``/``the`` with a space and collapses
    runs of white space. The v1.1 and v2.0 scripts share this function.

    Args:
        s: Raw answer text.

    Returns:
        The normalized answer.
    """
    # Order matters and mirrors the official script: punctuation is removed
    # *before* articles, so "the-end" -> "theend" keeps its "the".
    text = s.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES_RE.sub(" ", text)
    return " ".join(text.split())


def _get_tokens(s: str) -> list[str]:
    """Tokenize like the v2.0 script's ``get_tokens``."""
    if not s:
        return []
    return normalize_answer(s).split()


def _compute_exact(a_gold: str, a_pred: str) -> int:
    """Single-gold exact match, as the v2.0 script's ``compute_exact``."""
    return int(normalize_answer(a_gold) == normalize_answer(a_pred))


def _compute_f1(a_gold: str, a_pred: str) -> float:
    """Single-gold token F1, as the v2.0 script's ``compute_f1``."""
    gold_toks = _get_tokens(a_gold)
    pred_toks = _get_tokens(a_pred)
    common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        # v2.0 rule: an empty side only scores when both are empty, which is
        # how "no answer" predictions get credit on unanswerable questions.
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    return (2 * precision * recall) / (precision + recall)


def _v2_gold_answers(golds: Sequence[str]) -> list[str]:
    """Filter gold answers the way the v2.0 script's ``get_raw_scores`` does.

    Golds that normalize to the empty string are dropped; if nothing is left
    (an unanswerable question) the list becomes ``[""]`` so only an empty
    prediction can score.
    """
    kept = [a for a in golds if normalize_answer(a)]
    return kept or [""]


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """Exact match of a prediction against gold answers (SQuAD v2.0 rules).

    Args:
        prediction: Predicted answer text; ``""`` means "no answer".
        golds: Gold answer texts. An empty list marks an unanswerable
            question.

    Returns:
        1.0 if the normalized prediction equals any normalized gold answer,
        else 0.0. With no (non-empty) golds, 1.0 only for an empty prediction.
    """
    return float(max(_compute_exact(a, prediction) for a in _v2_gold_answers(golds)))


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    """Token-level F1 against gold answers, max over golds (SQuAD v2.0 rules).

    Args:
        prediction: Predicted answer text; ``""`` means "no answer".
        golds: Gold answer texts. An empty list marks an unanswerable
            question.

    Returns:
        The best F1 over the gold answers. If either side has no tokens the
        score is 1.0 when both are empty and 0.0 otherwise.
    """
    return float(max(_compute_f1(a, prediction) for a in _v2_gold_answers(golds)))


def _iter_questions(dataset: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every question dict of a parsed SQuAD file, in file order.

    File order matters: the scores are float sums, and summing in the same
    order as the official scripts keeps results identical to the last bit.
    """
    for article in dataset["data"]:
        for paragraph in article["paragraphs"]:
            yield from paragraph["qas"]


def _is_answerable(qa: Mapping[str, Any]) -> bool:
    """Whether a question has an answer.

    The official v2.0 script only looks at ``bool(qa["answers"])``; in the
    released data that is always equivalent to ``not is_impossible``. We also
    honour ``is_impossible`` so a file carrying plausible answers under
    ``answers`` for an impossible question is still treated as unanswerable.
    """
    return bool(qa["answers"]) and not qa.get("is_impossible", False)


def _eval_block(
    exact_scores: Mapping[str, float],
    f1_scores: Mapping[str, float],
    qids: Sequence[str],
) -> tuple[float, float, int]:
    """Aggregate per-question scores like the v2.0 ``make_eval_dict``."""
    total = len(qids)
    if total == 0:
        # The official script would divide by zero; 0.0 is the safe value.
        return 0.0, 0.0, 0
    exact = 100.0 * sum(exact_scores[k] for k in qids) / total
    f1 = 100.0 * sum(f1_scores[k] for k in qids) / total
    return exact, f1, total


def squad_scores(
    dataset: Mapping[str, Any],
    predictions: Mapping[str, str],
    qid_subset: Collection[str] | None = None,
    *,
    missing: Literal["skip", "empty"] = "skip",
) -> dict[str, float | int]:
    """Score predictions like the official SQuAD v2.0 evaluation script.

    Reproduces ``evaluate-v2.0.py`` without a no-answer probability file
    (equivalent to a threshold that never fires). Works on v1.1 data too,
    where every question is answerable and only the ``HasAns`` block appears.

    Args:
        dataset: Parsed SQuAD JSON, i.e. ``{"data": [...], ...}``.
        predictions: Mapping from question id to predicted answer text
            (``""`` for "no answer"). Ids not in the dataset are ignored.
        qid_subset: If given, only questions whose id is in this collection
            are scored (all totals refer to that subset).
        missing: How to treat dataset questions without a prediction.
            ``"skip"`` (default) drops them from every total, which is what
            the official script does (it prints "Missing prediction" and
            ``continue``s). ``"empty"`` scores them as the empty prediction
            ``""``, i.e. as an abstention.

    Returns:
        A dict with ``exact``, ``f1`` and ``total``; ``HasAns_exact``,
        ``HasAns_f1`` and ``HasAns_total`` when there are answerable
        questions; ``NoAns_exact``, ``NoAns_f1`` and ``NoAns_total`` when
        there are unanswerable ones. Scores are percentages (0-100 floats),
        totals are ints.

    Raises:
        ValueError: If ``missing`` is not ``"skip"`` or ``"empty"``.
    """
    if missing not in ("skip", "empty"):
        raise ValueError(f"missing must be 'skip' or 'empty', got {missing!r}")
    subset = None if qid_subset is None else set(qid_subset)

    exact_scores: dict[str, float] = {}
    f1_scores: dict[str, float] = {}
    has_ans_qids: list[str] = []
    no_ans_qids: list[str] = []
    for qa in _iter_questions(dataset):
        qid = qa["id"]
        if subset is not None and qid not in subset:
            continue
        if qid in predictions:
            a_pred = predictions[qid]
        elif missing == "empty":
            a_pred = ""
        else:
            continue
        # Unanswerable questions score against [""] even if the file lists
        # answers (see _is_answerable).
        golds = [a["text"] for a in qa["answers"]] if _is_answerable(qa) else []
        gold_answers = _v2_gold_answers(golds)
        exact_scores[qid] = max(_compute_exact(a, a_pred) for a in gold_answers)
        f1_scores[qid] = max(_compute_f1(a, a_pred) for a in gold_answers)
        (has_ans_qids if _is_answerable(qa) else no_ans_qids).append(qid)

    # The official script iterates the HasAns/NoAns qid lists over *all*
    # dataset questions and would raise KeyError on a skipped one; restricting
    # the breakdowns to scored questions is the only consistent reading of
    # "skip". Without missing predictions the two agree exactly.
    exact, f1, total = _eval_block(exact_scores, f1_scores, list(exact_scores))
    out: dict[str, float | int] = {"exact": exact, "f1": f1, "total": total}
    for prefix, qids in (("HasAns", has_ans_qids), ("NoAns", no_ans_qids)):
        if qids:
            exact, f1, total = _eval_block(exact_scores, f1_scores, qids)
            out[f"{prefix}_exact"] = exact
            out[f"{prefix}_f1"] = f1
            out[f"{prefix}_total"] = total
    return out


def _v1_f1(prediction: str, ground_truth: str) -> float:
    """Single-gold F1 as the v1.1 script's ``f1_score``.

    Unlike v2.0 there is no empty-token special case: zero overlap (which
    includes any empty side) scores 0.
    """
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(
        ground_truth_tokens
    )
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def squad_v1_scores(
    dataset: Mapping[str, Any], predictions: Mapping[str, str]
) -> dict[str, float]:
    """Score predictions like the official SQuAD v1.1 evaluation script.

    Differences from :func:`squad_scores`: every dataset question counts in
    the denominator and a missing prediction scores 0; gold answers are not
    filtered; F1 has no empty-answer special case.

    Args:
        dataset: Parsed SQuAD JSON, i.e. ``{"data": [...], ...}``.
        predictions: Mapping from question id to predicted answer text. Ids
            not in the dataset are ignored.

    Returns:
        ``{"exact_match": ..., "f1": ...}`` as percentages (0-100 floats).
        An empty dataset gives 0.0 for both.
    """
    exact = 0
    f1 = 0
    total = 0
    for qa in _iter_questions(dataset):
        total += 1
        if qa["id"] not in predictions:
            continue
        prediction = predictions[qa["id"]]
        # The v1.1 script would crash on max([]) for answerless (v2.0-style)
        # questions; [""] gives EM=1 for an empty prediction and F1=0.
        ground_truths = [a["text"] for a in qa["answers"]] or [""]
        exact += max(
            normalize_answer(prediction) == normalize_answer(gt) for gt in ground_truths
        )
        f1 += max(_v1_f1(prediction, gt) for gt in ground_truths)
    if total == 0:
        return {"exact_match": 0.0, "f1": 0.0}
    return {"exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total}


# ---------------------------------------------------------------------------
# Retrieval metrics
# ---------------------------------------------------------------------------


def _check_k(k: int) -> None:
    # A cutoff below 1 is always a caller bug; failing loudly beats a silent 0.
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def recall_at_k(ranked_hits: Sequence[bool], k: int) -> float:
    """Hit-based recall@k (a.k.a. success@k / top-k accuracy).

    Args:
        ranked_hits: For each retrieved item in rank order, whether it is
            relevant (e.g. contains the answer).
        k: Cutoff, >= 1.

    Returns:
        1.0 if any of the top ``k`` items is a hit, else 0.0.

    Raises:
        ValueError: If ``k < 1``.
    """
    _check_k(k)
    return 1.0 if any(ranked_hits[:k]) else 0.0


def reciprocal_rank_at_k(ranked_hits: Sequence[bool], k: int) -> float:
    """Reciprocal rank of the first hit within the top ``k`` (MRR@k term).

    Args:
        ranked_hits: For each retrieved item in rank order, whether it is
            relevant.
        k: Cutoff, >= 1.

    Returns:
        ``1 / rank`` of the first hit (ranks start at 1), or 0.0 if there is
        no hit in the top ``k``.

    Raises:
        ValueError: If ``k < 1``.
    """
    _check_k(k)
    for rank, hit in enumerate(ranked_hits[:k], start=1):
        if hit:
            return 1.0 / rank
    return 0.0


def _dedupe(ranked_ids: Sequence[str]) -> list[str]:
    """Keep the first occurrence of each id.

    pytrec_eval runs are dicts, so a document can be ranked only once; a
    duplicated id must not earn its gain twice.
    """
    return list(dict.fromkeys(ranked_ids))


def ndcg_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """nDCG@k as computed by BEIR through pytrec_eval (``ndcg_cut_k``).

    DCG uses linear gain (the relevance grade itself) and the discount
    ``log2(rank + 1)`` with ranks starting at 1. The ideal DCG ranks the
    judged relevances from ``qrels`` in descending order. Grades <= 0 add no
    gain; unjudged documents count as non-relevant.

    Args:
        ranked_ids: Retrieved document ids in rank order.
        qrels: Relevance judgments for this query, doc id -> grade.
        k: Cutoff, >= 1.

    Returns:
        nDCG@k in [0, 1]; 0.0 when no document in ``qrels`` is relevant.

    Raises:
        ValueError: If ``k < 1``.
    """
    _check_k(k)
    dcg = 0.0
    for rank, doc_id in enumerate(_dedupe(ranked_ids)[:k], start=1):
        gain = qrels.get(doc_id, 0)
        if gain > 0:
            dcg += gain / math.log2(rank + 1)
    ideal_gains = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal_gains, start=1))
    if idcg == 0.0:
        return 0.0
    return dcg / idcg


def recall_at_k_qrels(
    ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int
) -> float:
    """Fraction of relevant documents retrieved in the top ``k`` (BEIR style).

    Args:
        ranked_ids: Retrieved document ids in rank order.
        qrels: Relevance judgments for this query, doc id -> grade; a document
            is relevant when its grade is > 0.
        k: Cutoff, >= 1.

    Returns:
        ``|relevant ∩ top-k| / |relevant|``; 0.0 when nothing is relevant.

    Raises:
        ValueError: If ``k < 1``.
    """
    _check_k(k)
    relevant = {d for d, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    retrieved = set(_dedupe(ranked_ids)[:k])
    return len(relevant & retrieved) / len(relevant)
