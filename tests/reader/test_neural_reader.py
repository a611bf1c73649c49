"""The learned span reader: exact offsets, abstention, a few easy answers, a torch-free query path."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from qa.reader.neural import CONFIG_FILE, MODEL_FILE, trim_answer_span
from qa.reader.windows import best_spans, load_tokenizer, make_windows

needs_weights = pytest.mark.skipif(not MODEL_FILE.is_file(), reason="reader weights not built")

EIFFEL = (
    "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. "
    "It is named after the engineer Gustave Eiffel, whose company designed and built the tower. "
    "Construction began in 1887 and the tower was completed in 1889 as the centrepiece of the "
    "1889 World's Fair. The tower is 330 metres tall."
)


@pytest.fixture(scope="module")
def reader():
    from qa.reader.neural import NeuralReader

    return NeuralReader()


def test_best_spans_matches_brute_force():
    rng = np.random.default_rng(0)
    start, end = rng.normal(size=(3, 12)), rng.normal(size=(3, 12))
    allowed = np.ones((3, 12), dtype=bool)
    allowed[:, :3] = False
    allowed[1, 8:] = False
    i, j, best, null = best_spans(start, end, allowed, max_answer_tokens=4)
    for r in range(3):
        pairs = [(a, b) for a in range(12) for b in range(a, min(a + 4, 12)) if allowed[r, a] and allowed[r, b]]
        a, b = max(pairs, key=lambda p: start[r, p[0]] + end[r, p[1]])
        assert (i[r], j[r]) == (a, b)
        assert best[r] == pytest.approx(start[r, a] + end[r, b], abs=1e-5)
        assert null[r] == pytest.approx(start[r, 0] + end[r, 0])


def test_windows_cover_long_context_with_overlap():
    tok = load_tokenizer()
    context = " ".join(f"word{k}" for k in range(600))
    wins = make_windows(tok, ["what is it?"], [context], max_len=128, stride=32)
    assert len(wins) > 1
    assert all(len(w.ids) <= 128 for w in wins)
    n_ctx = len(tok.encode(context, add_special_tokens=False).ids)
    assert wins[-1].tok_start + (wins[-1].ctx_end - wins[-1].ctx_start) == n_ctx
    for a, b in zip(wins, wins[1:]):
        assert b.tok_start < a.tok_start + (a.ctx_end - a.ctx_start)  # they overlap
    for w in wins:
        for k in range(w.ctx_start, w.ctx_end):
            s, e = w.offsets[k]
            assert 0 <= s < e <= len(context)


@pytest.mark.parametrize(
    "text,span,expected",
    [
        ("in 1889. Then", (3, 8), "1889"),
        ("the U.S. army", (4, 8), "U.S."),
        ("(Paris) is", (0, 6), "Paris"),
        ('said "hello" to', (5, 11), "hello"),
        (" Eiffel, ", (0, 9), "Eiffel"),
        ("...", (0, 3), ".."),
    ],
)
def test_trim_answer_span(text, span, expected):
    s, e = trim_answer_span(text, *span)
    assert text[s:e] == expected or (expected == ".." and e > s)


@needs_weights
def test_config_is_complete():
    cfg = json.loads(CONFIG_FILE.read_text())
    for key in ("max_len", "stride", "max_answer_tokens", "threshold"):
        assert key in cfg
    assert 0.0 < cfg["threshold"] < 1.0
    assert MODEL_FILE.stat().st_size <= 30 * 1024 * 1024


@needs_weights
def test_offsets_exact_on_squad_paragraphs(reader, benchmarks):
    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text())["data"]
    questions, contexts = [], []
    for art in data[1:40:6]:
        for p in art["paragraphs"][:3]:
            questions.append(p["qas"][0]["question"])
            contexts.append(p["context"])
    for spans, ctx in zip(reader.window_spans(questions, contexts), contexts):
        assert spans
        for sp in spans:
            assert ctx[sp.start : sp.end] == sp.text
            assert sp.text and sp.text == sp.text.strip()
            assert 0.0 <= sp.score <= 1.0


@needs_weights
def test_offsets_exact_on_bundled_corpus(reader, bundled_qa, seed_questions):
    index = bundled_qa.index
    answered = 0
    for q in seed_questions[:8]:
        passages = bundled_qa.retrieve(q["question"], k=5)
        for a in reader.read(q["question"], passages, index, top_k=3):
            if not a.is_answer:
                continue
            answered += 1
            text = index.document(a.doc_id).text
            assert text[a.start : a.end] == a.text
            assert a.passage is not None and a.passage.chunk.start <= a.start < a.end <= a.passage.chunk.end
            assert text[a.sentence_start : a.sentence_start + len(a.sentence)] == a.sentence
            assert a.sentence_start <= a.start and a.end <= a.sentence_start + len(a.sentence)
            assert a.line == text.count("\n", 0, a.start) + 1
            assert 0.0 <= a.score <= 1.0
    assert answered >= 4


@needs_weights
@pytest.mark.parametrize(
    "question",
    [
        "How many moons does Jupiter have?",
        "Who won the 2018 FIFA World Cup?",
        "Which programming language was created by Guido van Rossum?",
    ],
)
def test_abstains_on_unrelated_question(reader, bundled_qa, question):
    answers = reader.read(question, bundled_qa.retrieve(question, k=5), bundled_qa.index, top_k=1)
    assert len(answers) == 1 and not answers[0].is_answer
    assert answers[0].text is None and answers[0].start is None


@needs_weights
@pytest.mark.parametrize(
    "question,expected",
    [
        ("When was the Eiffel Tower completed?", "1889"),
        ("Who is the Eiffel Tower named after?", "Gustave Eiffel"),
        ("How tall is the tower?", "330 metres"),
    ],
)
def test_easy_questions(reader, question, expected):
    (best,) = reader.predict([question], [EIFFEL])
    assert best is not None and expected in best.text
    assert EIFFEL[best.start : best.end] == best.text


@needs_weights
def test_query_path_does_not_import_torch(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from qa.reader.neural import NeuralReader
        r = NeuralReader()
        (best,) = r.predict(["When was the Eiffel Tower completed?"], [{EIFFEL!r}])
        assert best is not None
        bad = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
        assert not bad, bad
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout
