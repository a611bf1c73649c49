"""Question + passage windows for the neural reader, and the best-span search over its logits.

Shared by training (``qa.training``) and the query path (``qa.reader.neural``), so both
cut text the same way. Only ``tokenizers`` and numpy: no torch here.

A window is ``[CLS] question [SEP] context[a:b] [SEP]`` with token type 0 for the question part and
1 for the context part. A long context is cut into windows of at most ``max_len`` tokens that
overlap by ``stride`` context tokens. ``offsets`` gives, per token, its character range in the
context text (``(-1, -1)`` for the question and special tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.tokenizer import word_piece_tokenizer

MAX_QUESTION_TOKENS = 64
NEG = -1e4


def load_tokenizer():
    """MiniLM's word pieces without truncation or padding: windows are cut here, by hand."""
    return word_piece_tokenizer()


@dataclass
class Window:
    """One model input row; ``item`` says which (question, context) pair it belongs to."""

    item: int
    ids: list[int]
    type_ids: list[int]
    offsets: list[tuple[int, int]]   # char range in the context per token; (-1, -1) outside it
    ctx_start: int                   # first context token position in ``ids``
    ctx_end: int                     # one past the last context token position
    tok_start: int                   # index of the first context token of this window in the context


def make_windows(
    tok,
    questions: list[str],
    contexts: list[str],
    max_len: int,
    stride: int,
    items: list[int] | None = None,
) -> list[Window]:
    """Windows for each (question, context) pair, in order; ``items`` labels them (default 0..n-1)."""
    cls_id = tok.token_to_id("[CLS]")
    sep_id = tok.token_to_id("[SEP]")
    q_encs = tok.encode_batch(list(questions), add_special_tokens=False)
    c_encs = tok.encode_batch(list(contexts), add_special_tokens=False)
    out: list[Window] = []
    for n, (qe, ce) in enumerate(zip(q_encs, c_encs)):
        item = n if items is None else items[n]
        q_ids = qe.ids[:MAX_QUESTION_TOKENS]
        c_ids = ce.ids
        c_offs = ce.offsets
        head = [cls_id] + q_ids + [sep_id]
        room = max(max_len - len(head) - 1, 8)
        step = max(room - stride, 1)
        a = 0
        while True:
            b = min(a + room, len(c_ids))
            ids = head + c_ids[a:b] + [sep_id]
            type_ids = [0] * len(head) + [1] * (b - a + 1)
            offsets = [(-1, -1)] * len(head) + [tuple(o) for o in c_offs[a:b]] + [(-1, -1)]
            out.append(Window(item, ids, type_ids, offsets, len(head), len(head) + (b - a), a))
            if b >= len(c_ids):
                break
            a += step
    return out


def pad_batch(windows: list[Window]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``input_ids, attention_mask, token_type_ids`` as int64 arrays padded to the longest window."""
    width = max(len(w.ids) for w in windows)
    ids = np.zeros((len(windows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, w in enumerate(windows):
        n = len(w.ids)
        ids[i, :n] = w.ids
        mask[i, :n] = 1
        types[i, :n] = w.type_ids
    return ids, mask, types


def context_mask(windows: list[Window], width: int) -> np.ndarray:
    """Boolean (n, width): True where a token may start or end an answer (context tokens only)."""
    m = np.zeros((len(windows), width), dtype=bool)
    for i, w in enumerate(windows):
        m[i, w.ctx_start : w.ctx_end] = True
    return m


def best_spans(
    start: np.ndarray, end: np.ndarray, allowed: np.ndarray, max_answer_tokens: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best span per row by start+end logit, within ``max_answer_tokens``, vectorized.

    Args:
        start, end: (n, L) logits.
        allowed: (n, L) bool, positions that may hold an answer.
        max_answer_tokens: longest span in tokens.

    Returns:
        ``(i, j, span_score, null_score)`` per row; null is start[CLS] + end[CLS].
    """
    n, L = start.shape
    s = np.where(allowed, start, NEG).astype(np.float32)
    e = np.where(allowed, end, NEG).astype(np.float32)
    band = np.triu(np.ones((L, L), dtype=bool)) & ~np.triu(np.ones((L, L), dtype=bool), k=max_answer_tokens)
    scores = s[:, :, None] + e[:, None, :]
    scores = np.where(band[None], scores, 2 * NEG)
    flat = scores.reshape(n, -1).argmax(axis=1)
    i, j = np.divmod(flat, L)
    best = scores.reshape(n, -1)[np.arange(n), flat]
    null = start[:, 0] + end[:, 0]
    return i, j, best, null
