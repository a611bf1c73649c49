"""The qa command as a person uses it: answers, JSON, the prompt, and clear errors for bad input."""

import json

import pytest

from support import BUNDLED_CORPUS, run_qa


def test_ask_prints_answer_citation_and_highlighted_sentence(bundled_qa, bundled_index_dir):
    r = run_qa("ask", "When was Trotsky assassinated?", index_dir=bundled_index_dir)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "August 20, 1940"
    assert "soviet_succession.txt, line" in lines[1] and "characters" in lines[1]
    assert "[August 20, 1940]" in lines[2]


def test_ask_json_has_the_documented_keys_and_exact_offsets(bundled_qa, bundled_index_dir):
    r = run_qa("ask", "Which agency presumably ordered Trotsky's murder?", "--json", index_dir=bundled_index_dir)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"question", "answer", "score", "doc_id", "start", "end", "sentence", "passage"} <= set(out)
    text = (BUNDLED_CORPUS / out["doc_id"]).read_text(encoding="utf-8")
    assert text[out["start"] : out["end"]] == out["answer"] == "NKVD"


def test_ask_json_no_answer_is_null(bundled_qa, bundled_index_dir):
    r = run_qa("ask", "Which team won the 1998 football World Cup?", "--json", index_dir=bundled_index_dir)
    out = json.loads(r.stdout)
    assert out["answer"] is None and out["start"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", ""], "empty"),
        (["ask", "   \t "], "empty"),
        (["ask", "x" * 2001], "2,000"),
        (["ask", "Who?", "--corpus", "/no/such/folder"], "/no/such/folder"),
        (["ask", "Who?", "--top-k", "0"], "at least 1"),
        (["ask", "Who?", "--min-score", "1.5"], "between 0 and 1"),
        (["ask", "Who?", "--min-score", "nan"], "between 0 and 1"),
        (["bench", "../shared/benchmarks/seed_dev.jsonl", "--min-score", "-0.1"], "between 0 and 1"),
        (["index", "--corpus", "/no/such/folder"], "/no/such/folder"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args, message, bundled_index_dir):
    r = run_qa(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_empty_corpus_folder_is_exit_2_naming_it(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    r = run_qa("index", "--corpus", str(tmp_path), "--index-dir", str(tmp_path / "idx"))
    assert r.returncode == 2 and str(tmp_path) in r.stderr and "Traceback" not in r.stderr


def test_prompt_answers_each_line_reports_errors_and_goes_on(bundled_qa, bundled_index_dir):
    stdin = "help\nWhen did Trotsky settle in Mexico City?\n" + "y" * 2500 + "\nWho described Molotov as a desiccated and boring man?\nquit\n"
    r = run_qa("prompt", stdin=stdin, index_dir=bundled_index_dir)
    assert r.returncode == 0, r.stderr
    assert "quit" in r.stdout  # the help text
    assert "1937" in r.stdout and "Victor Erofeyev" in r.stdout
    assert "2,000" in r.stderr and "Traceback" not in r.stderr


def test_prompt_leaves_cleanly_at_end_of_input(bundled_qa, bundled_index_dir):
    r = run_qa("prompt", stdin="", index_dir=bundled_index_dir)
    assert r.returncode == 0 and "Traceback" not in r.stderr


def test_index_command_reports_counts(bundled_qa, bundled_index_dir):
    r = run_qa("index", index_dir=bundled_index_dir)
    assert r.returncode == 0, r.stderr
    assert "1 documents" in r.stdout and "chunks" in r.stdout
    # Where the build's time went, stage by stage, and its rate.
    stages = [line for line in r.stdout.splitlines() if line.startswith("built in ")]
    assert len(stages) == 1, r.stdout
    for stage in ("read", "annotate", "chunk", "embed", "write"):
        assert f"{stage} " in stages[0]
    assert stages[0].endswith("chunks/s")
