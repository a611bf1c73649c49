"""What a hostile or unlucky user does: folders of theirs in the index dir, concurrent builds, files
that change or vanish mid-build, links out of the corpus, bad bytes, wrong argument types."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from qa.ingest.corpus import FileStamp, fingerprint, read_document, stamp_files
from qa.errors import IndexWriteError, QAError, QuestionError
from qa.index.lock import build_lock
from qa.index.store import CURRENT, live_build
from qa.pipeline import QA, check_question
from support import REPO, run_qa, write_corpus

TEXT = ("The lighthouse on Skerry Point was built in 1871. Its keeper, Ada Brennan, kept the lamp lit for "
        "forty years. The light was automated in 1952.\n")


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus", {"light.txt": TEXT, "notes/other.md": "# Notes\n\nGulls nest on the cliffs.\n"})


def test_users_own_folders_in_the_index_dir_survive_builds(corpus, tmp_path):
    index = tmp_path / "proj"
    mine = [index / "build-artifacts", index / ".tmp-notes", index / "build-20200101-000000-abcdef12"]
    for folder in mine:
        folder.mkdir(parents=True)
        (folder / "keep.txt").write_text("mine")
    qa = QA(corpus=corpus, index_dir=index, progress=False)
    first = qa.ensure_index().folder
    second = QA(corpus=corpus, index_dir=index, progress=False).ensure_index(force=True).folder
    assert first != second and not first.exists() and second.exists()
    for folder in mine:
        assert (folder / "keep.txt").read_text() == "mine"


def test_a_second_build_waits_for_the_first_or_exits_with_no_wait(corpus, tmp_path):
    index = tmp_path / "idx"
    index.mkdir()
    with build_lock(index):
        r = run_qa("index", "--corpus", str(corpus), "--index-dir", str(index), "--force", "--no-wait")
        assert r.returncode == 2 and "another build" in r.stderr and f"pid {os.getpid()}" in r.stderr
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        waiting = subprocess.Popen([sys.executable, "-m", "qa", "index", "--corpus", str(corpus), "--index-dir",
                                    str(index), "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env, cwd=REPO)
        time.sleep(6)
        assert waiting.poll() is None  # still waiting for the lock
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "another build of this index is running" in err and "waiting" in err
    assert live_build(index) is not None


def test_concurrent_forced_builds_all_succeed_and_leave_a_complete_index(corpus, tmp_path):
    index = tmp_path / "idx"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-m", "qa", "index", "--corpus", str(corpus), "--index-dir", str(index),
                               "--force", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=REPO) for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0 and "Traceback" not in err, err
    answer = QA(corpus=corpus, index_dir=index, progress=False).ask("When was the lighthouse built?")[0]
    assert answer.text == "1871"
    assert len([d for d in index.iterdir() if d.name.startswith("build-")]) == 1


def test_same_size_edit_with_restored_mtime_is_seen(corpus):
    before = stamp_files(corpus)
    path = corpus / "light.txt"
    st = path.stat()
    path.write_text(TEXT.replace("1871", "1872"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert fingerprint(stamp_files(corpus, before)) != fingerprint(before)


def test_file_changed_while_read_then_restored_is_stale(corpus, tmp_path, monkeypatch):
    """The build records the hash of the bytes it read, so a file restored afterwards is stale."""
    import qa.ingest.corpus

    path = corpus / "light.txt"
    real = qa.ingest.corpus.read_document

    def edited_during_read(p, folder, on_page=None):
        if p.name != "light.txt":
            return real(p, folder, on_page)
        st = p.stat()
        p.write_text(TEXT.replace("1871", "1899"), encoding="utf-8")  # someone saves a new version
        try:
            return real(p, folder, on_page)
        finally:
            p.write_text(TEXT, encoding="utf-8")  # ... and puts the old one back, mtime too
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))

    monkeypatch.setattr(qa.ingest.corpus, "read_document", edited_during_read)
    built = QA(corpus=corpus, index_dir=tmp_path / "idx", progress=False).ensure_index()
    assert "1899" in built.document("light.txt").text and "1871" in path.read_text()
    monkeypatch.setattr(qa.ingest.corpus, "read_document", real)
    again = QA(corpus=corpus, index_dir=tmp_path / "idx", progress=False)
    assert again._fresh_build() is None  # judged stale: it holds words the file does not
    assert again.ask("When was the lighthouse built?")[0].text == "1871"


def test_read_document_stamps_the_bytes_it_read(corpus):
    doc, stamp = read_document(corpus / "light.txt", corpus)
    import hashlib

    assert isinstance(stamp, FileStamp) and stamp.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert doc.text == TEXT


def test_file_vanishing_mid_build_is_skipped_and_the_build_goes_on(corpus, tmp_path, monkeypatch, caplog):
    import qa.ingest.corpus

    real = qa.ingest.corpus.read_document

    def vanish(path, folder, on_page=None):
        if path.name == "other.md":
            path.unlink()
        return real(path, folder, on_page)

    monkeypatch.setattr(qa.ingest.corpus, "read_document", vanish)
    index = QA(corpus=corpus, index_dir=tmp_path / "idx", progress=False).ensure_index()
    assert [d for d in index.documents.ids] == ["light.txt"]
    assert any("skipping notes/other.md: cannot read it" in r.getMessage() for r in caplog.records)


def test_index_dir_that_is_a_file_and_a_read_only_disk_are_one_line_errors(corpus, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("user data")
    r = run_qa("index", "--corpus", str(corpus), "--index-dir", str(blocker))
    assert r.returncode == 2 and "it is a file" in r.stderr and "--index-dir" in r.stderr
    assert "Traceback" not in r.stderr and blocker.read_text() == "user data"

    import pathlib

    real_mkdir = pathlib.Path.mkdir

    def read_only(self, *a, **k):
        if "idx-ro" in str(self):
            raise OSError(30, "Read-only file system")
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(pathlib.Path, "mkdir", read_only)
    with pytest.raises(IndexWriteError, match="Read-only file system.*--index-dir or \\$QA_INDEX_ROOT"):
        QA(corpus=corpus, index_dir=tmp_path / "idx-ro", progress=False).ensure_index()


def test_links_out_of_the_corpus_are_skipped_unless_followed(tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text("The vault code is 4471.\n")
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": TEXT})
    (corpus / "notes.txt").symlink_to(secret)
    (corpus / "same.txt").symlink_to(corpus / "a.txt")
    stamps = stamp_files(corpus)
    assert sorted(stamps) == ["a.txt"]  # outside: skipped; inside: read once
    assert any("notes.txt" in r.getMessage() and "outside the corpus" in r.getMessage() for r in caplog.records)
    assert "notes.txt" in stamp_files(corpus, follow_links=True)


@pytest.mark.parametrize("raw, expected", [("When was it built?\x00", "When was it built?"),
                                           ("Who \x1b[31mkept\x1b[0m it?", "Who  kept  it?"),
                                           ("caf\udce9?", "caf\ufffd?")])
def test_questions_are_normalised_at_the_boundary(raw, expected):
    assert check_question(raw) == expected


def test_question_of_only_control_characters_is_refused():
    with pytest.raises(QuestionError, match="empty"):
        check_question("\x00\x00\x07")


def test_api_checks_argument_types_and_values_at_the_boundary(corpus, tmp_path):
    with pytest.raises(QAError, match="corpus must be a folder path"):
        QA(corpus=123)
    with pytest.raises(QAError, match="corpus is empty"):
        QA(corpus="")
    with pytest.raises(QAError, match="reader must be one of"):
        QA(corpus=corpus, reader="bogus")
    with pytest.raises(QAError, match="fusion must be one of"):
        QA(corpus=corpus, fusion="max")
    qa = QA(corpus=corpus, index_dir=tmp_path / "idx", progress=False)
    for call, message in ((lambda: qa.ask("When?", top_k="3"), "top_k must be a whole number"),
                          (lambda: qa.retrieve("When?", k=-1), "k must be at least 1"),
                          (lambda: qa.retrieve("When?", doc_ids="light.txt"), "doc_ids must be a list"),
                          (lambda: qa.ask("When?", method="fuzzy"), "method must be one of")):
        with pytest.raises(QuestionError, match=message):
            call()


def test_empty_corpus_option_is_an_error_not_the_current_folder():
    r = run_qa("ask", "Who?", "--corpus", "")
    assert r.returncode == 2 and "--corpus is empty" in r.stderr


def test_damaged_pointer_and_document_table_rebuild_instead_of_crashing(corpus, tmp_path):
    index = tmp_path / "idx"
    qa = QA(corpus=corpus, index_dir=index, progress=False)
    build = qa.ensure_index().folder
    (build / "doc_ids.json").write_text('{"0": "light.txt"}')
    assert QA(corpus=corpus, index_dir=index, progress=False).ask("When was the lighthouse built?")[0].text == "1871"
    (index / CURRENT).write_bytes(b"\xff\xfe\x00build")
    assert QA(corpus=corpus, index_dir=index, progress=False).ask("When was the lighthouse built?")[0].text == "1871"


def test_a_folder_of_the_users_named_current_is_kept_and_refused_before_any_work(corpus, tmp_path):
    index = tmp_path / "idx"
    (index / CURRENT).mkdir(parents=True)
    (index / CURRENT / "mine.txt").write_text("mine")
    with pytest.raises(IndexWriteError, match="is a folder with files in it.*move it out"):
        QA(corpus=corpus, index_dir=index, progress=False).ensure_index()
    assert (index / CURRENT / "mine.txt").read_text() == "mine"
    assert [p.name for p in index.iterdir()] == [CURRENT]  # nothing built, nothing left behind
    r = run_qa("ask", "When was the lighthouse built?", "--corpus", str(corpus), "--index-dir", str(index))
    assert r.returncode == 2 and "Traceback" not in r.stderr and f"{index / CURRENT} is a folder" in r.stderr
    # An empty folder there is damage, not data: it is replaced by the pointer.
    (index / CURRENT / "mine.txt").unlink()
    assert QA(corpus=corpus, index_dir=index, progress=False).ask("When was the lighthouse built?")[0].text == "1871"


def test_escape_sequences_in_file_names_and_text_do_not_reach_the_terminal(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"evil\x1b[2Jname.txt": "The bell was cast in 1890 by \x1b[31mHoward\x1b[0m Bros.\n"})
    r = run_qa("ask", "When was the bell cast?", "--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "evil\\x1b[2Jname.txt" in r.stdout


def test_builds_killed_at_random_points_leave_an_index_that_answers(corpus, tmp_path):
    import random
    import signal

    index = tmp_path / "idx"
    QA(corpus=corpus, index_dir=index, progress=False).ensure_index()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "qa", "index", "--corpus", str(corpus), "--index-dir", str(index), "--force",
           "--no-progress"]
    rng = random.Random(11)
    # Spread over start-up, model loading, spaCy, embedding, writing and the swap of a ~10 s build.
    for delay in sorted(rng.uniform(0.3, 12.0) for _ in range(10)):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=REPO)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        answer = QA(corpus=corpus, index_dir=index, progress=False).ask("When was the lighthouse built?")[0]
        assert answer.text == "1871", f"after a kill at {delay:.1f} s"
    # Questions asked while a rebuild runs are answered from the live index.
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO, text=True)
    answers = []
    while p.poll() is None and len(answers) < 20:
        answers.append(QA(corpus=corpus, index_dir=index, progress=False).ask("Who kept the lamp lit?")[0].text)
    assert p.wait(timeout=300) == 0
    assert answers and set(answers) == {"Ada Brennan"}


def test_prompt_survives_invalid_bytes_and_control_characters(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"light.txt": TEXT})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    lines = b"When was the lighthouse \xff\xfe built?\n\x00\x00\n\x1b[2JWho kept the lamp lit?\n"
    r = subprocess.run([sys.executable, "-m", "qa", "prompt", "--corpus", str(corpus), "--index-dir",
                        str(tmp_path / "idx")], input=lines, capture_output=True, env=env, cwd=REPO, timeout=300)
    out, err = r.stdout.decode(), r.stderr.decode()
    assert r.returncode == 0 and "Traceback" not in err, err
    assert "1871" in out and "Ada Brennan" in out and "empty" in err


def test_jsonl_question_marked_answerable_without_answers_is_warned_about(tmp_path, caplog):
    from qa.bench.datasets import load

    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "Who?", "answerable": true}\n')
    questions = load(path).questions
    assert not questions[0].answerable
    assert any("marked answerable but has no answers" in r.getMessage() for r in caplog.records)
