"""The abstain-threshold fits of qa.training.thresholds, on hand-made predictions with known answers."""

from dataclasses import dataclass

import pytest

from qa.training.thresholds import (
    f1_by_threshold, fit_threshold, fit_threshold_budget, reading_scores, threshold_frontier,
)


@dataclass
class Pred:
    text: str
    score: float


ANSWERABLE = {"answers": ["Paris"]}
UNANSWERABLE = {"answers": []}


def test_thresholds_below_any_grid_step_are_found():
    # A confident model: every wrong answer scores under 0.005, every right one near 1.
    rows1 = [ANSWERABLE] * 4
    preds1 = [Pred("Paris", 0.99), Pred("Paris", 0.98), Pred("Paris", 0.0004), Pred("Lyon", 0.0001)]
    rows2 = rows1 + [UNANSWERABLE] * 2
    preds2 = preds1 + [Pred("Nice", 0.0002), Pred("Nice", 0.003)]
    t, at = fit_threshold_budget(rows1, preds1, rows2, preds2, max_f1_loss=1.0)
    # Refusing "Lyon" (0.0001) costs nothing; refusing the right 0.0004 "Paris" would cost 25 points.
    assert 0.0001 < t <= 0.0004
    assert at["v11_reading"]["f1"] == 75.0
    assert at["v20_reading"]["noans_acc"] == 50.0  # "Nice" at 0.0002 is refused, at 0.003 it is not
    t_opt, f_opt = fit_threshold(rows2, preds2)
    assert t_opt == pytest.approx(0.0004) and f_opt == pytest.approx(100 * 4 / 6, abs=0.01)


def test_f1_by_threshold_agrees_with_reading_scores():
    rows = [ANSWERABLE, ANSWERABLE, UNANSWERABLE, UNANSWERABLE, ANSWERABLE]
    preds = [Pred("Paris", 0.9), Pred("in Paris today", 0.4), Pred("Nice", 0.6), Pred("Nice", 0.1), None]
    thresholds, f1 = f1_by_threshold(rows, preds)
    assert list(thresholds) == [0.0, 0.1, 0.4, 0.6, 0.9]
    for t, f in zip(thresholds, f1):
        assert 100 * f == pytest.approx(reading_scores(rows, preds, float(t))["f1"], abs=0.01)


def test_frontier_is_the_budget_rule_at_each_budget():
    # Right answers at 0.9 / 0.7 / 0.5 / 0.3, a wrong one at 0.2; two unanswerables at 0.6 and 0.1.
    rows1 = [ANSWERABLE] * 5
    preds1 = [Pred("Paris", 0.9), Pred("Paris", 0.7), Pred("Paris", 0.5), Pred("Paris", 0.3), Pred("Lyon", 0.2)]
    rows2 = rows1 + [UNANSWERABLE] * 2
    preds2 = preds1 + [Pred("Nice", 0.6), Pred("Nice", 0.1)]
    frontier = threshold_frontier(rows1, preds1, rows2, preds2, losses=(0.0, 20.0, 40.0))
    # No loss allowed: only the wrong 0.2 answer may be refused. 20 points: one right answer (0.3)
    # too. 40 points: two (0.3 and 0.5), and only then is the 0.6 unanswerable refused as well.
    assert [f["threshold"] for f in frontier] == [0.3, 0.5, 0.7]
    assert [f["v11_f1"] for f in frontier] == [80.0, 60.0, 40.0]
    assert [f["v20_f1"] for f in frontier] == pytest.approx([100 * 5 / 7, 100 * 4 / 7, 100 * 4 / 7], abs=0.01)
    for f in frontier:
        t, at = fit_threshold_budget(rows1, preds1, rows2, preds2, f["max_f1_loss"])
        assert (t, at["v11_reading"]["f1"]) == (f["threshold"], f["v11_f1"])
