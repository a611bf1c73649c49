"""Length-bucketed batches with dynamic padding.

Windows are shuffled, then sorted by length within pools of ``pool`` batches, so a batch holds
windows of similar length and is padded only to its own longest row (not to ``max_len``). The
batch order is shuffled again, so lengths do not trend through an epoch. The plan depends only on
the seed, which lets ``--resume`` skip the batches a checkpoint already trained on.
"""

from __future__ import annotations

import random

import torch

from qa.training.labels import Example


def plan_batches(lengths: list[int], batch_size: int, epochs: int, seed: int, pool: int = 50) -> list[list[int]]:
    """Batches of example indices for ``epochs`` passes; the same for the same arguments."""
    rng = random.Random(seed)
    plan: list[list[int]] = []
    for _ in range(epochs):
        idx = list(range(len(lengths)))
        rng.shuffle(idx)
        epoch = []
        span = batch_size * pool
        for c in range(0, len(idx), span):
            part = sorted(idx[c : c + span], key=lambda k: lengths[k])
            epoch.extend(part[b : b + batch_size] for b in range(0, len(part), batch_size))
        rng.shuffle(epoch)
        plan.extend(epoch)
    return plan


def collate(examples: list[Example], device: str = "cpu"):
    """``(ids, mask, types, allowed, start, end)`` tensors, padded to the longest row.

    ``allowed`` marks the positions an answer may start or end at: the context tokens and [CLS]
    (no answer), never the question or the final [SEP].
    """
    width = max(len(e.ids) for e in examples)
    n = len(examples)
    ids = torch.zeros((n, width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    types = torch.zeros_like(ids)
    for i, e in enumerate(examples):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
        types[i, : len(e.ids)] = torch.tensor(e.type_ids)
    allowed = types.bool()
    lengths = mask.sum(dim=1)
    allowed[torch.arange(n), lengths - 1] = False  # final [SEP]
    allowed[:, 0] = True
    start = torch.tensor([e.start for e in examples])
    end = torch.tensor([e.end for e in examples])
    return tuple(t.to(device) for t in (ids, mask, types, allowed, start, end))
