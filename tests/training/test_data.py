"""Training data: the real files load, and nothing of a held-out article can reach training."""

from __future__ import annotations

import pytest

from qa.bench.datasets import HELD_OUT_TITLES
from qa.training.data import (TUNING_TITLES, Row, answer_occurrences, check_no_held_out, dev_titles,
                              load_squad_file)


@pytest.fixture(scope="module")
def dev1(benchmarks):
    return load_squad_file(benchmarks / "squad" / "dev-v1.1.json")


def test_dev_split_keeps_held_out_and_tuning_titles_apart(dev1):
    fit, tune = dev_titles(dev1)
    assert len(fit) == 32 and sorted(tune) == sorted(TUNING_TITLES)
    assert not set(fit) & set(HELD_OUT_TITLES) and not set(tune) & set(HELD_OUT_TITLES)
    assert not set(fit) & set(tune)


def test_check_no_held_out_refuses_a_held_out_title_or_paragraph(dev1):
    check_no_held_out([Row("a", "Normans", "q?", "text")])
    with pytest.raises(ValueError, match="held-out"):
        check_no_held_out([Row("b", "Super_Bowl_50", "q?", "text")])
    with pytest.raises(ValueError, match="held-out"):
        check_no_held_out([Row("c", "Renamed", "q?", "the paragraph")], {"the paragraph"})


def test_full_train_set_loads_with_exact_answer_texts(benchmarks):
    squad = load_squad_file(benchmarks / "train" / "squad-train-v1.1.json.gz")
    assert len(squad.questions) == 87_358 and len(squad.titles) == 442
    assert not set(squad.titles) & set(HELD_OUT_TITLES)
    for q in squad.questions[:: 500]:
        context = squad.data["data"][q.article]["paragraphs"][q.paragraph]["context"]
        assert context[q.answer_starts[0] : q.answer_starts[0] + len(q.answers[0])] == q.answers[0]


def test_answer_occurrences_counts_copies_of_the_answer():
    assert answer_occurrences(Row("a", "t", "q", "in 1889 and 1889", ["1889"], [3])) == 2
    assert answer_occurrences(Row("b", "t", "q", "in 1889", ["1889"], [3])) == 1
    assert answer_occurrences(Row("c", "t", "q", "in 1889")) == 0


def test_dev_unanswerable_repeat_reads_the_adversarial_unanswerables_k_times():
    from collections import Counter

    from qa.training.cli import parser, training_rows
    from qa.training.data import Corpus

    answerable = [Row(f"s{i}", "Normans", f"q{i}?", f"text {i}", [str(i)], [5]) for i in range(6)]
    unanswerable = [Row(f"u{i}", "Rhine", f"u{i}?", f"other {i}") for i in range(3)]
    corpus = Corpus(squad_train=answerable, dev_answerable=[], dev_unanswerable=unanswerable,
                    subjqa=[], tune_v11=[], tune_v20=[])
    rows, counts = training_rows(parser().parse_args(["--dev-unanswerable-repeat", "3"]), corpus)
    seen = Counter(r.id for r in rows)
    assert all(seen[f"u{i}"] == 3 for i in range(3)) and all(seen[f"s{i}"] == 1 for i in range(6))
    assert counts["dev_train_unanswerable"] == 3 and counts["dev_train_unanswerable_rows"] == 9
    rows, _ = training_rows(parser().parse_args([]), corpus)
    assert len(rows) == 9  # the default reads each once
