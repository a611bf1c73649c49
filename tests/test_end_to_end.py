"""The whole system on the real seed questions, through Python."""

from qa.bench.metrics import f1_score

MIN_RECALL_AT_5 = 0.90
MIN_F1 = 50.0


def test_seed_questions_recall_f1_and_exact_citations(bundled_qa, seed_questions):
    hits, f1s = [], []
    for q in seed_questions:
        passages = bundled_qa.retrieve(q["question"], k=5)
        if q["answerable"]:
            hits.append(any(g in p.text for g in q["answers"] for p in passages))
        answers = bundled_qa.ask(q["question"], top_k=3)
        best = answers[0]
        f1s.append(f1_score(best.text or "", q["answers"]))
        for a in answers:
            if a.is_answer:
                doc = bundled_qa.index.document(a.doc_id)
                assert doc.text[a.start : a.end] == a.text
                assert a.sentence and a.text in a.sentence
                assert doc.text[a.sentence_start : a.sentence_start + len(a.sentence)] == a.sentence
                assert 0.0 <= a.score <= 1.0
    recall = sum(hits) / len(hits)
    f1 = 100 * sum(f1s) / len(f1s)
    assert recall >= MIN_RECALL_AT_5, recall
    assert f1 >= MIN_F1, f1


def test_answer_shortcut_finds_the_assassination_date(monkeypatch, bundled_index_dir):
    import qa.pipeline as pipeline
    from qa import answer

    monkeypatch.setattr(pipeline, "_bundled", pipeline.QA(index_dir=bundled_index_dir, progress=False))
    a = answer("When was Trotsky assassinated?")
    assert a.text == "August 20, 1940"
    assert a.doc_id == "soviet_succession.txt"
    assert "assassinated" in a.sentence


def test_unrelated_question_gets_an_explicit_no_answer(bundled_qa):
    a = bundled_qa.ask("Which team won the 1998 football World Cup?")[0]
    assert a.text is None and not a.is_answer and a.start is None


def test_passages_carry_fused_score_and_ranks(bundled_qa):
    passages = bundled_qa.retrieve("Which agency presumably ordered Trotsky's murder?", k=5)
    assert len(passages) == 5
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert set(passages[0].ranks) == {"bm25", "dense"}
    assert any("NKVD" in p.text for p in passages[:2])
