"""How close passage embedding runs to what this CPU can compute, in fp32 and in int8.

    .venv/bin/python scripts/bench_embed_roofline.py --passages 1000

Measures, on onnxruntime with all cores:
- a matrix product of MiniLM's largest shape (a batch of 16 passages of 200 word pieces through
  the 384 x 1536 feed-forward layer), in fp32 and dynamically quantized to int8: the arithmetic
  rate this CPU reaches in each;
- the index's own passage encoder (``qa.embedding.OnnxEncoder``, the ``onnx`` precision) on real
  SQuAD paragraphs, with the floating-point operations of each passage counted from its length.

The ratio of the two says how much faster embedding could get without a smaller model: in fp32
at most the matrix-product rate, in int8 at most the int8 rate. Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# all-MiniLM-L6-v2's shape.
LAYERS, HIDDEN, FFN = 6, 384, 1536
SQUAD_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "squad" / "dev-v1.1.json"


def encoder_flops(tokens: int) -> float:
    """Multiply-adds x 2 of one MiniLM forward pass over ``tokens`` word pieces (embeddings,
    softmax and layer norms are a few percent and left out)."""
    projections = 4 * 2 * tokens * HIDDEN * HIDDEN  # Q, K, V and the attention output
    feed_forward = 2 * 2 * tokens * HIDDEN * FFN
    attention = 2 * 2 * tokens * tokens * HIDDEN  # Q K^T and the weighted sum of V
    return LAYERS * (projections + feed_forward + attention)


def _session(path: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: first runs allocate and pack weights
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def matmul_rates(rows: int, threads: int, repeats: int) -> dict[str, float]:
    """GFLOP/s of ``[rows, 384] x [384, 1536]`` in fp32 and as onnxruntime's dynamic int8."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array((rng.standard_normal((HIDDEN, FFN)) * 0.05).astype(np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "ffn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, HIDDEN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, FFN])], [weight],
    )
    x = rng.standard_normal((rows, HIDDEN)).astype(np.float32)
    flops = 2.0 * rows * HIDDEN * FFN
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(fp32))
        int8 = Path(tmp) / "int8.onnx"
        logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process does not apply to one MatMul
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
        for name, path in (("fp32", fp32), ("int8", int8)):
            session = _session(path, threads)
            seconds = _median_seconds(lambda: session.run(None, {"x": x}), repeats)
            rates[name] = flops / seconds / 1e9
    return rates


def encoder_rate(passages: int, threads: int, repeats: int) -> dict[str, float]:
    """Passages/s and GFLOP/s of the index's onnx passage encoder on real SQuAD paragraphs."""
    from qa.embedding import MAX_TOKENS, OnnxEncoder
    from qa.tokenizer import new_tokenizer

    data = json.loads(SQUAD_DEV.read_text(encoding="utf-8"))
    texts = [p["context"] for article in data["data"] for p in article["paragraphs"]][:passages]
    tokenizer = new_tokenizer()
    tokenizer.enable_truncation(MAX_TOKENS)
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    encoder = OnnxEncoder(threads=threads)
    seconds = _median_seconds(lambda: encoder.embed(texts), repeats)
    flops = sum(encoder_flops(n) for n in lengths)
    return {"passages": len(texts), "mean_word_pieces": statistics.mean(lengths),
            "passages_per_s": len(texts) / seconds, "gflops": flops / seconds / 1e9,
            "gflop_per_passage": flops / len(texts) / 1e9}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    # 16 passages of 200 word pieces: the batches the onnx encoder runs.
    rates = matmul_rates(16 * 200, args.threads, args.repeats * 4)
    print(json.dumps({"matmul_fp32_gflops": round(rates["fp32"], 1), "matmul_int8_gops": round(rates["int8"], 1),
                      "int8_over_fp32": round(rates["int8"] / rates["fp32"], 2), "threads": args.threads}), flush=True)
    enc = encoder_rate(args.passages, args.threads, max(1, args.repeats // 2))
    print(json.dumps({k: round(v, 3 if k == "gflop_per_passage" else 1) for k, v in enc.items()}), flush=True)
    print(json.dumps({
        "encoder_share_of_fp32_matmul": round(enc["gflops"] / rates["fp32"], 2),
        "ceiling_fp32_passages_per_s": round(rates["fp32"] / enc["gflop_per_passage"], 1),
        "ceiling_int8_passages_per_s": round(rates["int8"] / enc["gflop_per_passage"], 1),
    }), flush=True)


if __name__ == "__main__":
    main()
