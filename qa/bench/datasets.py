"""Benchmark inputs: detect a file's format, load its questions, pick a split and a sample.

Three formats are understood:

* a JSONL question set: one ``{"id", "question", "answers": [..], "answerable"}`` object a line;
* a SQuAD v1.1 / v2.0 JSON file: ``{"data": [{"title", "paragraphs": [{"context", "qas"}]}]}``;
* a BEIR folder: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/test.tsv``.

Anything else is a :class:`~qa.errors.QAError`, which the CLI prints on one line (exit code 2).
"""

from __future__ import annotations

import csv
import json
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, TypeVar

from qa.errors import QAError

log = logging.getLogger("qa")

#: Articles of dev-v1.1.json whose 0-based position is divisible by 4 (the benchmarks README).
#: Listed by title because dev-v2.0.json holds fewer articles, in another order, and is split by
#: the same titles.
HELD_OUT_TITLES = (
    "Super_Bowl_50", "Computational_complexity_theory", "Sky_(United_Kingdom)", "Oxygen",
    "Amazon_rainforest", "Black_Death", "American_Broadcasting_Company", "Civil_disobedience",
    "Jacksonville,_Florida", "Yuan_dynasty", "Prime_number", "Imperialism",
)
SPLITS = ("heldout", "train", "all")
BEIR_FILES = ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv")

T = TypeVar("T")


@dataclass(frozen=True)
class Question:
    """One benchmark question.

    Attributes:
        id: the question id of the file.
        question: the question text.
        answers: gold answer texts (empty for an unanswerable question).
        answerable: False when the right output is no answer.
        article: SQuAD only: the article's position in the file.
        paragraph: SQuAD only: the paragraph's position in its article.
        answer_starts: SQuAD only: character offset of each gold answer in the paragraph's
            context, parallel to ``answers``.
        file: JSONL only, optional: the document (path inside the corpus) the answer is in.
        page: JSONL only, optional: the 1-based PDF page of that answer.
    """

    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool
    article: int | None = None
    paragraph: int | None = None
    answer_starts: tuple[int, ...] = ()
    file: str | None = None
    page: int | None = None


@dataclass
class QuestionSet:
    """A JSONL question set (asked against a corpus folder)."""

    path: Path
    questions: list[Question]
    kind: str = "jsonl"


@dataclass
class SquadSet:
    """A parsed SQuAD file.

    Attributes:
        path: the file.
        data: the parsed JSON, kept whole because the official scorer walks it.
        version: ``"v1.1"`` or ``"v2.0"``: v2.0 when the file says so or has unanswerable questions.
        titles: article titles in file order.
        questions: every question, in file order.
    """

    path: Path
    data: dict[str, Any]
    version: str
    titles: list[str]
    questions: list[Question]
    kind: str = "squad"

    def articles(self, split: str) -> list[int]:
        """Positions of the articles in ``split`` (``heldout``, ``train`` or ``all``)."""
        if split not in SPLITS:
            raise QAError(f"unknown split '{split}' (choose from: {', '.join(SPLITS)})")
        held = held_out_articles(self.titles)
        if split == "heldout":
            return sorted(held)
        if split == "train":
            return [i for i in range(len(self.titles)) if i not in held]
        return list(range(len(self.titles)))

    def split_questions(self, split: str) -> list[Question]:
        """The questions of the articles in ``split``, in file order."""
        wanted = set(self.articles(split))
        return [q for q in self.questions if q.article in wanted]


@dataclass
class BeirSet:
    """A BEIR test collection.

    Attributes:
        path: the folder.
        corpus: doc id -> (title, text), in file order.
        queries: query id -> text.
        qrels: query id -> {doc id: grade}, for the queries that have judgements.
    """

    path: Path
    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)
    kind: str = "beir"

    def judged_queries(self) -> list[Question]:
        """The queries with judgements, as answerless Questions (retrieval only), in qrels order."""
        return [Question(qid, self.queries[qid], (), True) for qid in self.qrels if qid in self.queries]


def held_out_articles(titles: Sequence[str]) -> set[int]:
    """Positions of the held-out articles among ``titles``.

    A file that shares titles with SQuAD dev (v1.1 or v2.0) is split by the README's title list;
    any other SQuAD-format file falls back to the rule that defines that list (position % 4 == 0).
    """
    known = set(HELD_OUT_TITLES)
    by_title = {i for i, t in enumerate(titles) if t in known}
    if by_title:
        return by_title
    return {i for i in range(len(titles)) if i % 4 == 0}


def sample(items: Sequence[T], limit: int | None, seed: int = 0) -> list[T]:
    """A fixed random sample of ``limit`` items (all of them when ``limit`` is None or larger).

    The sample depends only on ``items``, ``limit`` and ``seed``, and keeps the items' order, so
    the same command asks the same questions in the same order every run.
    """
    if limit is not None and limit < 1:
        raise QAError("--limit must be at least 1")
    if limit is None or limit >= len(items):
        return list(items)
    chosen = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in chosen]


# -- detection and loading ----------------------------------------------------------------------


def load(path: str | Path) -> QuestionSet | SquadSet | BeirSet:
    """Detect the format of ``path`` and load it.

    Raises:
        QAError: the path does not exist or is in no known format.
    """
    path = Path(path)
    if path.is_dir():
        missing = [f for f in BEIR_FILES if not (path / f).is_file()]
        if missing:
            raise QAError(f"{path} is a folder but not a BEIR dataset: it lacks {', '.join(missing)}")
        return load_beir(path)
    if not path.is_file():
        raise QAError(f"benchmark file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QAError(f"{path} is not a UTF-8 text file; expected a JSONL question set, a SQuAD JSON file or a BEIR folder") from None
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None  # several JSON lines, or not JSON at all: try JSONL below
    if isinstance(whole, dict) and isinstance(whole.get("data"), list):
        return parse_squad(path, whole)
    if isinstance(whole, dict) and "question" in whole:  # a JSONL set of one line
        return parse_jsonl(path, text)
    if whole is None and text.lstrip().startswith("{"):
        return parse_jsonl(path, text)
    raise QAError(
        f"{path}: unknown benchmark format; expected a JSONL question set "
        '({"id", "question", "answers", "answerable"} a line), a SQuAD JSON file or a BEIR folder'
    )


def parse_jsonl(path: Path, text: str) -> QuestionSet:
    """Questions of a JSONL question set.

    Raises:
        QAError: a line is not a JSON object with a ``question`` and an ``answers`` list.
    """
    questions = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise QAError(f"{path}, line {n}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("question"), str):
            raise QAError(f"{path}, line {n}: expected an object with a \"question\" string")
        answers = obj.get("answers", [])
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise QAError(f"{path}, line {n}: \"answers\" must be a list of strings")
        qid = str(obj.get("id", n))
        if qid in seen:
            raise QAError(f"{path}, line {n}: question id '{qid}' is used twice")
        seen.add(qid)
        # "answerable" defaults to whether gold answers exist; an explicit false wins.
        if obj.get("answerable") is True and not answers:
            log.warning("%s, line %d: marked answerable but has no answers; scored as unanswerable", path, n)
        answerable = bool(obj.get("answerable", bool(answers))) and bool(answers)
        file, page = obj.get("file"), obj.get("page")
        if file is not None and not isinstance(file, str):
            raise QAError(f"{path}, line {n}: \"file\" must be a path inside the corpus")
        if page is not None and (not isinstance(page, int) or isinstance(page, bool) or page < 1):
            raise QAError(f"{path}, line {n}: \"page\" must be a page number from 1, or null")
        questions.append(Question(qid, obj["question"], tuple(answers), answerable, file=file, page=page))
    if not questions:
        raise QAError(f"{path} holds no questions")
    return QuestionSet(path, questions)


def parse_squad(path: Path, data: dict[str, Any]) -> SquadSet:
    """Questions of a parsed SQuAD file, in file order.

    Raises:
        QAError: the structure is not SQuAD's.
    """
    titles, questions = [], []
    try:
        for a, article in enumerate(data["data"]):
            titles.append(str(article.get("title", f"article_{a}")))
            for p, para in enumerate(article["paragraphs"]):
                if not isinstance(para["context"], str):
                    raise TypeError("context is not text")
                for qa in para["qas"]:
                    impossible = bool(qa.get("is_impossible", False)) or not qa["answers"]
                    answers = () if impossible else tuple(x["text"] for x in qa["answers"])
                    starts = () if impossible else tuple(int(x["answer_start"]) for x in qa["answers"])
                    questions.append(Question(qa["id"], qa["question"], answers, not impossible, a, p, starts))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise QAError(f"{path} looks like SQuAD JSON but is malformed ({type(exc).__name__}: {exc})") from None
    if not questions:
        raise QAError(f"{path} holds no questions")
    unanswerable = any(not q.answerable for q in questions)
    version = "v2.0" if str(data.get("version", "")).startswith("v2") or unanswerable else "v1.1"
    return SquadSet(path, data, version, titles, questions)


def load_beir(folder: Path) -> BeirSet:
    """A BEIR folder's corpus, queries and test judgements.

    Raises:
        QAError: a file is malformed.
    """
    corpus: dict[str, tuple[str, str]] = {}
    queries: dict[str, str] = {}
    try:
        for obj in _jsonl(folder / "corpus.jsonl"):
            corpus[str(obj["_id"])] = (obj.get("title") or "", obj.get("text") or "")
        for obj in _jsonl(folder / "queries.jsonl"):
            queries[str(obj["_id"])] = obj["text"]
    except (KeyError, TypeError) as exc:
        raise QAError(f"{folder}: a BEIR record lacks {exc}") from None
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels" / "test.tsv", encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
            if not row or (n == 1 and row[0] == "query-id"):
                continue
            try:
                qrels.setdefault(row[0], {})[row[1]] = int(row[2])
            except (IndexError, ValueError):
                raise QAError(f"{folder}/qrels/test.tsv, line {n}: expected query-id, corpus-id, score") from None
    if not qrels:
        raise QAError(f"{folder}/qrels/test.tsv holds no judgements")
    return BeirSet(folder, corpus, queries, qrels)


def _jsonl(path: Path):
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise QAError(f"{path}, line {n}: not JSON ({exc.msg})") from None
