"""Asking benchmark questions through the pipeline and keeping one record per question.

Retrieval and reading are called separately (``QA.retrieve`` then ``QA.read``) so each gets its
own latency; the reader sees the first ``passages`` of the retrieved list, which is the list
``QA.ask`` would have given it.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from typing import Iterable, Sequence

from qa.bench.datasets import Question
from qa.bench.metrics import exact_match, f1_score, normalize_answer
from qa.config import PASSAGES
from qa.types import Passage

#: Passages retrieved per question: enough for recall@20 (and MRR@10).
RETRIEVAL_DEPTH = 20
QUESTION_WORDS = ("who", "when", "what", "which", "where", "how", "why")
_WORD = re.compile(r"[a-z]+")
_WH_ALIASES = {"whom": "who", "whose": "who"}


@dataclass(frozen=True)
class Item:
    """A question as this run asks it.

    Attributes:
        question: the benchmark question.
        doc_ids: the documents retrieval may search (None: the whole corpus).
        gold_ranges: SQuAD: ``(doc id, start, end)`` of each gold answer in corpus coordinates, so a
            passage is a hit when it overlaps one. None: a passage is a hit when it contains a gold
            answer's words (JSONL sets carry no offsets).
    """

    question: Question
    doc_ids: list[str] | None = None
    gold_ranges: tuple[tuple[str, int, int], ...] | None = None


@dataclass
class Record:
    """What happened to one question.

    Attributes:
        id: the question id.
        question: the question text.
        answerable: whether it has an answer.
        prediction: the answer text, ``""`` when the system abstained.
        score: the reader's confidence.
        em, f1: SQuAD exact match and F1 (0 or 1 / 0..1) against the gold answers.
        hits: for each retrieved passage (best first), whether it holds a gold answer.
        retrieve_ms, read_ms: latency of the two stages.
        qword: the question's wh-word (``other`` when it has none).
        cited_doc, cited_page: where the answer is cited (None: no answer, or no page).
        gold_file, gold_page: where the question set says the answer is (JSONL ``file``/``page``).
    """

    id: str
    question: str
    answerable: bool
    prediction: str
    score: float
    em: float
    f1: float
    hits: list[bool]
    retrieve_ms: float
    read_ms: float
    qword: str
    cited_doc: str | None = None
    cited_page: int | None = None
    gold_file: str | None = None
    gold_page: int | None = None

    @property
    def abstained(self) -> bool:
        return self.prediction == ""


def question_word(question: str) -> str:
    """The first wh-word of ``question`` (whom/whose count as who), else ``other``."""
    for word in _WORD.findall(question.lower()):
        word = _WH_ALIASES.get(word, word)
        if word in QUESTION_WORDS:
            return word
    return "other"


def is_hit(passage: Passage, item: Item) -> bool:
    """Whether ``passage`` holds one of ``item``'s gold answers."""
    chunk = passage.chunk
    if item.gold_ranges is not None:
        return any(
            doc == chunk.doc_id and start < chunk.end and chunk.start < end
            for doc, start, end in item.gold_ranges
        )
    # Padded with spaces so "1924" is not found inside "19245".
    text = f" {normalize_answer(chunk.text)} "
    return any(f" {g} " in text for g in map(normalize_answer, item.question.answers) if g)


def run_questions(
    qa,
    items: Sequence[Item],
    method: str = "hybrid",
    passages: int = PASSAGES,
    progress: bool | None = None,
) -> list[Record]:
    """Ask every item and score it.

    Args:
        qa: a :class:`qa.pipeline.QA` whose index is ready.
        items: the questions, with their retrieval restriction and gold ranges.
        method: bm25, dense or hybrid.
        passages: how many retrieved passages the reader reads.
        progress: progress bar (None: only on a terminal).

    Returns:
        One record per item, in order.
    """
    depth = max(RETRIEVAL_DEPTH, passages)
    if items:
        # Untimed warm-up: the first call loads the question encoder and the reader.
        first = items[0]
        qa.read(first.question.question, qa.retrieve(first.question.question, depth, method, first.doc_ids)[:passages])
    records = []
    for item in progress_bar(items, "questions", progress):
        q = item.question
        t0 = time.perf_counter()
        found = qa.retrieve(q.question, k=depth, method=method, doc_ids=item.doc_ids)
        t1 = time.perf_counter()
        answers = qa.read(q.question, found[:passages], top_k=1)
        t2 = time.perf_counter()
        best = answers[0] if answers else None
        prediction = best.text if best is not None and best.text is not None else ""
        golds = list(q.answers) if q.answerable else []
        records.append(Record(
            id=q.id,
            question=q.question,
            answerable=q.answerable,
            prediction=prediction,
            score=float(best.score) if best is not None else 0.0,
            em=exact_match(prediction, golds),
            f1=f1_score(prediction, golds),
            hits=[is_hit(p, item) for p in found] if q.answerable else [],
            retrieve_ms=1000 * (t1 - t0),
            read_ms=1000 * (t2 - t1),
            qword=question_word(q.question),
            cited_doc=best.doc_id if best is not None else None,
            cited_page=best.page if best is not None else None,
            gold_file=q.file,
            gold_page=q.page,
        ))
    return records


def rank_documents(qa, query: str, method: str, n_docs: int = 100) -> list[str]:
    """Document ids ranked by their best chunk, ``n_docs`` of them at most.

    Documents span several chunks, so ``k=n_docs`` chunks would name fewer than ``n_docs``
    documents; the chunk depth grows until it does (or the corpus runs out).
    """
    n_chunks = len(qa.index)
    k = min(n_chunks, n_docs * max(1, round(n_chunks / max(1, len(qa.index.documents)))))
    while True:
        found = qa.retrieve(query, k=k, method=method)
        ranked = list(dict.fromkeys(p.doc_id for p in found))
        # Fewer passages than asked for means the method ran out of matches: deeper finds no more.
        if len(ranked) >= n_docs or k >= n_chunks or len(found) < k:
            return ranked[:n_docs]
        k = min(n_chunks, 2 * k)


def progress_bar(items: Iterable, desc: str, show: bool | None):
    """A tqdm bar on stderr; ``show=None`` shows it only on a terminal."""
    from tqdm import tqdm

    disable = not sys.stderr.isatty() if show is None else not show
    return tqdm(items, desc=desc, unit="q", disable=disable, file=sys.stderr, dynamic_ncols=True)
