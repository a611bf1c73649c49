#!/usr/bin/env python
"""Quantize one fp32 reader export several ways; score each on the tuning articles and time it.

    .venv/bin/python scripts/compare_quantization.py READER_FP32.onnx --work /tmp/quant

Prints one JSON line per export: file size, tuning v1.1 reading F1/EM (the 747 questions of the
four tuning articles, no abstain threshold) and the median time to read 20 tuning paragraphs for
one question, the exports taking turns. The fp32 file is a training run's ``--keep-fp32``
output; it goes back through torch first, so a file of an older graph layout works too
(``shipped`` is today's ``quantize_int8``, ``unfused`` the same without onnxruntime's BERT
fusions, the layout shipped before session 16). ``nbits8``/``nbits4``
need the ``onnx-ir`` package (``.venv/bin/pip install onnx-ir``).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from pathlib import Path

import numpy as np

from qa.reader.neural import NeuralReader
from qa.training import thresholds
from qa.training.data import load_corpus
from qa.training.model import _int8_weights_fp32_compute, _is_ffn_output, quantize_int8, reexport_fp32


def _dynamic(src: Path, dst: Path, exclude: list[str] = (), op_types: list[str] | None = None) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    kw = {"op_types_to_quantize": op_types} if op_types else {}
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_exclude=list(exclude), **kw)


def _matmuls(src: Path, keep) -> list[str]:
    import onnx

    return [n.name for n in onnx.load(str(src)).graph.node if n.op_type == "MatMul" and keep(n.name)]


def _weight_only(src: Path, dst: Path) -> None:
    """int8 weights behind DequantizeLinear for every weight MatMul but the head; fp32 arithmetic."""
    import onnx

    model = onnx.load(str(src))
    inits = {i.name for i in model.graph.initializer}
    names = {n.name for n in model.graph.node
             if n.op_type == "MatMul" and n.input[1] in inits and not n.name.startswith("/head/")}
    _int8_weights_fp32_compute(model, names)
    onnx.save(model, str(dst))


def _nbits(src: Path, dst: Path, bits: int, block: int) -> None:
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    model = onnx.load(str(src))
    q = MatMulNBitsQuantizer(model, bits=bits, block_size=block, is_symmetric=True, accuracy_level=4,
                             nodes_to_exclude=[n.name for n in model.graph.node if n.name.startswith("/head/")])
    q.process()
    out = q.model.model
    _int8_weights_fp32_compute(out, set())  # the word-embedding table as int8 too
    onnx.save(out, str(dst))


EXPORTS = {
    "fp32": lambda src, dst: shutil.copy(src, dst),
    "dynamic": lambda src, dst: _dynamic(src, dst),
    "shipped": lambda src, dst: quantize_int8(src, dst),
    "unfused": lambda src, dst: quantize_int8(src, dst, fuse=False),
    "ffn_output_fp32": lambda src, dst: _dynamic(src, dst, exclude=_matmuls(src, _is_ffn_output)),
    "weight_only": _weight_only,
    "nbits8": lambda src, dst: _nbits(src, dst, 8, 32),
    "nbits4": lambda src, dst: _nbits(src, dst, 4, 32),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fp32", type=Path)
    ap.add_argument("--work", type=Path, required=True, help="folder for the exports")
    ap.add_argument("--exports", default="fp32,dynamic,shipped,unfused,ffn_output_fp32,weight_only",
                    help=f"comma-separated, of {','.join(EXPORTS)}")
    ap.add_argument("--repeats", type=int, default=5, help="timed reads of the 20 paragraphs")
    args = ap.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
    args.work.mkdir(parents=True, exist_ok=True)
    # Through torch first, so a --keep-fp32 file of an older graph layout can still be fused.
    source = args.work / "source-fp32.onnx"
    reexport_fp32(args.fp32, source)
    cfg = args.work / "reader.json"
    cfg.write_text(json.dumps({"max_len": 256, "stride": 128, "max_answer_tokens": 30}))
    tune = load_corpus(with_subjqa=False).tune_v11
    contexts = [row.context for row in tune[:20]]
    readers, rows = {}, {}
    for name in args.exports.split(","):
        path = args.work / f"{name}.onnx"
        EXPORTS[name](source, path)
        readers[name] = NeuralReader(path, cfg, threshold=0.0)
        preds = readers[name].predict([r.question for r in tune], [r.context for r in tune], batch_size=32)
        rows[name] = {"export": name, "mb": round(path.stat().st_size / 1e6, 1),
                      "tuning_v11": thresholds.reading_scores(tune, preds, None)}
    # The exports take turns, so a busy spell on a shared machine slows each about equally.
    times = {name: [] for name in readers}
    for reader in readers.values():
        reader.predict([tune[0].question] * 20, contexts)  # warm-up
    for _ in range(args.repeats):
        for name, reader in readers.items():
            t0 = time.perf_counter()
            reader.predict([tune[0].question] * 20, contexts)
            times[name].append(time.perf_counter() - t0)
    for name, row in rows.items():
        print(json.dumps(row | {"read_20_paragraphs_ms": round(1000 * float(np.median(times[name])), 1)}), flush=True)


if __name__ == "__main__":
    main()
