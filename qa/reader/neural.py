"""A learned span reader: MiniLM reads question + passage together, a linear head marks the span.

Trained by ``qa.training`` (``scripts/train_reader.py``); shipped as an
int8 ONNX graph (``weights/reader-int8.onnx``) with its settings and fitted no-answer threshold in
``weights/reader.json``. The query path needs only onnxruntime, tokenizers and numpy.

Scoring: each window gives its best span by start+end logit (at most ``max_answer_tokens`` long)
and a null score start[CLS]+end[CLS] (SQuAD 2.0 BERT style). A span's score is
``sigmoid(span - null)``, the model's probability of that span against "no answer" in its window;
the reader abstains when the best score is below the fitted threshold. (In the shipped file the two
[CLS] logits come from a no-answer branch, ``qa.training.null_branch``, trained apart from the span
logits; the graph's inputs and outputs are the same.) Across several passages a
span's score is also weighted by its passage's retrieval rank (``rank_decay``). On an x86 CPU
without VNNI the int8 weights are loaded unsigned, so the products are exact there too
(``qa.reader.int8_kernels``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.config import READER_DIR_ENV, reader_dir
from qa.errors import QAError
from qa.reader.base import DocumentLookup
from qa.reader.citation import cite, keep_best, ranked_or_abstain, sentence_table
from qa.reader.int8_kernels import unsigned_model, use_unsigned_weights
from qa.reader.windows import best_spans, context_mask, load_tokenizer, make_windows, pad_batch
from qa.types import Answer, Passage

WEIGHTS = Path(__file__).resolve().parent / "weights"
MODEL_FILE = WEIGHTS / "reader-int8.onnx"
CONFIG_FILE = WEIGHTS / "reader.json"


def reader_files() -> tuple[Path, Path]:
    """``(model, settings)`` of the reader to use: ``$QA_READER_DIR``'s, else the shipped one.

    Raises:
        QAError: ``$QA_READER_DIR`` does not hold a reader (both files, readable settings).
    """
    folder = reader_dir()
    if folder is None:
        return MODEL_FILE, CONFIG_FILE
    where = f"${READER_DIR_ENV}={folder}"
    if not folder.is_dir():
        raise QAError(f"{where}: no such folder")
    config = folder / CONFIG_FILE.name
    try:
        cfg = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else "unreadable"
        raise QAError(f"{where}: {config.name} {reason}; the folder must hold a reader as "
                      "scripts/train_reader.py --out writes it") from None
    if not isinstance(cfg, dict):
        raise QAError(f"{where}: {config.name} does not hold a reader's settings")
    # Only a file name: the settings cannot point the reader at a file outside its folder.
    model = folder / Path(str(cfg.get("model_file", MODEL_FILE.name))).name
    if not model.is_file():
        raise QAError(f"{where}: no model file {model.name} beside {config.name}")
    return model, config


_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}"}
_EDGE_PUNCT = ",;:!?"


@dataclass(frozen=True)
class WindowSpan:
    """A best span in one context: char range ``[start, end)``; ``text == context[start:end]``."""

    start: int
    end: int
    text: str
    score: float   # sigmoid(span - null), in [0, 1]
    margin: float  # span - null, in logits


def trim_answer_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past edge white space and stray punctuation (never to nothing)."""
    s, e = start, end
    for _ in range(4):
        s0, e0 = s, e
        while s < e and (text[s].isspace() or text[s] in _EDGE_PUNCT):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in _EDGE_PUNCT):
            e -= 1
        piece = text[s:e]
        if e - s > 1 and piece.endswith(".") and "." not in piece[:-1]:
            e -= 1  # a sentence's full stop, not "U.S."
        for o, c in _OPEN_CLOSE.items():
            piece = text[s:e]
            if piece.endswith(c) and o not in piece:
                e -= 1
            piece = text[s:e]
            if piece.startswith(o) and c not in piece:
                s += 1
        piece = text[s:e]
        for q in ('"', "'"):
            if piece.count(q) % 2 == 1 and e - s > 1:
                if piece.startswith(q):
                    s += 1
                elif piece.endswith(q):
                    e -= 1
            piece = text[s:e]
        if (s, e) == (s0, e0):
            break
    if s >= e:
        return start, end
    return s, e


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class NeuralReader:
    """Reads passages with the int8 ONNX span model; see the module docstring for the scores."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        config_path: str | Path | None = None,
        threshold: float | None = None,
        threads: int = 2,
    ) -> None:
        import onnxruntime as ort

        if model_path is None and config_path is None:
            model_path, config_path = reader_files()
        model_path = Path(model_path or MODEL_FILE)
        config_path = Path(config_path or CONFIG_FILE)
        cfg = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
        self.config = cfg
        try:
            self.max_len = int(cfg.get("max_len", 256))
            self.stride = int(cfg.get("stride", 128))
            self.max_answer_tokens = int(cfg.get("max_answer_tokens", 30))
            self.threshold = float(threshold if threshold is not None else cfg.get("threshold", 0.5))
            # Weight of the retrieval rank: a span from the k-th passage counts rank_decay**(k-1) of
            # its reader score (fitted on tuning articles by scripts/fit_rank_prior.py; 1.0 = rank ignored).
            self.rank_decay = float(cfg.get("rank_decay", 1.0))
        except (TypeError, ValueError, AttributeError):
            raise QAError(f"{config_path}: a reader setting is not a number") from None
        self._tok = load_tokenizer()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # Fold the int8 weights kept for fp32 arithmetic (DequantizeLinear on a constant) into fp32
        # at load. Without this onnxruntime fuses them into int8 MatMuls that quantize their input
        # on the fly, the loss these layers avoid (qa.training.model.quantize_int8).
        opts.add_session_config_entry("session.disable_quant_qdq", "1")
        unsigned = use_unsigned_weights()  # before the try: a bad $QA_INT8_WEIGHTS says so itself
        try:
            # Where onnxruntime's uint8 x int8 kernel saturates, the same integers as uint8 weights.
            source = unsigned_model(model_path) if unsigned else str(model_path)
            self._session = ort.InferenceSession(source, opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnx and onnxruntime raise their own exception types for a bad file
            raise QAError(f"cannot load the reader model {model_path}: {str(exc).splitlines()[0][:200]}") from None
        names = {i.name for i in self._session.get_inputs()}, {o.name for o in self._session.get_outputs()}
        if names[0] != {"input_ids", "attention_mask", "token_type_ids"} or not {"start_logits", "end_logits"} <= names[1]:
            raise QAError(f"{model_path} is not a span reader (inputs {sorted(names[0])}, outputs {sorted(names[1])})")

    # -- the model on (question, context) pairs ---------------------------------------------

    def _run(self, windows) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ids, mask, types = pad_batch(windows)
        start, end = self._session.run(
            ["start_logits", "end_logits"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )
        allowed = context_mask(windows, ids.shape[1])
        return best_spans(start, end, allowed, self.max_answer_tokens)

    def window_spans(self, questions: list[str], contexts: list[str], batch_size: int = 32) -> list[list[WindowSpan]]:
        """Per (question, context) pair, the best span of each of its windows."""
        windows = make_windows(self._tok, questions, contexts, self.max_len, self.stride)
        out: list[list[WindowSpan]] = [[] for _ in questions]
        order = sorted(range(len(windows)), key=lambda k: len(windows[k].ids))
        for b in range(0, len(order), batch_size):
            batch = [windows[k] for k in order[b : b + batch_size]]
            i, j, best, null = self._run(batch)
            for w, a, z, sc, nl in zip(batch, i, j, best, null):
                ctx = contexts[w.item]
                c0 = w.offsets[int(a)][0]
                c1 = w.offsets[int(z)][1]
                if c0 < 0 or c1 <= c0:
                    continue
                s, e = trim_answer_span(ctx, c0, c1)
                margin = float(sc - nl)
                out[w.item].append(WindowSpan(s, e, ctx[s:e], _sigmoid(margin), margin))
        return out

    def predict(self, questions: list[str], contexts: list[str], batch_size: int = 32) -> list[WindowSpan | None]:
        """The best span per pair (highest score over its windows), threshold not applied."""
        return [max(spans, key=lambda x: x.score) if spans else None
                for spans in self.window_spans(questions, contexts, batch_size)]

    # -- the Reader interface ----------------------------------------------------------------

    def read(self, question: str, passages: list[Passage], documents: DocumentLookup,
             top_k: int = 1) -> list[Answer]:
        if not passages:
            return [Answer.no_answer()]
        per_passage = self.window_spans([question] * len(passages), [p.text for p in passages], batch_size=64)
        best: dict[str, Answer] = {}
        for rank, (passage, spans) in enumerate(zip(passages, per_passage)):
            prior = self.rank_decay**rank
            chunk = passage.chunk
            doc = documents.document(chunk.doc_id)
            sentences = None
            for sp in spans:
                start, end = chunk.start + sp.start, chunk.start + sp.end
                if doc.text[start:end] != sp.text:  # chunk text is document.text[start:end]; never trust blindly
                    continue
                if sentences is None:
                    sentences = sentence_table(documents.sentence_spans(chunk.doc_id, chunk.start, chunk.end))
                keep_best(best, cite(doc, sentences, passage, start, end, sp.score * prior))
        return ranked_or_abstain(best, self.threshold, top_k, passages)

