"""``min_score``: a user's own abstain threshold replaces the reader's fitted one, for both readers."""

import pytest

from qa.errors import QAError
from qa.pipeline import QA
from qa.reader import READERS, check_min_score
from support import BUNDLED_CORPUS

QUESTION = "When was Trotsky assassinated?"
UNRELATED = "Who won the 2018 FIFA World Cup?"


@pytest.mark.parametrize("reader", READERS)
def test_min_score_decides_between_answer_and_abstention(bundled_qa, bundled_index_dir, reader):
    def ask(question, min_score):
        qa = QA(corpus=BUNDLED_CORPUS, index_dir=bundled_index_dir, reader=reader, min_score=min_score,
                progress=False)
        return qa.ask(question)[0]

    answered = ask(QUESTION, None)
    assert answered.is_answer and answered.text == "August 20, 1940"
    # Above the answer's own score it is refused; at the score it stands.
    assert answered.score < 1.0
    assert not ask(QUESTION, (answered.score + 1.0) / 2).is_answer
    assert ask(QUESTION, answered.score).text == "August 20, 1940"
    # The fitted threshold refuses a question the corpus cannot answer; min_score 0 answers anything.
    assert not ask(UNRELATED, None).is_answer
    forced = ask(UNRELATED, 0.0)
    assert forced.is_answer and forced.score < answered.score


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), float("inf")])
def test_out_of_range_min_score_is_a_clear_error(bad):
    with pytest.raises(QAError, match="between 0 and 1"):
        check_min_score(bad)
    with pytest.raises(QAError, match="between 0 and 1"):
        QA(corpus=BUNDLED_CORPUS, min_score=bad)
