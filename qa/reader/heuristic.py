"""The first answerer: entities and noun phrases stored at index time, scored without training.

A candidate span is scored by
  * whether its type fits the question (``question_type.expected_labels``),
  * how much of the question's weighted vocabulary its sentence (and, less, its neighbours) shares,
  * how close it sits to those shared words,
  * the rank of the passage it came from,
and loses everything when it only repeats the question's own words. Scores lie in [0, 1]; the
reader abstains when the best is below ``threshold``.
"""

from __future__ import annotations

import re

import numpy as np

from qa.reader.base import DocumentLookup
from qa.reader.citation import cite, keep_best, ranked_or_abstain, sentence_table
from qa.reader.question_type import expected_labels, head_noun
from qa.ingest.analyzer import STOP_WORDS, analyze
from qa.types import Answer, Passage

NOUN_PHRASE = "NP"

#: Below this score the reader says it found no answer.
DEFAULT_THRESHOLD = 0.22

# Words that are part of nearly every question and say nothing about where its answer is.
_QUESTION_WORDS = frozenset("what which who whom whose when where why how did does do was were is are".split())
_TERM = re.compile(r"\w+")


class HeuristicReader:
    def __init__(self, threshold: float = DEFAULT_THRESHOLD, max_answer_chars: int = 120) -> None:
        self.threshold = threshold
        self.max_answer_chars = max_answer_chars

    def read(self, question: str, passages: list[Passage], documents: DocumentLookup,
             top_k: int = 1) -> list[Answer]:
        q_terms = [t for t in dict.fromkeys(analyze(question)) if t not in _QUESTION_WORDS]
        weights = {t: documents.term_idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        wanted = expected_labels(question)
        head = head_noun(question)
        head_term = analyze(head)[0] if head and analyze(head) else None

        best: dict[str, Answer] = {}
        for rank, passage in enumerate(passages, start=1):
            chunk = passage.chunk
            doc = documents.document(chunk.doc_id)
            text = doc.text
            sents = sentence_table(documents.sentence_spans(chunk.doc_id, chunk.start, chunk.end))
            if not len(sents):
                continue
            sent_terms = [set(analyze(text[s:e])) for s, e in sents]
            sent_overlap = [sum(weights[t] for t in q_terms if t in st) / total for st in sent_terms]
            rank_factor = 1.0 / (1.0 + 0.12 * (rank - 1))
            for s_start, s_end, label in documents.labelled_spans(chunk.doc_id, chunk.start, chunk.end):
                if s_end - s_start > self.max_answer_chars:
                    continue
                type_fit = _type_fit(label, wanted)
                cand_terms = analyze(text[s_start:s_end])
                if head_term and label == NOUN_PHRASE and cand_terms and cand_terms[-1] == head_term:
                    # "Which church ..." answered by "Manakin Episcopal Church": the head noun names the type.
                    type_fit = max(type_fit, 0.9)
                if type_fit == 0.0:
                    continue
                cand = text[s_start:s_end]
                novelty = _novelty(cand, cand_terms, set(q_terms) - {head_term})
                if novelty == 0.0:
                    continue
                si = int(np.searchsorted(sents[:, 0], s_start, side="right") - 1)
                if si < 0 or sents[si, 1] < s_end:
                    continue  # spans crossing a sentence boundary are not answers
                overlap = sent_overlap[si]
                neighbours = max(
                    [sent_overlap[j] for j in (si - 1, si + 1) if 0 <= j < len(sents)], default=0.0
                )
                context = min(1.0, overlap + 0.3 * neighbours)
                near = _closeness(text, int(sents[si, 0]), int(sents[si, 1]), s_start, s_end, weights)
                score = type_fit * novelty * rank_factor * (0.75 * context + 0.25 * near * context ** 0.5)
                keep_best(best, cite(doc, sents, passage, int(s_start), int(s_end), score))
        return ranked_or_abstain(best, self.threshold, top_k, passages)


def _type_fit(label: str, wanted: frozenset[str]) -> float:
    if wanted:
        if label in wanted:
            # Labels listed first fit best ("who" wants a PERSON before an ORG or a NORP).
            return 1.0 if label == _first(wanted) else 0.9
        return 0.15 if label == NOUN_PHRASE else 0.05
    # An open question ("what did X believe..."): phrases first, entities nearly as good.
    return 0.8 if label == NOUN_PHRASE else 0.7


def _first(labels: frozenset[str]) -> str | None:
    return "PERSON" if "PERSON" in labels else "DATE" if "DATE" in labels else None


def _novelty(candidate: str, terms: list[str], q_terms: set[str]) -> float:
    """Share of the candidate's content words that the question does not already contain."""
    if not terms:
        return 0.0 if not _TERM.search(candidate) else 0.5
    new = sum(1 for t in terms if t not in q_terms)
    return new / len(terms)


def _closeness(text: str, s0: int, s1: int, a0: int, a1: int, weights: dict[str, float]) -> float:
    """1 when question words stand right next to the candidate, falling with distance in words."""
    best = None
    for m in _TERM.finditer(text, s0, s1):
        if a0 <= m.start() < a1 or m.group().lower() in STOP_WORDS:
            continue
        terms = analyze(m.group())
        if not terms or terms[0] not in weights:
            continue
        gap = text[m.end():a0] if m.end() <= a0 else text[a1:m.start()]
        dist = len(_TERM.findall(gap))
        best = dist if best is None else min(best, dist)
    return 0.0 if best is None else 1.0 / (1.0 + best / 4.0)
