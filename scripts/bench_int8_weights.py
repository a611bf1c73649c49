"""Read time of the reader with its int8 weights loaded signed and unsigned, alternated in one process.

    .venv/bin/python scripts/bench_int8_weights.py [--rounds 9]

``NeuralReader.window_spans`` on 20 tuning-article paragraphs (one question each, every 37th of the
tuning v1.1 questions), the two loads taking turns; prints the median and range of each. On a CPU
whose signed int8 kernel saturates, ``auto`` loads them unsigned (``qa.reader.int8_kernels``): this
is what that costs. ``$QA_READER_DIR`` picks another reader, as everywhere.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    from qa.reader.int8_kernels import signed_products_saturate
    from qa.reader.neural import NeuralReader
    from qa.training.data import load_corpus

    rows = load_corpus(with_subjqa=False).tune_v11[::37][:20]
    questions, contexts = [r.question for r in rows], [r.context for r in rows]
    readers = {}
    for choice in ("signed", "unsigned"):
        os.environ["QA_INT8_WEIGHTS"] = choice  # read when the reader loads its file
        readers[choice] = NeuralReader()
    times: dict[str, list[float]] = {choice: [] for choice in readers}
    for reader in readers.values():
        reader.window_spans(questions, contexts, batch_size=64)  # warm
    for _ in range(args.rounds):
        for choice, reader in readers.items():
            t = time.perf_counter()
            reader.window_spans(questions, contexts, batch_size=64)
            times[choice].append(time.perf_counter() - t)
    print(f"signed int8 kernel saturates on this CPU: {signed_products_saturate()}")
    for choice, t in times.items():
        print(f"{choice}: median {1000 * statistics.median(t):.0f} ms ({1000 * min(t):.0f}-{1000 * max(t):.0f}), "
              f"{len(rows)} paragraphs, {args.rounds} rounds")


if __name__ == "__main__":
    main()
