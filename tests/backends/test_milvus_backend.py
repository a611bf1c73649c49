"""The Milvus backend against the real engine (Milvus Lite 2.5.1), as a file and as a gRPC server.

Retrieval runs in Milvus (its BM25 function over an english analyzer, its dense search, its RRF)
and must find what the local index finds, with passages whose offsets cite the documents exactly.
"""

from __future__ import annotations


import pytest

from support import BUNDLED_CORPUS, write_corpus

from qa.pipeline import QA

from qa.types import METHODS


@pytest.fixture(scope="session")
def milvus_qa(milvus_uri, bundled_qa, bundled_index_dir):
    """The bundled corpus on Milvus: the session's local build, uploaded to a collection."""
    qa = QA(corpus=BUNDLED_CORPUS, index_dir=bundled_index_dir, backend="milvus", uri=milvus_uri, progress=False)
    qa.ensure_index()
    return qa


def _overlap(a, b) -> float:
    return len({p.chunk.index for p in a} & {p.chunk.index for p in b}) / max(len(a), 1)


def test_milvus_finds_what_the_local_index_finds(milvus_qa, bundled_qa, seed_questions):
    questions = [q["question"] for q in seed_questions]
    for method in METHODS:
        overlaps, same_first = [], 0
        for q in questions:
            ours = milvus_qa.retrieve(q, k=5, method=method)
            local = bundled_qa.retrieve(q, k=5, method=method)
            overlaps.append(_overlap(ours, local))
            same_first += ours[0].chunk.index == local[0].chunk.index
            if method == "dense":
                # FLAT cosine in Milvus is the same exact search as ours, on the same vectors.
                assert [p.chunk.index for p in ours] == [p.chunk.index for p in local], q
                assert [p.score for p in ours] == pytest.approx([p.score for p in local], abs=1e-5)
        # Milvus's BM25 idf is log(1 + (N - n + .5) / (n + .5)), rank-bm25's has no "1 +" and floors
        # negative values, so lexical orders may differ a little; the passages found hardly do.
        print(method, sum(overlaps) / len(overlaps), same_first / len(questions))
        assert sum(overlaps) / len(overlaps) >= 0.85, method
        assert same_first / len(questions) >= 0.85, method


def test_hybrid_scores_are_the_engines_rrf(milvus_qa):
    found = milvus_qa.retrieve("When was Trotsky assassinated?", k=5, method="hybrid")
    # RRF with k = 60: a passage first in both lists scores 2 / 61; nothing scores more.
    assert found[0].score == pytest.approx(2 / 61, abs=1e-6)
    assert all(a.score >= b.score for a, b in zip(found, found[1:]))
    assert all(2 / 65 - 1e-6 <= p.score or p.score <= 2 / 61 for p in found)


def test_answers_from_milvus_cite_the_documents_exactly(milvus_qa, bundled_qa, seed_questions):
    same = 0
    for q in seed_questions[:10]:
        ours = milvus_qa.ask(q["question"])[0]
        local = bundled_qa.ask(q["question"])[0]
        same += ours.text == local.text
        for p in milvus_qa.retrieve(q["question"], k=5):
            assert milvus_qa.index.document(p.doc_id).text[p.chunk.start : p.chunk.end] == p.text
        if ours.is_answer:
            assert milvus_qa.index.document(ours.doc_id).text[ours.start : ours.end] == ours.text
    assert same >= 9
    best = milvus_qa.ask("When was Trotsky assassinated?")[0]
    assert best.text == "August 20, 1940" and best.doc_id == "soviet_succession.txt"


THREE_DOCS = {
    "volcanoes.txt": "Mount Etna is an active volcano on the east coast of Sicily. It erupted in 2021.\n",
    "rivers.txt": "The Danube flows through ten countries. It ends in the Black Sea, in Romania.\n",
    "notes/cats.md": "Cats sleep for about fifteen hours a day. A group of cats is called a clowder.\n",
}


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("three-docs"), THREE_DOCS)


def test_doc_ids_restrict_retrieval_to_those_documents(milvus_uri, small_corpus, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("three-docs-index")
    qa = QA(corpus=small_corpus, index_dir=index_dir, backend="milvus", uri=milvus_uri, progress=False)
    for method in METHODS:
        assert {p.doc_id for p in qa.retrieve("Where does the Danube end?", k=5, method=method)} <= set(THREE_DOCS)
        # The best passage overall is about the Danube; restricted to the cats, only theirs come back.
        only = qa.retrieve("Where does the Danube end, and where do cats sleep?", k=5, method=method,
                           doc_ids=["notes/cats.md", "volcanoes.txt"])
        assert only and {p.doc_id for p in only} <= {"notes/cats.md", "volcanoes.txt"}
        assert only[0].doc_id == "notes/cats.md"
        assert qa.retrieve("Where does the Danube end?", k=5, method=method, doc_ids=["no/such.txt"]) == []
    best = qa.ask("Where does the Danube end?", doc_ids=["rivers.txt"])[0]
    assert best.doc_id == "rivers.txt" and THREE_DOCS["rivers.txt"][best.start : best.end] == best.text
