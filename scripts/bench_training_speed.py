#!/usr/bin/env python
"""Reader training speed, side by side in one run: windows per second of a few training steps.

Variants: every window padded to 256 tokens in fp32 (the first trainer), length-bucketed batches
with dynamic padding in fp32 (the previous trainer), and the same in bf16 autocast (the default
now, where the CPU has AVX512-BF16), at batch 16 and 32. Real windows: 3,000 questions sampled from
the SQuAD v1.1 train set.

    .venv/bin/python scripts/bench_training_speed.py [--steps 12]
"""

from __future__ import annotations

import argparse
import random
import time

import torch

from qa.reader.windows import load_tokenizer
from qa.training.batching import collate, plan_batches
from qa.training.data import BENCHMARKS, load_squad_file, rows_of
from qa.training.labels import Example, label_windows
from qa.training.loop import TrainConfig, optimizer_for, span_loss
from qa.training.model import base_model


def windows_per_second(examples: list[Example], batch_size: int, bf16: bool, steps: int, pad_to: int | None) -> float:
    torch.manual_seed(0)
    model = base_model()
    opt = optimizer_for(model, TrainConfig(batch_size=batch_size))
    model.train()
    plan = plan_batches([len(e.ids) for e in examples], batch_size, 1, seed=0)
    seconds, seen = 0.0, 0
    for i, b in enumerate(plan[: steps + 3]):
        batch = [examples[k] for k in b]
        if pad_to:  # the first trainer: every row as long as the longest possible window
            batch = [Example(e.ids + (0,) * (pad_to - len(e.ids)), e.type_ids + (0,) * (pad_to - len(e.ids)),
                             e.start, e.end) for e in batch]
        t0 = time.perf_counter()
        ids, mask, types, allowed, s, e = collate(batch)
        if pad_to:
            mask = (ids != 0).long()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            s_log, e_log = model(ids, mask, types)
        loss = span_loss(s_log, e_log, allowed, s, e)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 3:  # the first steps warm up allocators and kernels
            seconds += time.perf_counter() - t0
            seen += len(batch)
    return seen / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    squad = load_squad_file(BENCHMARKS / "train" / "squad-train-v1.1.json.gz")
    rows = random.Random(0).sample(rows_of(squad, None, "squad-train"), 3000)
    examples, _ = label_windows(load_tokenizer(), rows, 256, 128)
    print(f"{len(examples)} windows, {sum(len(e.ids) for e in examples) / len(examples):.0f} tokens on average")
    for name, kw in (("fp32, batch 16, padded to 256", dict(batch_size=16, bf16=False, pad_to=256)),
                     ("fp32, batch 16, bucketed", dict(batch_size=16, bf16=False, pad_to=None)),
                     ("bf16, batch 16, bucketed", dict(batch_size=16, bf16=True, pad_to=None)),
                     ("bf16, batch 32, bucketed", dict(batch_size=32, bf16=True, pad_to=None))):
        rate = windows_per_second(examples, steps=args.steps, **kw)
        print(f"{name:32s} {rate:6.2f} windows/s ({1 / rate:.3f} s a window)", flush=True)


if __name__ == "__main__":
    main()
