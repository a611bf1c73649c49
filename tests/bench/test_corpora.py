"""Materializing benchmark text as corpus folders (qa.bench.corpora), offsets included."""

from __future__ import annotations

import pytest

from qa.bench import corpora
from qa.bench.datasets import load
from qa.ingest.corpus import load_corpus

# A few articles of dev-v1.1.json, one of them with newlines inside contexts.
ARTICLES = ("Super_Bowl_50", "Oxygen", "Prime_number", "Jacksonville,_Florida")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """Materialize into a private index root, not the shared cache."""
    monkeypatch.setenv("QA_INDEX_ROOT", str(tmp_path))
    return tmp_path


def _answers_at_their_offsets(squad, bench, articles):
    docs = {d.id: d.text for d in load_corpus(bench.corpus)}
    checked = 0
    for q in squad.questions:
        if q.article not in articles:
            continue
        doc_id, offset = bench.places[(q.article, q.paragraph)]
        for answer, start in zip(q.answers, q.answer_starts):
            assert docs[doc_id][offset + start : offset + start + len(answer)] == answer, q.id
            checked += 1
    return checked


def test_document_mode_offsets_point_at_every_answer(cache, squad_v1):
    articles = [squad_v1.titles.index(t) for t in ARTICLES]
    bench = corpora.squad_articles(squad_v1, articles, "articles-test")
    assert bench.folder.is_relative_to(cache)
    assert sorted(p.name for p in bench.corpus.iterdir()) == sorted(f"{t}.txt" for t in ARTICLES)
    assert _answers_at_their_offsets(squad_v1, bench, set(articles)) > 1_000


def test_reading_mode_offsets_point_at_every_answer(cache, squad_v2):
    articles = squad_v2.articles("heldout")[:3]
    bench = corpora.squad_paragraphs(squad_v2, articles, "paragraphs-test")
    n_paragraphs = sum(len(squad_v2.data["data"][a]["paragraphs"]) for a in articles)
    assert len(load_corpus(bench.corpus)) == n_paragraphs
    assert all(offset == 0 for _, offset in bench.places.values())
    assert _answers_at_their_offsets(squad_v2, bench, set(articles)) > 100


def test_unchanged_files_are_not_rewritten_and_stray_ones_go(tmp_path):
    folder = tmp_path / "c"
    assert corpora.sync_folder(folder, {"a.txt": "alpha", "sub/b.txt": "beta"}) == 2
    stamp = (folder / "a.txt").stat().st_mtime_ns
    (folder / "stray.txt").write_text("old")
    assert corpora.sync_folder(folder, {"a.txt": "alpha", "sub/b.txt": "beta!"}) == 1
    assert (folder / "a.txt").stat().st_mtime_ns == stamp
    assert (folder / "sub" / "b.txt").read_text() == "beta!"
    assert not (folder / "stray.txt").exists()


def test_materializing_twice_keeps_the_cache_fresh(cache, squad_v1):
    articles = [squad_v1.titles.index("Oxygen")]
    first = corpora.squad_articles(squad_v1, articles, "articles-x")
    stamp = (first.corpus / "Oxygen.txt").stat().st_mtime_ns
    again = corpora.squad_articles(squad_v1, articles, "articles-x")
    assert again.folder == first.folder and again.places == first.places
    assert (again.corpus / "Oxygen.txt").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("name", ["Jacksonville,_Florida", "a/b", ".hidden", "100%", "Sky_(United_Kingdom)"])
def test_safe_names_round_trip(name):
    safe = corpora.safe_name(name)
    assert "/" not in safe and not safe.startswith(".")
    assert corpora.doc_id_to_name(safe + ".txt") == name


def test_beir_documents_are_title_blank_line_text(cache, tmp_path):
    folder = tmp_path / "tiny-beir"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        '{"_id": "d/1", "title": "Alpha", "text": "First text."}\n{"_id": "d2", "title": "", "text": "Second."}\n'
    )
    (folder / "queries.jsonl").write_text('{"_id": "q1", "text": "alpha?"}\n')
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td/1\t1\n")
    bench = corpora.beir_documents(load(folder))
    docs = {corpora.doc_id_to_name(d.id): d.text for d in load_corpus(bench.corpus)}
    assert docs == {"d/1": "Alpha\n\nFirst text.", "d2": "Second."}
