"""Index life cycle: built on first use, rebuilt when stale or damaged, never half-written."""

import json
import logging
import os

import numpy as np
import pytest

import qa.index.store as index_store
from support import write_corpus
from qa.index.manifest import FORMAT_VERSION
from qa.index.store import CURRENT, live_build
from qa.pipeline import QA

TEXT_A = "Trotsky settled in Mexico City in 1937. He was murdered there in 1940."
TEXT_B = "Molotov was the only member of the Politburo that Stalin respected."


@pytest.fixture()
def small(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": TEXT_A, "notes/b.md": TEXT_B})
    return corpus, tmp_path / "index"


def _qa(corpus, index_dir):
    return QA(corpus=corpus, index_dir=index_dir, progress=False)


def test_first_use_builds_an_index_with_a_manifest_and_no_pickle(small, caplog):
    corpus, index_dir = small
    with caplog.at_level(logging.WARNING):
        index = _qa(corpus, index_dir).ensure_index()
    assert "building the index" in caplog.text and "no index yet" in caplog.text
    build = live_build(index_dir)
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["chunking"] == {"max_tokens": 200, "overlap_sentences": 1}
    assert manifest["embedding_model"].endswith("all-MiniLM-L6-v2")
    assert len(manifest["fingerprint"]) == 64 and manifest["n_documents"] == 2
    for npy in build.glob("*.npy"):
        np.load(npy, allow_pickle=False)  # raises if anything needed pickle
    assert {d.id for d in index.documents} == {"a.txt", "notes/b.md"}


def test_fresh_index_is_reused_and_a_changed_corpus_is_rebuilt(small, caplog):
    corpus, index_dir = small
    _qa(corpus, index_dir).ensure_index()
    first = live_build(index_dir)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _qa(corpus, index_dir).ensure_index()
    assert live_build(index_dir) == first and "building" not in caplog.text

    write_corpus(corpus, {"c.txt": "Bukharin was a gifted painter."})
    with caplog.at_level(logging.WARNING):
        qa = _qa(corpus, index_dir)
        answers = qa.ask("What was Bukharin gifted at?")
    assert "the corpus changed" in caplog.text
    assert live_build(index_dir) != first and not first.exists()
    assert "c.txt" in {d.id for d in qa.index.documents}
    assert answers[0].text is None or qa.index.document(answers[0].doc_id).text[answers[0].start:answers[0].end] == answers[0].text


def test_changed_chunk_settings_make_the_index_stale(small, caplog):
    from qa.ingest.chunking import ChunkSettings

    corpus, index_dir = small
    _qa(corpus, index_dir).ensure_index()
    with caplog.at_level(logging.WARNING):
        QA(corpus=corpus, index_dir=index_dir, chunking=ChunkSettings(max_tokens=100), progress=False).ensure_index()
    assert "chunking changed" in caplog.text


@pytest.mark.parametrize("damage", ["truncate_npy", "bad_manifest", "missing_file", "dangling_pointer", "bad_offsets"])
def test_a_damaged_index_is_detected_and_rebuilt(small, caplog, damage):
    corpus, index_dir = small
    _qa(corpus, index_dir).ensure_index()
    build = live_build(index_dir)
    if damage == "truncate_npy":
        path = build / "embeddings.npy"
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "bad_manifest":
        (build / "manifest.json").write_text("{not json")
    elif damage == "missing_file":
        (build / "bm25_vocab.json").unlink()
    elif damage == "dangling_pointer":
        (index_dir / CURRENT).write_text("build-that-never-was")
    elif damage == "bad_offsets":
        chunks = np.load(build / "chunks.npy")
        chunks[0, 2] = 10**9
        np.save(build / "chunks.npy", chunks)
    with caplog.at_level(logging.WARNING):
        qa = _qa(corpus, index_dir)
        a = qa.ask("When did Trotsky settle in Mexico City?")[0]
    assert "building the index" in caplog.text
    assert a.text == "1937"
    assert qa.index.document(a.doc_id).text[a.start : a.end] == "1937"


def test_an_interrupted_build_leaves_the_old_index_answering(small, monkeypatch):
    corpus, index_dir = small
    _qa(corpus, index_dir).ensure_index()
    old = live_build(index_dir)
    write_corpus(corpus, {"a.txt": TEXT_A + " It was a cold year."})

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C half-way

    import qa.index.lexical

    monkeypatch.setattr(qa.index.lexical.LexicalBuilder, "finish", crash)
    with pytest.raises(KeyboardInterrupt):
        _qa(corpus, index_dir).ensure_index()
    assert live_build(index_dir) == old
    assert not [p for p in os.listdir(index_dir) if p.startswith(".tmp")]
    monkeypatch.undo()
    # The old build still loads and answers (it is stale, so a normal start rebuilds it).
    index = index_store.load_build(old)
    assert index.manifest["n_documents"] == 2


def test_an_updated_index_answers_exactly_like_one_built_from_scratch(tmp_path, caplog):
    files = {
        "a.txt": TEXT_A,
        "notes/b.md": TEXT_B,
        "c.txt": "Bukharin wanted a mixed economy. He was also a gifted painter.",
    }
    corpus = write_corpus(tmp_path / "corpus", files)
    _qa(corpus, tmp_path / "incremental").ensure_index()
    # Change one file, remove one, add one: only the changed and new ones may be processed again.
    write_corpus(corpus, {"a.txt": TEXT_A + " Stalin ordered it.", "d.txt": "Kamenev was executed in 1936."})
    (corpus / "c.txt").unlink()
    with caplog.at_level(logging.WARNING):
        updated = _qa(corpus, tmp_path / "incremental").ensure_index()
    assert "re-used 1 unchanged of 3 documents" in caplog.text
    scratch = _qa(corpus, tmp_path / "scratch").ensure_index()

    assert list(updated.documents.ids) == list(scratch.documents.ids)
    np.testing.assert_array_equal(updated.chunks, scratch.chunks)
    np.testing.assert_array_equal(updated.sentences, scratch.sentences)
    assert [updated.span_labels[i] for i in updated.spans[:, 3]] == [scratch.span_labels[i] for i in scratch.spans[:, 3]]
    np.testing.assert_allclose(np.asarray(updated.dense.embeddings), np.asarray(scratch.dense.embeddings), atol=1e-5)
    for q in ["When was Kamenev executed?", "Who ordered it?", "Whom did Stalin respect?"]:
        a = _qa(corpus, tmp_path / "incremental").ask(q, top_k=3)
        b = _qa(corpus, tmp_path / "scratch").ask(q, top_k=3)
        assert [(x.text, x.doc_id, x.start, x.end) for x in a] == [(x.text, x.doc_id, x.start, x.end) for x in b]
        assert [x.score for x in a] == pytest.approx([x.score for x in b], abs=1e-6)


def test_export_gives_every_passage_exactly_with_its_embedding(bundled_qa):
    index = bundled_qa.index
    described = index.describe()
    assert described["n_chunks"] == len(index) and described["fingerprint"] == index.manifest["fingerprint"]
    assert set(described["bm25"]) == {"k1", "b"}
    rows = [row for batch in index.export_passages(batch=7) for row in batch]
    assert [r.id for r in rows] == list(range(len(index)))
    for r in rows:
        assert index.document(r.doc_id).text[r.start:r.end] == r.text
        np.testing.assert_array_equal(r.vector, index.dense.embeddings[r.id])


def test_an_index_embedded_at_another_precision_is_rebuilt_not_mixed(small, monkeypatch, caplog):
    from qa import config
    from qa.embedding import passage_precision

    corpus, index_dir = small
    monkeypatch.setenv(config.EMBED_PRECISION_ENV, "fp32")
    passage_precision.cache_clear()
    try:
        assert _qa(corpus, index_dir).ensure_index().manifest["passage_precision"] == "fp32"
        monkeypatch.setenv(config.EMBED_PRECISION_ENV, "onnx")
        passage_precision.cache_clear()
        with caplog.at_level(logging.WARNING):
            rebuilt = _qa(corpus, index_dir).ensure_index()
        assert "passage_precision changed ('fp32' -> 'onnx')" in caplog.text
        assert rebuilt.manifest["passage_precision"] == "onnx"
    finally:
        passage_precision.cache_clear()


def test_an_onnx_build_never_loads_sentence_transformers(tmp_path):
    """With ``onnx`` passages a build needs no sentence-transformers or transformers (spaCy's thinc
    still imports torch when it is installed), and its vectors are the question encoder's own."""
    import subprocess
    import sys
    import textwrap

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tower.txt").write_text(
        "The Eiffel Tower was completed in 1889.\n\nGustave Eiffel's company designed and built it.",
        encoding="utf-8")
    script = textwrap.dedent(f"""
        import os, sys
        import numpy as np
        os.environ["QA_EMBED_PRECISION"] = "onnx"
        from qa import QA
        from qa.embedding import query_encoder
        qa = QA(corpus={str(corpus)!r}, index_dir={str(tmp_path / "index")!r}, progress=False)
        index = qa.ensure_index()
        assert index.manifest["passage_precision"] == "onnx"
        bad = [m for m in ("transformers", "sentence_transformers") if m in sys.modules]
        assert not bad, bad
        texts = [index.chunk(i).text for i in range(len(index))]
        same = query_encoder().embed(texts)
        assert np.abs(same - np.asarray(index.dense.embeddings)).max() < 1e-5
        print("ok")
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout
