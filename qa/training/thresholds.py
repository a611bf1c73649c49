"""Reading scores of predictions and the abstain-threshold fits (tuning articles only)."""

from __future__ import annotations

import numpy as np

from qa.bench.metrics import exact_match, f1_score


def reading_scores(rows, preds, threshold: float | None) -> dict:
    """EM/F1 (x100) of ``preds`` against ``rows`` (anything with ``answers``); HasAns F1 and NoAns
    accuracy too when both kinds are present. A prediction scoring under ``threshold`` abstains."""
    em = f1 = 0.0
    has = [0.0, 0.0, 0]
    no = [0.0, 0]
    for r, p in zip(rows, preds):
        text = "" if p is None or (threshold is not None and p.score < threshold) else p.text
        e, f = exact_match(text, _answers(r)), f1_score(text, _answers(r))
        em += e
        f1 += f
        if _answers(r):
            has[0] += e; has[1] += f; has[2] += 1
        else:
            no[0] += e; no[1] += 1
    n = max(len(rows), 1)
    out = {"n": len(rows), "em": round(100 * em / n, 2), "f1": round(100 * f1 / n, 2)}
    if has[2] and no[1]:
        out.update(has_f1=round(100 * has[1] / has[2], 2), noans_acc=round(100 * no[0] / no[1], 2))
    return out


def _answers(row) -> list[str]:
    return row["answers"] if isinstance(row, dict) else row.answers


def f1_by_threshold(rows, preds) -> tuple[np.ndarray, np.ndarray]:
    """Every threshold that changes an answer (0 and each observed score) and reading F1 (0-1) at each.

    The reader answers when its score is >= the threshold. Candidates are the observed scores, not
    a fixed grid: a confident model's useful thresholds can all lie below a grid's first step (a
    one-stage run had every budget-rule candidate under 0.005 and got threshold 0, never abstaining).
    """
    f_ans = np.array([f1_score(p.text if p else "", _answers(r)) for r, p in zip(rows, preds)], dtype=float)
    f_null = np.array([f1_score("", _answers(r)) for r in rows], dtype=float)
    scores = np.array([p.score if p else 0.0 for p in preds], dtype=float)
    order = np.argsort(scores, kind="stable")
    ranked = scores[order]
    # Below the threshold a row scores f_null, at or above it f_ans: prefix sums over the ranking.
    null_below = np.concatenate([[0.0], np.cumsum(f_null[order])])
    ans_below = np.concatenate([[0.0], np.cumsum(f_ans[order])])
    thresholds = np.unique(np.concatenate([[0.0], scores]))
    k = np.searchsorted(ranked, thresholds, side="left")
    f1 = (null_below[k] + ans_below[-1] - ans_below[k]) / max(len(rows), 1)
    return thresholds, f1


def fit_threshold(rows, preds) -> tuple[float, float]:
    """Threshold on the span score maximising v2.0 F1 on these rows (the lowest one, on ties)."""
    thresholds, f1 = f1_by_threshold(rows, preds)
    best = int(np.argmax(f1))
    return float(thresholds[best]), round(100 * float(f1[best]), 2)


def fit_threshold_budget(rows1, preds1, rows2, preds2, max_f1_loss: float) -> tuple[float, dict]:
    """Largest threshold that costs answerable (v1.1) reading F1 at most ``max_f1_loss`` points.

    The v2.0-optimal threshold (``fit_threshold``) is degenerate for a reader whose no-answer
    score barely separates SQuAD 2.0's adversarial unanswerables (it abstains on nearly everything
    and wrecks v1.1 / corpus / seed_dev F1); this rule keeps answering and still refuses the
    clearly unsupported spans.
    """
    thresholds, f1 = f1_by_threshold(rows1, preds1)
    base = f1[0]  # threshold 0: every span is kept
    best = float(thresholds[f1 >= base - max_f1_loss / 100 - 1e-12].max())
    return best, {"v11_reading": reading_scores(rows1, preds1, best), "v20_reading": reading_scores(rows2, preds2, best)}


def threshold_frontier(rows1, preds1, rows2, preds2, losses=(0.5, 1.0, 2.0, 3.0, 5.0)) -> list[dict]:
    """The budget rule at several budgets: threshold and tuning v1.1 / v2.0 reading F1 at each.

    A ship decision weighs answering (v1.1) against refusing (v2.0); which budget is right depends
    on how the two trade for a given reader, and a candidate whose null score rejects more reaches
    the same v1.1 budget at a far lower threshold. Recording the whole trade-off in ``reader.json``
    lets a rule be chosen from tuning articles alone, before any held-out run.
    """
    out = []
    for loss in losses:
        t, at = fit_threshold_budget(rows1, preds1, rows2, preds2, loss)
        out.append({"max_f1_loss": loss, "threshold": t,
                    "v11_f1": at["v11_reading"]["f1"], "v20_f1": at["v20_reading"]["f1"]})
    return out
