"""The query path embeds with onnxruntime; it must agree with sentence-transformers."""

import numpy as np

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
