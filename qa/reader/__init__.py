"""Extractive readers: given a question and ranked passages, pick answer spans.

A reader is anything with ``read(question, passages, index, top_k) -> list[Answer]``; the pipeline
chooses one by name (see ``READERS``), so a learned reader can replace the heuristic one.
"""

from __future__ import annotations

from typing import Protocol

from qa.index_store import CorpusIndex
from qa.types import Answer, Passage


class Reader(Protocol):
    def read(self, question: str, passages: list[Passage], index: CorpusIndex, top_k: int) -> list[Answer]:
        """Ranked answers (best first); ``[Answer.no_answer()]`` when nothing is good enough."""
        ...


def make_reader(name: str) -> Reader:
    if name == "heuristic":
        from qa.reader.heuristic import HeuristicReader

        return HeuristicReader()
    elif name == "neural":
        from qa.reader.neural import NeuralReader

        return NeuralReader()
    raise ValueError(f"unknown reader '{name}' (choose from: {', '.join(READERS)})")


READERS = ("heuristic", "neural")
