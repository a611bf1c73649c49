"""The span model: a pretrained encoder (MiniLM by default) + a linear start/end head."""

from __future__ import annotations

import torch


class SpanModel(torch.nn.Module):
    """Encoder + linear head: per token, a start logit and an end logit."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 2)
        torch.nn.init.normal_(self.head.weight, std=0.02)
        torch.nn.init.zeros_(self.head.bias)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids).last_hidden_state
        logits = self.head(h)
        return logits[..., 0], logits[..., 1]


def base_model(encoder: str | None = None) -> SpanModel:
    """A fresh span model over a packaged pretrained encoder (``qa.training.encoders``; no network)."""
    from qa.training.encoders import DEFAULT_ENCODER, load_encoder

    return SpanModel(load_encoder(encoder or DEFAULT_ENCODER))
