#!/usr/bin/env python
"""Learning curve of a training run: tuning-article v1.1 reading F1 of each snapshot's int8 export.

Snapshots are what ``train_reader.py --snapshot-minutes N`` keeps beside its checkpoint folder
(``snapshots/model-step<step>-windows<n>.safetensors``); scored in reading mode, no threshold.

    .venv/bin/python scripts/learning_curve.py /tmp/reader-run/snapshots
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file

from qa.reader.neural import NeuralReader
from qa.training.data import load_corpus
from qa.training.model import base_model, export_fp32, quantize_int8
from qa.training.thresholds import reading_scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshots", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(2)
    rows = load_corpus(with_subjqa=False).tune_v11
    for snap in sorted(args.snapshots.glob("model-step*.safetensors")):
        m = re.search(r"step(\d+)-windows(\d+)", snap.name)
        model = base_model()
        model.load_state_dict(load_file(str(snap)))
        with tempfile.TemporaryDirectory() as d:
            fp32, int8, cfg = Path(d) / "m.onnx", Path(d) / "m-int8.onnx", Path(d) / "reader.json"
            export_fp32(model, fp32)
            quantize_int8(fp32, int8)
            cfg.write_text(json.dumps({"max_len": 256, "stride": 128, "max_answer_tokens": 30}))
            preds = NeuralReader(int8, cfg, threshold=0.0).predict([r.question for r in rows],
                                                                    [r.context for r in rows], batch_size=32)
        s = reading_scores(rows, preds, None)
        print(json.dumps({"step": int(m.group(1)), "windows": int(m.group(2)), "tuning_v11_f1": s["f1"]}), flush=True)


if __name__ == "__main__":
    main()
