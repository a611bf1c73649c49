#!/usr/bin/env python
"""Readers trained from different encoders, side by side: tuning F1, training speed, read time.

    .venv/bin/python scripts/compare_encoders.py RUN_DIR [RUN_DIR ...] [--shapes bge-small,base]

Each RUN_DIR is the ``--out`` folder of ``scripts/train_reader.py --encoder NAME`` (its
``reader-int8.onnx`` and ``reader.json``); train them with the same data, steps and seed so the
comparison is at an equal budget (README, "The encoder"). Tuning F1 and windows/s come from each
run's ``reader.json``; the time to read 20 tuning paragraphs for one question is measured here,
the readers taking turns ``--rounds`` times, so a noisy machine slows them alike.

``--shapes`` adds read times for encoder shapes no package ships trained weights for, exported
untrained (the time depends on the shape, not on the weights): ``bge-small`` (12 layers, 384 wide,
bge-small-en-v1.5's BERT shape) and ``base`` (12 layers, 768 wide, the size of all-mpnet-base-v2).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.reader.neural import NeuralReader
from qa.training.data import load_corpus

SHAPES = {"bge-small": (12, 384), "base": (12, 768)}  # layers, width
SETTINGS = {"max_len": 256, "stride": 128, "max_answer_tokens": 30}


def untrained_reader(shape: str, work: Path) -> Path:
    """The shipped int8 export of a span model over a randomly initialised BERT of this shape."""
    from transformers import BertModel

    from qa.training.encoders import bert_config
    from qa.training.model import SpanModel, export_fp32, quantize_int8

    config = bert_config(*SHAPES[shape])
    fp32, int8 = work / f"{shape}-fp32.onnx", work / f"{shape}-int8.onnx"
    export_fp32(SpanModel(BertModel(config, add_pooling_layer=False)), fp32)
    quantize_int8(fp32, int8)
    fp32.unlink()
    return int8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", type=Path, nargs="+", help="train_reader.py --out folders")
    ap.add_argument("--shapes", default="", help=f"comma-separated, of {','.join(SHAPES)}: read time only")
    ap.add_argument("--rounds", type=int, default=7, help="timed turns of every reader")
    args = ap.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
    tune = load_corpus(with_subjqa=False).tune_v11
    questions, contexts = [tune[0].question] * 20, [row.context for row in tune[:20]]

    rows: dict[str, dict] = {}
    readers: dict[str, NeuralReader] = {}
    for run in args.runs:
        meta = json.loads((run / "reader.json").read_text(encoding="utf-8"))
        int8 = meta["tuning"]["int8"]
        name = f'{meta["training"].get("encoder", "all-minilm-l6-v2")} ({run})'
        rows[name] = {"mb": round((run / meta["model_file"]).stat().st_size / 1e6, 1),
                      "windows": meta["result"]["steps"] * meta["training"]["batch_size"],
                      "windows_per_second": meta["result"]["windows_per_second"],
                      "tuning_v11_f1": int8["v11_reading_no_threshold"]["f1"],
                      "tuning_v11_em": int8["v11_reading_no_threshold"]["em"],
                      "tuning_v20_f1_best_threshold": int8["v20_reading_fitted"]["f1"]}
        readers[name] = NeuralReader(run / meta["model_file"], run / "reader.json", threshold=0.0)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "reader.json"
        cfg.write_text(json.dumps(SETTINGS))
        for shape in filter(None, args.shapes.split(",")):
            path = untrained_reader(shape, Path(tmp))
            rows[f"{shape} (untrained)"] = {"mb": round(path.stat().st_size / 1e6, 1)}
            readers[f"{shape} (untrained)"] = NeuralReader(path, cfg, threshold=0.0)
        times: dict[str, list[float]] = {name: [] for name in readers}
        for reader in readers.values():
            reader.predict(questions, contexts)  # warm-up
        for _ in range(args.rounds):
            for name, reader in readers.items():
                t0 = time.perf_counter()
                reader.predict(questions, contexts)
                times[name].append(time.perf_counter() - t0)
    for name, row in rows.items():
        row["read_20_paragraphs_ms"] = round(1000 * float(np.median(times[name])), 1)
        print(json.dumps({"encoder": name, **row}), flush=True)


if __name__ == "__main__":
    main()
