"""The query path embeds with onnxruntime; it must agree with sentence-transformers."""

import numpy as np
import pytest

from qa.embedding import embed_passages, query_encoder


def test_onnx_query_embedding_matches_sentence_transformers(seed_questions):
    texts = [q["question"] for q in seed_questions[:12]] + ["Leon Trotsky (1879-1940) was a Communist leader."]
    ours = query_encoder().embed(texts)
    ref = embed_passages(texts)
    assert ours.shape == ref.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * ref).sum(axis=1)
    assert cosines.min() > 0.998, cosines
    # The nearest passage must be the same whichever side embedded the question.
    assert (np.argmax(ours @ ref.T, axis=1) == np.arange(len(texts))).all()


def _squad_paragraphs(benchmarks, n: int) -> list[str]:
    import json

    data = json.loads((benchmarks / "squad" / "dev-v1.1.json").read_text(encoding="utf-8"))["data"]
    return [p["context"] for article in data for p in article["paragraphs"]][:n]


@pytest.fixture(scope="module")
def fp32_passages(benchmarks):
    texts = _squad_paragraphs(benchmarks, 1000)
    return texts, embed_passages(texts, precision="fp32")


@pytest.mark.parametrize("precision", ["bf16", "onnx"])
def test_passage_vectors_match_fp32_on_1000_real_passages(fp32_passages, precision):
    from qa.embedding import native_bf16

    texts, fp32 = fp32_passages
    if precision == "bf16" and not native_bf16():
        # Emulated bf16 is about 20x slower and never chosen on such a CPU: check 100 passages.
        texts, fp32 = texts[:100], fp32[:100]
    other = embed_passages(texts, precision=precision)
    assert other.shape == fp32.shape and other.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(other, axis=1), 1.0, atol=1e-5)
    cosines = (other * fp32).sum(axis=1)
    assert cosines.min() >= 0.995, np.sort(cosines)[:5]


@pytest.mark.parametrize("precision", ["fp32", "onnx", "bf16"])
def test_a_passage_vector_does_not_depend_on_the_passages_embedded_with_it(benchmarks, precision):
    from qa.embedding import native_bf16

    if precision == "bf16" and not native_bf16():
        pytest.skip("bf16 is emulated on this CPU (about 20x slower) and never chosen for it")
    texts = _squad_paragraphs(benchmarks, 12)
    together = embed_passages(texts, precision=precision)
    alone = np.concatenate([embed_passages([t], precision=precision) for t in texts[:3]])
    shuffled = embed_passages(texts[::-1], precision=precision)[::-1]
    # bf16 embeds one text per pass, so vectors are bit-equal; fp32 and onnx batches are padded, and
    # the padding moves a vector only at float32 rounding (8e-8 measured on an AVX2 CPU).
    same = np.testing.assert_array_equal if precision == "bf16" else \
        lambda a, b: np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    same(together[:3], alone)
    same(together, shuffled)


def test_the_passage_precision_follows_the_environment(monkeypatch):
    from qa import config
    from qa.embedding import native_bf16, passage_precision

    for value, expected in (("fp32", "fp32"), ("bf16", "bf16"), ("onnx", "onnx"), ("auto", "bf16" if native_bf16() else "onnx")):
        monkeypatch.setenv(config.EMBED_PRECISION_ENV, value)
        passage_precision.cache_clear()
        assert passage_precision() == expected
    passage_precision.cache_clear()
