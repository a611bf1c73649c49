"""Export parity: the int8 ONNX file gives the torch model's logits (within int8 error)."""

from __future__ import annotations

import numpy as np
import torch

from qa.reader.windows import load_tokenizer, make_windows, pad_batch
from qa.training.model import base_model, export_fp32, fuse_bert, quantize_int8


def test_int8_and_fp32_exports_match_the_torch_model(tmp_path):
    import onnxruntime as ort

    torch.manual_seed(0)
    model = base_model().eval()
    tok = load_tokenizer()
    windows = make_windows(tok, ["Who built the tower?", "When?"],
                           ["Gustave Eiffel's company built the tower in Paris.", "It opened in 1889."], 64, 16)
    ids, mask, types = pad_batch(windows)
    with torch.no_grad():
        ref_s, ref_e = (t.numpy() for t in model(torch.tensor(ids), torch.tensor(mask), torch.tensor(types)))
    fp32, int8 = tmp_path / "m.onnx", tmp_path / "m-int8.onnx"
    export_fp32(model, fp32)
    quantize_int8(fp32, int8)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    s32, e32 = ort.InferenceSession(str(fp32)).run(None, feeds)
    # Loaded as the reader loads it: int8 weights kept for fp32 arithmetic are folded at load.
    opts = ort.SessionOptions()
    opts.add_session_config_entry("session.disable_quant_qdq", "1")
    s8, e8 = ort.InferenceSession(str(int8), opts).run(None, feeds)
    real = mask.astype(bool)
    assert np.abs(s32 - ref_s)[real].max() < 1e-3 and np.abs(e32 - ref_e)[real].max() < 1e-3
    # int8 weights: small absolute error, same ranking of positions in each row.
    scale = np.abs(ref_s[real]).max()
    assert np.abs(s8 - ref_s)[real].max() < 0.1 * scale + 0.05
    for r in range(len(windows)):
        n = int(mask[r].sum())
        assert np.corrcoef(s8[r, :n], ref_s[r, :n])[0, 1] > 0.98
    assert int8.stat().st_size < fp32.stat().st_size / 3
    # The fusions are the same arithmetic, padding included: the fused fp32 graph gives the
    # torch model's logits on this padded batch (int8 alone would blur that check).
    fused = tmp_path / "m-fused.onnx"
    assert fuse_bert(fp32, fused)["Attention"] == 6
    sf, ef = ort.InferenceSession(str(fused)).run(None, feeds)
    assert np.abs(sf - ref_s)[real].max() < 1e-3 and np.abs(ef - ref_e)[real].max() < 1e-3


def test_the_ffn_outputs_keep_fp32_arithmetic_and_everything_else_is_int8(tmp_path):
    """The quantizer's layout, which the tuning-article comparison in ``quantize_int8`` chose,
    on the fused graph (one attention node per layer: the faster read the README measures)."""
    from collections import Counter

    import onnx

    fp32, int8 = tmp_path / "m.onnx", tmp_path / "m-int8.onnx"
    export_fp32(base_model().eval(), fp32)
    quantize_int8(fp32, int8)
    graph = onnx.load(str(int8)).graph
    ops = Counter(n.op_type for n in graph.node)
    assert (ops["QAttention"], ops["BiasGelu"], ops["SkipLayerNormalization"], ops["EmbedLayerNormalization"]) == (6, 6, 12, 1)
    assert ops["Softmax"] == 0  # no attention left unfused
    dequantized = {n.output[0] for n in graph.node if n.op_type == "DequantizeLinear"}
    constant = dequantized | {i.name for i in graph.initializer}
    float_matmuls = {n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in constant}
    assert float_matmuls == {f"/encoder/encoder/layer.{i}/output/dense/MatMul" for i in range(6)} | {"/head/MatMul"}
    # Per layer: the attention output and the FFN input (query/key/value are inside QAttention).
    assert ops["MatMulInteger"] == 6 * 2
    # Every big table is int8; the largest left in fp32 is the position table (512 x 384).
    floats = {i.name: int(np.prod(i.dims)) for i in graph.initializer if i.data_type == onnx.TensorProto.FLOAT}
    assert max(floats, key=floats.get) == "encoder.embeddings.position_embeddings.weight"
    assert any(i.name == "encoder.embeddings.word_embeddings.weight_quantized" for i in graph.initializer)
    # A byte per int8 value, zero points included: what the reader patches in place to load the
    # weights unsigned where the signed kernel saturates (qa.reader.int8_kernels).
    int8 = [i for i in graph.initializer if i.data_type == onnx.TensorProto.INT8]
    assert int8 and all(i.HasField("raw_data") for i in int8)


def test_a_run_can_start_from_the_shipped_int8_file(tmp_path):
    """--init-from accepts the int8 export: every parameter comes back within one quantization step."""
    from qa.training.model import load_onnx_weights

    torch.manual_seed(1)
    model = base_model().eval()
    fp32, int8 = tmp_path / "m.onnx", tmp_path / "m-int8.onnx"
    export_fp32(model, fp32)
    quantize_int8(fp32, int8)
    torch.manual_seed(2)
    restored = base_model().eval()
    load_onnx_weights(restored, int8)
    before, after = model.state_dict(), restored.state_dict()
    for name, w in before.items():
        if name.startswith("encoder.pooler.") or not w.is_floating_point():
            continue
        # int8 keeps 255 levels over each channel's range: the error is at most one step.
        step = (w.max() - w.min()).item() / 254 + 1e-6
        assert (after[name] - w).abs().max().item() <= step, name


def test_requantize_moves_an_unfused_int8_file_into_the_fused_graph_with_the_same_weights(tmp_path):
    """``--requantize`` on an int8 file of the older, unfused layout (the shipped weights exported
    that way): the same int8 weights come back (the dequantized weights have the same per-channel
    scales), in today's fused graph, with a refitted threshold and the source file recorded."""
    import hashlib
    import json
    import shutil

    import onnx
    from onnx import numpy_helper

    from qa.reader.neural import CONFIG_FILE, MODEL_FILE
    from qa.training.cli import main
    from qa.training.model import reexport_fp32

    unfused = tmp_path / "unfused-int8.onnx"
    reexport_fp32(MODEL_FILE, tmp_path / "fp32.onnx")
    quantize_int8(tmp_path / "fp32.onnx", unfused, fuse=False)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(CONFIG_FILE, out / "reader.json")
    main(["--requantize", str(unfused), "--out", str(out), "--tune-limit", "12"])

    def int8_weights(path):
        graph = onnx.load(str(path)).graph
        weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer if i.name.endswith("_quantized")}
        return graph, weights

    old_graph, old = int8_weights(unfused)
    new_graph, new = int8_weights(out / "reader-int8.onnx")
    assert sum(n.op_type == "QAttention" for n in old_graph.node) == 0
    assert sum(n.op_type == "QAttention" for n in new_graph.node) == 6
    # Tables kept by name: the word embeddings and the FFN outputs' weights.
    word = "encoder.embeddings.word_embeddings.weight_quantized"
    assert np.array_equal(old[word], new[word])
    # An FFN-input weight, found through the MatMulInteger of the same module in both graphs.
    def weight_of(graph, weights, node_name):
        node = next(n for n in graph.node if n.name == node_name)
        return weights[node.input[1]]
    name = "/encoder/encoder/layer.3/intermediate/dense/MatMul_quant"
    assert np.array_equal(weight_of(old_graph, old, name), weight_of(new_graph, new, name))
    # Layer 2's fused query|key|value weight is the three unfused ones side by side.
    qkv = weight_of(new_graph, new, "Attention_2_quant")
    parts = [weight_of(old_graph, old, f"/encoder/encoder/layer.2/attention/self/{p}/MatMul_quant")
             for p in ("query", "key", "value")]
    assert np.array_equal(qkv, np.concatenate(parts, axis=1))
    meta = json.loads((out / "reader.json").read_text())
    assert "fusions" in meta["quantization"] and 0 <= meta["threshold"] <= 1
    assert meta["requantized_from"] == {"file": unfused.name, "sha256": hashlib.sha256(unfused.read_bytes()).hexdigest()}
    # The refit writes the tuning figures in training's fields (scripts/bench_reader.py and
    # scripts/compare_encoders.py read them), for the file now in --out.
    int8 = meta["tuning"]["int8"]
    assert set(int8) >= {"v11_reading_no_threshold", "v20_reading_fitted", "v20_optimal_threshold"}
    assert int8["v11_reading_no_threshold"]["n"] == 12 and int8["v20_reading_fitted"]["n"] == 12
    assert 0 <= int8["v20_optimal_threshold"] <= 1


def test_the_shipped_reader_is_the_fused_int8_graph():
    """What ships is today's export: one QAttention per layer, every MatMul weight int8."""
    from collections import Counter

    import onnx

    from qa.reader.neural import MODEL_FILE

    nodes = onnx.load(str(MODEL_FILE)).graph.node
    ops = Counter(node.op_type for node in nodes)
    assert ops["QAttention"] == 6 and ops["EmbedLayerNormalization"] == 1
    # fp32 MatMuls: the six FFN outputs (fp32 arithmetic on int8 weights) and the head, and in the
    # no-answer branch (qa.training.null_branch) the same two plus its attention's two products.
    branch = [n.name for n in nodes if n.op_type == "MatMul" and n.name.startswith("/null_branch/")]
    assert ops["MatMul"] - len(branch) <= 7 and len(branch) <= 4
