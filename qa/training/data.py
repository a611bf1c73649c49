"""Training questions for the reader, and the split that keeps held-out articles out of them.

Sources (``../shared/benchmarks/``, see its README):

* ``train/squad-train-v1.1.json.gz``: the whole SQuAD v1.1 train set (87k answerable questions;
  none of its articles or paragraphs is in the dev files). Answer texts are exact; about 2.5% of
  offsets point at another copy of the same string (``answer_occurrences`` finds those rows).
* ``squad/dev-v1.1.json`` and ``squad/dev-v2.0.json``: only their TRAIN articles, split by the
  same loader and title list as ``qa bench`` (``qa.bench.datasets``). Four of them
  (``TUNING_TITLES``) are set aside to choose thresholds and checkpoints.
* ``train/subjqa.json.gz``: review questions, half of them unanswerable.

Every row passes :func:`check_no_held_out` before it can reach training.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from qa.bench.datasets import HELD_OUT_TITLES, SquadSet, parse_squad

BENCHMARKS = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"
TUNING_TITLES = ("Normans", "Steam_engine", "Pharmacy", "Rhine")


@dataclass
class Row:
    """One (question, paragraph) training or tuning example.

    Attributes:
        id: the question id of its file.
        title: its article's title.
        question, context: the texts the reader sees.
        answers: gold answer texts (empty: unanswerable).
        starts: character offset of each answer in ``context``.
        source: which data set it came from (``squad-train``, ``dev-v1.1``, ``subjqa`` ...).
    """

    id: str
    title: str
    question: str
    context: str
    answers: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    source: str = ""


def load_squad_file(path: Path) -> SquadSet:
    """A SQuAD-format file, plain or gzip'd, parsed by the bench loader."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return parse_squad(path, json.load(fh))


def rows_of(squad: SquadSet, titles: set[str] | None, source: str) -> list[Row]:
    """The rows of ``squad``'s articles (only those in ``titles`` when given), in file order."""
    out = []
    for q in squad.questions:
        title = squad.titles[q.article]
        if titles is not None and title not in titles:
            continue
        context = squad.data["data"][q.article]["paragraphs"][q.paragraph]["context"]
        out.append(Row(q.id, title, q.question, context, list(q.answers), list(q.answer_starts), source))
    return out


def dev_titles(squad: SquadSet) -> tuple[list[str], list[str]]:
    """(training titles, tuning titles) of a dev file: its TRAIN articles, tuning ones set apart."""
    train = [squad.titles[i] for i in squad.articles("train")]
    fit = [t for t in train if t not in TUNING_TITLES]
    tune = [t for t in train if t in TUNING_TITLES]
    return fit, tune


def check_no_held_out(rows: list[Row], held_out_contexts: set[str] = frozenset()) -> None:
    """Raise if any row belongs to a held-out article, by title or by paragraph text."""
    held = set(HELD_OUT_TITLES)
    bad = [r.id for r in rows if r.title in held or r.context in held_out_contexts]
    if bad:
        raise ValueError(f"{len(bad)} training rows come from held-out articles (first: {bad[0]})")


def held_out_contexts(squad: SquadSet) -> set[str]:
    """The paragraph texts of a dev file's held-out articles."""
    return {p["context"] for i in squad.articles("heldout") for p in squad.data["data"][i]["paragraphs"]}


def answer_occurrences(row: Row) -> int:
    """How often the first answer text occurs in the context (0 for an unanswerable row)."""
    if not row.answers:
        return 0
    return len(re.findall(re.escape(row.answers[0]), row.context))


@dataclass
class Corpus:
    """Every source of rows, split. ``fit_*`` may train; ``tune_*`` only choose settings."""

    squad_train: list[Row]
    dev_answerable: list[Row]
    dev_unanswerable: list[Row]
    subjqa: list[Row]
    tune_v11: list[Row]
    tune_v20: list[Row]


def load_corpus(benchmarks: Path = BENCHMARKS, with_subjqa: bool = True) -> Corpus:
    """All training and tuning rows, each checked against the held-out articles."""
    dev1 = load_squad_file(benchmarks / "squad" / "dev-v1.1.json")
    dev2 = load_squad_file(benchmarks / "squad" / "dev-v2.0.json")
    fit_titles, tune_titles = dev_titles(dev1)
    held_ctx = held_out_contexts(dev1) | held_out_contexts(dev2)
    v2_fit = rows_of(dev2, set(fit_titles), "dev-v2.0")
    corpus = Corpus(
        squad_train=rows_of(load_squad_file(benchmarks / "train" / "squad-train-v1.1.json.gz"), None, "squad-train"),
        dev_answerable=rows_of(dev1, set(fit_titles), "dev-v1.1"),
        dev_unanswerable=[r for r in v2_fit if not r.answers],
        subjqa=rows_of(load_squad_file(benchmarks / "train" / "subjqa.json.gz"), None, "subjqa") if with_subjqa else [],
        tune_v11=rows_of(dev1, set(tune_titles), "dev-v1.1"),
        tune_v20=rows_of(dev2, set(tune_titles), "dev-v2.0"),
    )
    for rows in (corpus.squad_train, corpus.dev_answerable, corpus.dev_unanswerable, corpus.subjqa):
        check_no_held_out(rows, held_ctx)
    return corpus
