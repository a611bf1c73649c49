"""A file bigger than a build group is annotated, chunked and embedded a run of paragraphs at a time."""

from __future__ import annotations

import json

import numpy as np

import qa.index.writer as writer
from support import write_corpus
from qa.pipeline import QA


def _build(corpus, index_dir):
    return QA(corpus=corpus, index_dir=index_dir, progress=False).ensure_index()


def test_a_big_file_built_in_runs_gives_the_index_of_one_built_whole(tmp_path, benchmarks, monkeypatch):
    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text(encoding="utf-8"))["data"]
    big = "\n\n".join(p["context"] for p in data[1]["paragraphs"][:30])
    assert len(big) > 20_000
    corpus = write_corpus(tmp_path / "corpus", {
        "a.txt": "Stalin outlived Lenin by twenty-nine years.",
        "big.txt": big,
        "z.txt": "Trotsky was exiled in 1929.",
    })
    whole = _build(corpus, tmp_path / "whole")
    monkeypatch.setattr(writer, "GROUP_CHARS", 4_000)  # big.txt is now five times a group
    runs = _build(corpus, tmp_path / "runs")

    assert list(runs.documents.ids) == ["a.txt", "big.txt", "z.txt"]
    np.testing.assert_array_equal(runs.chunks, whole.chunks)
    np.testing.assert_array_equal(runs.sentences, whole.sentences)
    assert [tuple(r[:3]) + (runs.span_labels[r[3]],) for r in runs.spans.tolist()] == \
           [tuple(r[:3]) + (whole.span_labels[r[3]],) for r in whole.spans.tolist()]
    np.testing.assert_allclose(np.asarray(runs.dense.embeddings), np.asarray(whole.dense.embeddings), atol=1e-5)
    assert runs.manifest["n_chunks"] == whole.manifest["n_chunks"] == len(whole.chunks) > 20
    for i in range(len(runs.chunks)):
        chunk = runs.chunk(i)
        assert runs.document(chunk.doc_id).text[chunk.start:chunk.end] == chunk.text
