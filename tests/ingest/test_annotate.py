"""spaCy at index time: sentences, entities and noun phrases as exact offsets, in one or more processes."""

from __future__ import annotations

import json

from qa.ingest.annotate import annotate, processes_for
from qa.types import Document

TEXT = "Leon Trotsky was assassinated in Mexico City on August 20, 1940. Stalin had ordered it."


def test_sentences_entities_and_noun_phrases_slice_the_text_exactly():
    (ann,) = annotate([Document("a.txt", TEXT)])
    assert [TEXT[s:e] for s, e in ann.sentences] == ["Leon Trotsky was assassinated in Mexico City on August 20, 1940.",
                                                     "Stalin had ordered it."]
    found = {(TEXT[s:e], label) for s, e, label in ann.spans}
    assert {("Leon Trotsky", "PERSON"), ("Mexico City", "GPE"), ("August 20, 1940", "DATE")} <= found


def test_small_texts_stay_in_this_process_and_the_environment_decides(monkeypatch):
    from qa import config

    assert processes_for(1_000) == 1
    assert processes_for(10_000_000) >= 1
    monkeypatch.setenv(config.SPACY_PROCESSES_ENV, "3")
    assert processes_for(1_000) == 3


def test_annotations_are_the_same_from_one_or_two_spacy_processes(benchmarks):
    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text(encoding="utf-8"))["data"]
    docs = [Document(a["title"], "\n\n".join(p["context"] for p in a["paragraphs"][:6])) for a in data[:4]]
    one = list(annotate(docs, n_process=1))
    two = list(annotate(docs, n_process=2))
    assert [a.sentences for a in one] == [a.sentences for a in two]
    assert [a.spans for a in one] == [a.spans for a in two]
    assert sum(len(a.sentences) for a in one) > 50


def test_a_big_text_annotated_run_by_run_gets_the_annotations_of_the_whole(benchmarks):
    from qa.ingest.annotate import annotate_run, block_runs

    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text(encoding="utf-8"))["data"]
    text = "\n\n".join(p["context"] for p in data[0]["paragraphs"][:20])
    (whole,) = annotate([Document("big.txt", text)], n_process=1)
    runs = list(block_runs(text, 3_000))
    assert len(runs) > 3 and all(sum(len(b) for _, b in run) <= 3_000 for run in runs if len(run) > 1)
    parts = [annotate_run(text, run, n_process=1) for run in runs]
    assert [s for p in parts for s in p.sentences] == whole.sentences
    assert sorted(s for p in parts for s in p.spans) == whole.spans
