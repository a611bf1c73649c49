"""Labelled training windows: the answer's first and last token, [CLS] where a window has none."""

from __future__ import annotations

from qa.reader.windows import load_tokenizer
from qa.training.data import Row
from qa.training.labels import label_windows

CONTEXT = ("The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris. "
           "Construction began in 1887 and the tower was completed in 1889.")


def _decode(tok, ids, start, end) -> str:
    return tok.decode(list(ids[start : end + 1]))


def test_answer_tokens_cover_exactly_the_answer():
    tok = load_tokenizer()
    row = Row("q1", "t", "When was the tower completed?", CONTEXT, ["1889"], [CONTEXT.index("1889")])
    (ex,), outside = label_windows(tok, [row], max_len=256, stride=128)
    assert outside == 0
    assert 0 < ex.start <= ex.end
    assert ex.type_ids[ex.start] == 1 and ex.type_ids[ex.end] == 1  # inside the context part
    assert _decode(tok, ex.ids, ex.start, ex.end) == "1889"


def test_multi_token_answer_and_later_copy_of_a_repeated_string():
    tok = load_tokenizer()
    start = CONTEXT.index("Champ de Mars")
    row = Row("q2", "t", "Where is the tower?", CONTEXT, ["Champ de Mars"], [start])
    (ex,), _ = label_windows(tok, [row], 256, 128)
    assert _decode(tok, ex.ids, ex.start, ex.end) == "champ de mars"


def test_unanswerable_row_is_labelled_cls():
    tok = load_tokenizer()
    row = Row("q3", "t", "Who painted the tower?", CONTEXT)
    (ex,), outside = label_windows(tok, [row], 256, 128)
    assert (ex.start, ex.end) == (0, 0) and outside == 0


def test_long_context_labels_only_the_window_that_holds_the_answer():
    tok = load_tokenizer()
    filler = "Nothing of note happened on this day in the small town by the river. " * 30
    context = filler + CONTEXT
    row = Row("q4", "t", "When was the tower completed?", context, ["1889"], [context.rindex("1889")])
    examples, outside = label_windows(tok, [row], max_len=128, stride=32)
    assert len(examples) > 2
    labelled = [e for e in examples if e.start]
    assert labelled and outside == len(examples) - len(labelled)
    assert all(_decode(tok, e.ids, e.start, e.end) == "1889" for e in labelled)
    assert all(len(e.ids) <= 128 for e in examples)
