import logging

import pytest

from support import write_corpus
from qa.ingest.corpus import fingerprint, load_corpus, stamp_files
from qa.errors import CorpusError


def test_reads_txt_and_md_recursively_with_relative_ids(tmp_path):
    write_corpus(tmp_path, {"a.txt": "Alpha.", "sub/b.md": "Beta.", "sub/c.csv": "x,y", ".git/d.txt": "hidden"})
    docs = load_corpus(tmp_path)
    assert [d.id for d in docs] == ["a.txt", "sub/b.md"]
    assert docs[1].text == "Beta."


def test_skips_empty_and_non_utf8_files_with_a_warning_naming_them(tmp_path, caplog):
    write_corpus(tmp_path, {"good.txt": "Good text.", "empty.txt": "  \n", "latin1.txt": "caf\xe9".encode("latin-1")})
    with caplog.at_level(logging.WARNING):
        docs = load_corpus(tmp_path)
    assert [d.id for d in docs] == ["good.txt"]
    assert "empty.txt" in caplog.text and "latin1.txt" in caplog.text


def test_folder_without_usable_documents_is_an_error_naming_it(tmp_path):
    write_corpus(tmp_path, {"empty.txt": "", "notes.csv": "a,b"})
    with pytest.raises(CorpusError, match=str(tmp_path)):
        load_corpus(tmp_path)


def test_missing_folder_is_an_error_naming_it(tmp_path):
    with pytest.raises(CorpusError, match="nope"):
        load_corpus(tmp_path / "nope")


def test_fingerprint_changes_with_content_and_not_with_touch(tmp_path):
    write_corpus(tmp_path, {"a.txt": "one"})
    before = stamp_files(tmp_path)
    (tmp_path / "a.txt").touch()
    assert fingerprint(stamp_files(tmp_path, before)) == fingerprint(before)
    (tmp_path / "a.txt").write_text("two")
    assert fingerprint(stamp_files(tmp_path, before)) != fingerprint(before)
