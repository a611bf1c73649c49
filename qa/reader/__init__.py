"""Extractive readers: given a question and ranked passages, pick answer spans.

A reader is anything with ``read(question, passages, index, top_k) -> list[Answer]``; the pipeline
chooses one by name (see ``READERS``). Importing this package is cheap: a reader's module (and its
model) is loaded only by ``make_reader``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from qa.index_store import CorpusIndex
    from qa.types import Answer, Passage

READERS = ("neural", "heuristic")
#: The trained span reader beats the heuristic one on every benchmark (see README), so it is the default.
DEFAULT_READER = "neural"


class Reader(Protocol):
    def read(self, question: str, passages: list[Passage], index: CorpusIndex, top_k: int) -> list[Answer]:
        """Ranked answers (best first); ``[Answer.no_answer()]`` when nothing is good enough."""
        ...


def make_reader(name: str) -> Reader:
    if name == "neural":
        from qa.reader.neural import NeuralReader

        return NeuralReader()
    if name == "heuristic":
        from qa.reader.heuristic import HeuristicReader

        return HeuristicReader()
    raise ValueError(f"unknown reader '{name}' (choose from: {', '.join(READERS)})")
