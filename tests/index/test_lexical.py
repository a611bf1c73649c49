"""Our BM25 path must score exactly like rank-bm25, the reference implementation."""

import json

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from qa.index.lexical import LexicalIndex
from qa.ingest.analyzer import analyze


def _assert_same_scores(texts, queries):
    tokenized = [analyze(t) for t in texts]
    ours = LexicalIndex.build(tokenized)
    ref = BM25Okapi(tokenized)
    for q in queries:
        terms = analyze(q)
        np.testing.assert_allclose(ours.scores(terms), ref.get_scores(terms), rtol=1e-6, atol=1e-6)


def test_same_scores_as_rank_bm25_on_the_seed_corpus(bundled_qa, seed_questions):
    index = bundled_qa.index
    texts = [index.chunk(i).text for i in range(len(index))]
    _assert_same_scores(texts, [q["question"] for q in seed_questions])


def test_same_scores_as_rank_bm25_on_squad_paragraphs(benchmarks):
    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text())["data"]
    paragraphs = [p for a in data[:3] for p in a["paragraphs"]]
    questions = [qa["question"] for p in paragraphs[:10] for qa in p["qas"]]
    _assert_same_scores([p["context"] for p in paragraphs], questions + ["the the the", "Denver Broncos Broncos"])


def test_same_scores_as_rank_bm25_on_scifact(benchmarks):
    folder = benchmarks / "beir-scifact"
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open() if line.strip()][:800]
    queries = [json.loads(line)["text"] for line in (folder / "queries.jsonl").open()][:30]
    _assert_same_scores([d["title"] + " " + d["text"] for d in docs], queries)


def test_search_returns_best_first_and_respects_allowed(tmp_path):
    # Six passages, so "apples" (in two) has a positive idf under rank-bm25's formula.
    texts = ["apples and pears", "pears", "stalin and trotsky", "apples apples apples", "lenin", "molotov"]
    idx = LexicalIndex.build([analyze(t) for t in texts])
    order, scores = idx.search("apples", 10)
    assert list(order) == [3, 0] and scores[0] > scores[1]
    order, _ = idx.search("apples", 10, allowed=np.array([0, 1]))
    assert list(order) == [0]
    assert len(idx.search("zebra", 10)[0]) == 0


def test_saved_index_loads_without_pickle_and_detects_truncation(tmp_path):
    idx = LexicalIndex.build([analyze(t) for t in ["a cat", "a dog", "cat dog"]])
    idx.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    np.testing.assert_array_equal(again.scores(["cat"]), idx.scores(["cat"]))
    np.save(tmp_path / "bm25_docs.npy", np.asarray(idx.docs)[:-1])
    with pytest.raises(ValueError):
        LexicalIndex.load(tmp_path)


def test_finishing_in_blocks_gives_the_same_index(benchmarks):
    """The build turns postings into weights block by block; block edges must not change a weight."""
    from qa.index.lexical import LexicalBuilder

    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text())["data"]
    tokenized = [analyze(p["context"]) for a in data[:2] for p in a["paragraphs"]]
    builder = LexicalBuilder()
    for terms in tokenized:
        builder.add(terms)
    whole = builder.finish()
    for block in (1, 7, 250):
        part = builder.finish(block_postings=block)
        assert part.vocab == whole.vocab
        np.testing.assert_array_equal(part.indptr, whole.indptr)
        np.testing.assert_array_equal(part.docs, whole.docs)
        np.testing.assert_array_equal(part.weights, whole.weights)
    # Term-major order with each term's passages increasing, as search relies on.
    for t in range(0, len(whole.vocab), 97):
        assert np.all(np.diff(whole.docs[whole.indptr[t] : whole.indptr[t + 1]]) > 0)
    np.testing.assert_allclose(whole.scores(analyze("Super Bowl Broncos")),
                               BM25Okapi(tokenized).get_scores(analyze("Super Bowl Broncos")), rtol=1e-6, atol=1e-6)
