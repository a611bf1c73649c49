"""Reader training examples: question + passage windows with the answer's start and end tokens.

Windows are cut by ``qa.reader.windows.make_windows``, the same code the query path reads with, so
training and reading see identical inputs. A window whose context holds the whole answer is
labelled with the answer's first and last token; any other window (the answer lies elsewhere, or
the question has none) is labelled 0, the [CLS] position that means "no answer here".
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.reader.windows import Window, make_windows


@dataclass(frozen=True)
class Example:
    """One labelled model input row."""

    ids: tuple[int, ...]
    type_ids: tuple[int, ...]
    start: int   # token index of the answer's first token; 0 = no answer in this window
    end: int


def answer_tokens(window: Window, answer_start: int, answer_end: int) -> tuple[int, int] | None:
    """First and last token of ``window`` covering characters ``[answer_start, answer_end)``.

    None when the window's context does not hold the whole answer. One character of slack at each
    edge lets an answer that starts or ends inside a word piece still be labelled.
    """
    first = last = None
    for k in range(window.ctx_start, window.ctx_end):
        cs, ce = window.offsets[k]
        if first is None and ce > answer_start:
            first = k
        if cs < answer_end:
            last = k
    if first is None or last is None or first > last:
        return None
    if window.offsets[first][0] > answer_start + 1 or window.offsets[last][1] < answer_end - 1:
        return None
    return first, last


def label_windows(tok, rows, max_len: int, stride: int) -> tuple[list[Example], int]:
    """Labelled windows of ``rows`` (``qa.training.data.Row``), and how many answerable windows
    hold no answer (their answer lies in another window of the same paragraph)."""
    windows = make_windows(tok, [r.question for r in rows], [r.context for r in rows], max_len, stride)
    examples = []
    outside = 0
    for w in windows:
        row = rows[w.item]
        start = end = 0
        if row.answers:
            a0 = row.starts[0]
            span = answer_tokens(w, a0, a0 + len(row.answers[0]))
            if span is None:
                outside += 1
            else:
                start, end = span
        examples.append(Example(tuple(w.ids), tuple(w.type_ids), start, end))
    return examples, outside
