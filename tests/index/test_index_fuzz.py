"""Every file of a real index garbled in turn: the next question rebuilds (or fails in one clear
line), and never answers from damaged data or with a traceback."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from qa.errors import QAError
from qa.index.store import live_build
from qa.pipeline import QA
from support import write_corpus

TEXT = ("The lighthouse on Skerry Point was built in 1871. Its keeper, Ada Brennan, kept the lamp lit for "
        "forty years. The light was automated in 1952.\n")
QUESTION, ANSWER = "When was the lighthouse built?", "1871"


def _garbles(path, data):
    yield "truncated", data[: len(data) // 2]
    yield "empty", b""
    flipped = bytearray(data)
    for i in range(len(flipped) // 3, len(flipped), max(1, len(flipped) // 7)):
        flipped[i] ^= 0x5A
    yield "bytes flipped in place", bytes(flipped)
    yield "binary", bytes(range(256)) * 3
    if path.suffix == ".json":
        yield "wrong JSON type", b'{"0": 1}'
    if path.name == "embeddings.npy":
        import io

        arr = np.load(io.BytesIO(data))
        arr[0, :] = np.nan
        buf = io.BytesIO()
        np.save(buf, arr)
        yield "NaN", buf.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    corpus = write_corpus(root / "corpus", {"light.txt": TEXT, "gulls.md": "# Gulls\n\nGulls nest on the cliffs.\n"})
    index = root / "index"
    QA(corpus=corpus, index_dir=index, progress=False).ensure_index()
    return corpus, index


def test_every_garbled_index_file_is_rebuilt_or_refused_cleanly(built):
    corpus, index = built
    pristine = live_build(index)
    originals = {p.name: p.read_bytes() for p in pristine.iterdir() if p.is_file() and p.name != ".qa-build"}
    names = sorted(originals)
    assert "manifest.json" in names and "embeddings.npy" in names and "doc_texts.bin" in names
    outcomes = {}
    for name in names:
        for kind, data in _garbles(pristine / name, originals[name]):
            build = live_build(index)
            (build / name).write_bytes(data)
            try:
                answer = QA(corpus=corpus, index_dir=index, progress=False).ask(QUESTION)[0]
            except QAError as exc:  # a clean, one-line refusal is acceptable; a traceback is not
                outcomes[(name, kind)] = f"refused: {exc}"
                shutil.rmtree(index)
                QA(corpus=corpus, index_dir=index, progress=False).ensure_index()
                continue
            assert answer.text == ANSWER, (name, kind)
            doc = QA(corpus=corpus, index_dir=index, progress=False).index.document(answer.doc_id)
            assert doc.text[answer.start : answer.end] == answer.text, (name, kind)
            assert live_build(index) != build, f"{name} {kind}: the damaged build is still live"
            outcomes[(name, kind)] = "rebuilt"
    assert all(v == "rebuilt" for v in outcomes.values()), {k: v for k, v in outcomes.items() if v != "rebuilt"}


def test_verify_hashes_every_file_and_rebuilds_on_a_difference(built, monkeypatch):
    corpus, index = built
    import qa.index.manifest

    build = live_build(index)
    monkeypatch.setattr(qa.index.manifest, "HASH_ON_LOAD_BYTES", 0)  # as for a big index: sizes only
    arr = np.load(build / "embeddings.npy")
    arr[0, 0] = np.nan
    np.save(build / "embeddings.npy", arr)  # same size, other bytes
    assert QA(corpus=corpus, index_dir=index, progress=False).ensure_index().folder == build
    rebuilt = QA(corpus=corpus, index_dir=index, progress=False).ensure_index(verify=True)
    assert rebuilt.folder != build and np.isfinite(np.asarray(rebuilt.dense.embeddings)).all()
    manifest = json.loads((rebuilt.folder / "manifest.json").read_text())
    assert set(manifest["checksums"]) >= {"embeddings.npy", "doc_texts.bin", "chunks.npy"}
