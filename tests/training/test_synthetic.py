"""Unanswerable training questions made from answerable ones (qa.training.synthetic)."""

from __future__ import annotations

import random
import re

import pytest

from qa.training import synthetic as su

PARAGRAPH = ("The Normans were descended from Norse raiders who settled in Normandy under Rollo in the "
             "10th century. In 1066 William the Conqueror invaded England.")


@pytest.fixture(scope="module")
def nlp():
    from qa.ingest.annotate import load_spacy

    return load_spacy()  # the pipeline the index build uses


def test_entity_swap_names_something_the_paragraph_never_mentions(nlp):
    pool = {"GPE": ["England", "Normandy", "Sicily"], "DATE": ["1066", "the 10th century", "1130"],
            "PERSON": ["Rollo", "William the Conqueror", "Robert Guiscard"]}
    question = "In what year did William the Conqueror invade England?"
    for seed in range(5):
        swapped = su.entity_swap(nlp(question), PARAGRAPH, pool, random.Random(seed))
        assert swapped and swapped != question
        new = [w for w in ("Sicily", "1130", "Robert Guiscard") if w in swapped]
        assert len(new) == 1 and new[0] not in PARAGRAPH
        # exactly one entity changed: the rest of the question is kept word for word
        assert len(set(question.split()) - set(swapped.split())) <= 3


def test_entity_swap_needs_an_entity_the_paragraph_mentions(nlp):
    pool = {"GPE": ["Sicily"]}
    assert su.entity_swap(nlp("In what year did the Vikings reach Iceland?"), PARAGRAPH, pool, random.Random(0)) is None


@pytest.mark.parametrize("question, expected", [
    ("What do photosynthetic carotenoids do?", "What do photosynthetic carotenoids not do?"),
    ("Which company has built the bridge?", "Which company has not built the bridge?"),
    ("In what year was Fresno founded?", "In what year was Fresno not founded?"),
])
def test_negation_inserts_not_at_the_auxiliary(nlp, question, expected):
    assert su.negation(nlp(question)) == expected


def test_negation_leaves_negated_questions_alone(nlp):
    assert su.negation(nlp("Why didn't the Normans stay?")) is None
    assert su.negation(nlp("Who never paid the tax?")) is None


def test_generate_gives_unanswerable_rows_on_the_same_paragraph(nlp):
    rows = [{"id": "q1", "title": "Normans", "question": "In what year did William the Conqueror invade England?",
             "context": PARAGRAPH},
            {"id": "q2", "title": "Normans", "question": "Who led the Norse raiders in Normandy?",
             "context": PARAGRAPH},
            {"id": "q3", "title": "Normans", "question": "Where did Robert Guiscard rule?",
             "context": "Robert Guiscard ruled in Sicily and southern Italy."}]
    out = su.generate(nlp, rows, random.Random(0), negation_share=1.0)
    assert out, "no variant made"
    by_id = {r["id"]: r for r in rows}
    for g in out:
        source = by_id[g["id"].rsplit("-", 1)[0]]
        assert g["answers"] == [] and g["starts"] == [] and g["context"] == source["context"]
        assert g["question"] != source["question"] and g["kind"] in ("swap", "negation")
        if g["kind"] == "negation":
            assert re.search(r"\bnot\b", g["question"])
