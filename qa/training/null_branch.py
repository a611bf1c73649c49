"""A no-answer branch: a second copy of the last encoder layer and head that reads only [CLS].

Why: every full re-training that taught the reader more about unanswerable questions (r14-r18,
``qa/training/EXPERIMENTS.md``) cost answerable reading F1, because the same weights place the
spans and the [CLS] "no answer" score. The branch separates the two. The span model stays frozen,
so the answer it picks in every window is the same, bit for bit; the branch reads the hidden states
entering the last layer, runs its own copy of that layer for the [CLS] position alone (the
attention still looks at every token) and its own copy of the head, and its two logits replace
the span model's at [CLS]. Trained with the span model's own loss on the combined logits, only the
"no answer" logit can move: up on unanswerable windows, down on answerable ones, against the
frozen span logits it is compared with at query time.

Cost at query time: the key and value projections of one layer over all tokens, the rest for one
token: a few per cent of the encoder. The exported file keeps the reader's inputs and outputs, so
the query path does not change.
"""

from __future__ import annotations

import copy
import math

import torch

from qa.training.span_model import SpanModel

BRANCH = "null_branch"  # module name; also the prefix of the branch's nodes and weights in an export


class NullBranch(torch.nn.Module):
    """A BERT layer computed for the first token only, then a start/end head: ``[B, 2]`` logits.

    The layer's parts are held flat (``query``, ``ffn_out``...) rather than as a ``BertLayer``: the
    ONNX export names each node by the module that ran it, and these names are what
    ``load_onnx_weights`` and ``quantize_int8`` read.
    """

    def __init__(self, layer, head: torch.nn.Linear, num_heads: int):
        super().__init__()
        att = layer.attention
        self.query, self.key, self.value = (copy.deepcopy(m) for m in (att.self.query, att.self.key, att.self.value))
        self.attention_out, self.attention_norm = copy.deepcopy(att.output.dense), copy.deepcopy(att.output.LayerNorm)
        self.ffn_in, self.ffn_out = copy.deepcopy(layer.intermediate.dense), copy.deepcopy(layer.output.dense)
        self.ffn_norm = copy.deepcopy(layer.output.LayerNorm)
        self.activation = copy.deepcopy(layer.intermediate.intermediate_act_fn)  # GELU for the BERT encoders
        self.head = copy.deepcopy(head)
        self.num_heads, self.head_size = num_heads, att.self.attention_head_size
        self.dropout = att.output.dropout.p

    def forward(self, hidden, attention_mask):
        b, size = hidden.shape[0], self.head_size
        width = self.num_heads * size
        # Through a Reshape node of its own: onnxruntime fuses the frozen last layer's attention only
        # where its input feeds exactly three MatMuls (its query, key, value), not the branch's too.
        hidden = hidden.reshape(b, -1, width)
        first = hidden[:, :1]
        q = self.query(first).view(b, 1, self.num_heads, size).transpose(1, 2)
        k = self.key(hidden).view(b, -1, self.num_heads, size).transpose(1, 2)
        v = self.value(hidden).view(b, -1, self.num_heads, size).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_size))
        scores = scores.masked_fill(attention_mask[:, None, None, :] == 0, torch.finfo(scores.dtype).min)
        drop = torch.nn.functional.dropout
        ctx = torch.matmul(drop(scores.softmax(dim=-1), self.dropout, self.training), v)
        ctx = ctx.transpose(1, 2).reshape(b, 1, width)
        a = self.attention_norm(drop(self.attention_out(ctx), self.dropout, self.training) + first)
        f = self.ffn_out(self.activation(self.ffn_in(a)))
        f = self.ffn_norm(drop(f, self.dropout, self.training) + a)
        return self.head(f)[:, 0]


class NullBranchModel(torch.nn.Module):
    """A frozen span model whose [CLS] start/end logits come from a ``NullBranch``; it has the
    span model's ``encoder`` and ``head`` (shared, frozen), so it exports and loads as one does."""

    def __init__(self, span_model: SpanModel):
        """The branch starts as a copy of ``span_model``'s last layer and head: at first the
        model gives the span model's own logits."""
        super().__init__()
        self.encoder, self.head = span_model.encoder, span_model.head
        self.null_branch = NullBranch(self.encoder.encoder.layer[-1], self.head,
                                      self.encoder.config.num_attention_heads)
        self.encoder.requires_grad_(False)
        self.head.requires_grad_(False)

    def train(self, mode: bool = True):
        # The span model is frozen and must read as it will at query time: no dropout in it.
        super().train(mode)
        self.encoder.eval()
        return self

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                           output_hidden_states=True)
        logits = self.head(out.last_hidden_state)
        null = self.null_branch(out.hidden_states[-2], attention_mask)  # what enters the last layer
        start = torch.cat([null[:, :1].to(logits.dtype), logits[:, 1:, 0]], dim=1)
        end = torch.cat([null[:, 1:].to(logits.dtype), logits[:, 1:, 1]], dim=1)
        return start, end


def has_null_branch(path) -> bool:
    """Whether an ONNX file is an export of a ``NullBranchModel`` (holds a branch)."""
    import onnx

    try:
        graph = onnx.load(str(path), load_external_data=False).graph
    except Exception:  # not an ONNX file: load_onnx_weights says so, with the reason
        return False
    return any(n.name.startswith(f"/{BRANCH}/") for n in graph.node)
