import pytest

from qa.reader.question_type import DATE_LIKE, PERSON_LIKE, PLACE_LIKE, expected_labels, head_noun


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Who described Molotov as boring?", PERSON_LIKE),
        ("When did Trotsky settle in Mexico City?", DATE_LIKE),
        ("In what year did Trotsky return?", DATE_LIKE),
        ("Where did Trotsky settle?", PLACE_LIKE),
        ("Which agency ordered the murder?", frozenset({"ORG"})),
        ("What did Trotsky have inventoried?", frozenset()),
    ],
)
def test_expected_answer_type(question, expected):
    assert expected_labels(question) == expected


def test_how_many_wants_a_number():
    assert "CARDINAL" in expected_labels("How many men attacked the mansion?")


def test_head_noun():
    assert head_noun("Which newspaper did he talk to?") == "newspaper"
    assert head_noun("What did he say?") is None
