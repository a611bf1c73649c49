"""Extractive readers: given a question and ranked passages, pick answer spans.

A reader is anything with ``read(question, passages, documents, top_k) -> list[Answer]`` (see
``qa.reader.base``): it sees the passages and a small lookup of their documents, never the index.
The pipeline chooses one by name (see ``READERS``). Importing this package is cheap: a reader's
module (and its model) is loaded only by ``make_reader``.
"""

from __future__ import annotations

from qa.errors import QAError
from qa.reader.base import DocumentLookup, Reader

__all__ = ["READERS", "DEFAULT_READER", "DocumentLookup", "Reader", "check_min_score", "make_reader"]

READERS = ("neural", "heuristic")
#: The trained span reader beats the heuristic one on every benchmark (see README), so it is the default.
DEFAULT_READER = "neural"
#: Both readers score answers in [0, 1]; ``min_score`` overrides the score below which they abstain.
MIN_SCORE_HELP = ("say 'no answer' when the best answer scores below S, 0-1 (default: the reader's threshold "
                  "fitted on training articles; higher = fewer but surer answers)")


def check_min_score(min_score: float | None) -> float | None:
    """``min_score`` if usable: None (the reader's own fitted threshold) or a number in [0, 1]."""
    if min_score is None:
        return None
    if not 0.0 <= min_score <= 1.0:  # also refuses NaN
        raise QAError(f"the minimum answer score must lie between 0 and 1, not {min_score}")
    return float(min_score)


def make_reader(name: str, min_score: float | None = None) -> Reader:
    """The reader called ``name``; it abstains below ``min_score`` (None: its fitted threshold)."""
    min_score = check_min_score(min_score)
    if name == "neural":
        from qa.reader.neural import NeuralReader

        return NeuralReader(threshold=min_score)
    if name == "heuristic":
        from qa.reader.heuristic import DEFAULT_THRESHOLD, HeuristicReader

        return HeuristicReader(threshold=DEFAULT_THRESHOLD if min_score is None else min_score)
    raise ValueError(f"unknown reader '{name}' (choose from: {', '.join(READERS)})")
