"""Format detection, the held-out split and sampling (qa.bench.datasets)."""

from __future__ import annotations

import json

import pytest

from qa.bench.datasets import HELD_OUT_TITLES, BeirSet, QuestionSet, SquadSet, load, sample
from qa.cli import main
from qa.errors import QAError

README_HELD_OUT = [
    "Super_Bowl_50", "Computational_complexity_theory", "Sky_(United_Kingdom)", "Oxygen",
    "Amazon_rainforest", "Black_Death", "American_Broadcasting_Company", "Civil_disobedience",
    "Jacksonville,_Florida", "Yuan_dynasty", "Prime_number", "Imperialism",
]


# -- detection ---------------------------------------------------------------------------------


def test_detects_jsonl_question_set(benchmarks):
    qset = load(benchmarks / "seed_dev.jsonl")
    assert isinstance(qset, QuestionSet)
    assert len(qset.questions) == 28
    assert sum(not q.answerable for q in qset.questions) == 3
    assert all(q.answers == () for q in qset.questions if not q.answerable)


def test_detects_squad_versions(squad_v1, squad_v2):
    assert isinstance(squad_v1, SquadSet) and squad_v1.version == "v1.1"
    assert len(squad_v1.titles) == 48 and len(squad_v1.questions) == 10_570
    assert isinstance(squad_v2, SquadSet) and squad_v2.version == "v2.0"
    assert len(squad_v2.questions) == 11_873
    assert sum(not q.answerable for q in squad_v2.questions) == 5_945


def test_detects_beir_folder(benchmarks):
    beir = load(benchmarks / "beir-scifact")
    assert isinstance(beir, BeirSet)
    assert len(beir.corpus) == 5_183
    assert len(beir.judged_queries()) == 300
    assert sum(len(j) for j in beir.qrels.values()) == 339


def test_one_line_jsonl_is_a_question_set(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "Who?", "answers": ["Me"], "answerable": True}) + "\n")
    assert isinstance(load(path), QuestionSet)


@pytest.mark.parametrize(
    "name, content",
    [
        ("notes.txt", "just some text\n"),
        ("list.json", "[1, 2, 3]"),
        ("obj.json", '{"version": "1.1"}'),
        ("bad.jsonl", '{"question": "ok?", "answers": []}\nnot json\n'),
        ("noq.jsonl", '{"id": "1", "answers": []}\n{"id": "2", "answers": []}\n'),
        ("binary.bin", b"\xff\xfe\x00garbage"),
        ("squadish.json", '{"data": [{"title": "x", "paragraphs": [{"qas": []}]}]}'),
    ],
)
def test_unknown_or_malformed_files_are_qa_errors(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(QAError):
        load(path)


def test_folder_without_beir_files_is_a_qa_error(tmp_path):
    (tmp_path / "corpus.jsonl").write_text("{}\n")
    with pytest.raises(QAError, match="queries.jsonl"):
        load(tmp_path)


@pytest.mark.parametrize("kind", ["bad file", "missing file", "empty folder"])
def test_cli_reports_bad_input_in_one_line_with_exit_2(tmp_path, capsys, kind):
    if kind == "bad file":
        target = tmp_path / "bad.txt"
        target.write_text("hello\n")
    elif kind == "missing file":
        target = tmp_path / "nope.jsonl"
    else:
        target = tmp_path / "folder"
        target.mkdir()
    assert main(["bench", str(target), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qa: error:") and "\n" not in err and "Traceback" not in err


def test_cli_refuses_options_that_do_not_fit_the_file(benchmarks, capsys):
    assert main(["bench", str(benchmarks / "seed_dev.jsonl"), "--mode", "reading"]) == 2
    assert main(["bench", str(benchmarks / "squad" / "dev-v1.1.json"), "--corpus", "corpus"]) == 2
    assert main(["bench", str(benchmarks / "beir-scifact"), "--split", "train"]) == 2
    assert main(["bench", str(benchmarks / "seed_dev.jsonl"), "--reader", "oracle"]) == 2
    assert main(["bench", str(benchmarks / "beir-scifact"), "--min-score", "0.5"]) == 2
    assert capsys.readouterr().err.count("qa: error:") == 5


# -- the split ---------------------------------------------------------------------------------


def test_held_out_split_is_the_readme_titles(squad_v1):
    held = squad_v1.articles("heldout")
    assert [squad_v1.titles[i] for i in held] == README_HELD_OUT
    assert held == [i for i in range(48) if i % 4 == 0]
    assert list(HELD_OUT_TITLES) == README_HELD_OUT
    assert len(squad_v1.split_questions("heldout")) == 2_921


def test_splits_partition_the_questions(squad_v1):
    held = {q.id for q in squad_v1.split_questions("heldout")}
    train = {q.id for q in squad_v1.split_questions("train")}
    assert not held & train
    assert len(held | train) == len(squad_v1.split_questions("all")) == 10_570


def test_v2_is_split_by_the_same_titles(squad_v2):
    held = [squad_v2.titles[i] for i in squad_v2.articles("heldout")]
    assert held and set(held) <= set(README_HELD_OUT)
    train = [squad_v2.titles[i] for i in squad_v2.articles("train")]
    assert not set(train) & set(README_HELD_OUT)


def test_unknown_split_is_a_qa_error(squad_v1):
    with pytest.raises(QAError):
        squad_v1.articles("dev")


# -- sampling ----------------------------------------------------------------------------------


def test_sample_is_the_same_every_time(squad_v1):
    questions = squad_v1.split_questions("heldout")
    first = [q.id for q in sample(questions, 50, seed=0)]
    again = [q.id for q in sample(squad_v1.split_questions("heldout"), 50, seed=0)]
    other = [q.id for q in sample(questions, 50, seed=1)]
    assert first == again
    assert first != other
    assert len(set(first)) == 50
    # File order is kept, so per-article work stays together.
    position = {q.id: i for i, q in enumerate(questions)}
    assert [position[i] for i in first] == sorted(position[i] for i in first)


def test_sample_without_limit_or_above_size_is_everything():
    items = list(range(10))
    assert sample(items, None) == items
    assert sample(items, 99) == items
    with pytest.raises(QAError):
        sample(items, 0)
