"""The span model's ONNX export, int8 quantization and loading back (the model: ``span_model``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import torch

from qa.training.span_model import SpanModel, base_model  # here too: where most callers import them


def load_onnx_weights(model: SpanModel, path: Path) -> None:
    """Load the weights of an ONNX export of ``SpanModel``: fp32 (a ``--keep-fp32`` file) or the
    shipped int8 file (weights dequantized), so a new run can continue from the shipped reader.

    Named initializers map to parameters directly (the fused nodes keep the names of the biases
    and LayerNorms they read); the linear layers' weights were exported as anonymous transposed
    MatMul operands (MatMulInteger once quantized), found through the node's module path; the
    fused attention's query/key/value weights are split back out of its one product.
    """
    import onnx

    try:
        graph = onnx.load(str(path)).graph
    except Exception as exc:  # protobuf's DecodeError, OSError: both mean "no model here"
        raise ValueError(f"{path}: cannot be read as an ONNX model ({type(exc).__name__}: {exc})") from None
    inits = _fp32_initializers(graph)
    own = model.state_dict()
    weights = {k: torch.tensor(v) for k, v in inits.items() if k in own}
    # A weight kept int8 for fp32 arithmetic reaches its MatMul through a DequantizeLinear node.
    source = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "DequantizeLinear"}
    for node in graph.node:
        if node.op_type not in ("MatMul", "MatMulInteger"):
            continue
        operand = [_unquantized_name(source.get(x, x)) for x in node.input[:2]]
        operand = [x for x in operand if x in inits and x not in own]
        if not operand:
            continue
        name = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight"
        if name not in own and name.startswith("null_branch."):
            continue  # a no-answer branch (qa.training.null_branch) read into a model without one
        if name not in own:
            raise ValueError(f"{path}: {node.op_type} {node.name} matches no parameter of the model")
        weights[name] = torch.tensor(inits[operand[0]].T.copy())
    # Fused attention (``quantize_int8``): one [hidden, 3 * hidden] query|key|value product per
    # layer, in layer order (the graph is topologically sorted and each layer reads the last).
    fused = [n for n in graph.node if n.op_type in ("Attention", "QAttention")]
    for layer, node in enumerate(fused):
        w, b = inits[_unquantized_name(source.get(node.input[1], node.input[1]))], inits[node.input[2]]
        width = w.shape[1] // 3
        for part, proj in enumerate(("query", "key", "value")):
            prefix = f"encoder.encoder.layer.{layer}.attention.self.{proj}"
            cols = slice(part * width, (part + 1) * width)
            weights[prefix + ".weight"] = torch.tensor(w[:, cols].T.copy())
            weights[prefix + ".bias"] = torch.tensor(b[cols].copy())
    missing = [k for k in own if k not in weights and not k.startswith("encoder.pooler.")]
    if missing:
        raise ValueError(f"{path}: no weights for {missing[:5]}")
    model.load_state_dict(weights, strict=False)


_QUANTIZED = "_quantized"


def _unquantized_name(name: str) -> str:
    return name[: -len(_QUANTIZED)] if name.endswith(_QUANTIZED) else name


def _fp32_initializers(graph) -> dict:
    """Every initializer as fp32, int8/uint8 weights dequantized as ``(q - zero_point) * scale``.

    onnxruntime's ``quantize_dynamic`` stores a weight ``W`` as ``W_quantized`` with ``W_scale`` and
    ``W_zero_point`` (per output channel, the last axis, or one scalar); embedding tables keep the
    parameter's name only in their scale (``<param>_scale``), read through their DequantizeLinear node.
    """
    from onnx import numpy_helper

    raw = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    out = {k: v for k, v in raw.items() if v.dtype.kind == "f" and not k.endswith("_scale")}
    dequantized = {node.input[0]: node for node in graph.node
                   if node.op_type == "DequantizeLinear" and node.input[0] in raw}
    for name, q in raw.items():
        if not name.endswith(_QUANTIZED):
            continue
        base = _unquantized_name(name)
        dq = dequantized.get(name)
        scale_name = dq.input[1] if dq is not None else base + "_scale"
        zp_name = scale_name[: -len("_scale")] + "_zero_point"
        scale, zero = raw[scale_name].astype("float32"), raw[zp_name].astype("float32")
        axis = next((a.i for a in dq.attribute if a.name == "axis"), 1) if dq is not None else q.ndim - 1
        if scale.ndim == 1 and q.ndim == 2:  # per-channel along ``axis``
            shape = [1, 1]
            shape[axis] = -1
            scale, zero = scale.reshape(shape), zero.reshape(shape)
        out[scale_name[: -len("_scale")]] = (q.astype("float32") - zero) * scale
    return out


def export_fp32(model: SpanModel, path: Path) -> None:
    """ONNX export with dynamic batch and sequence axes (the reader's input names)."""
    model = model.to("cpu").eval()
    ids = torch.tensor([[101, 2054, 102, 1996, 3899, 102]], dtype=torch.long)
    mask = torch.ones_like(ids)
    types = torch.tensor([[0, 0, 0, 1, 1, 1]], dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    # Eager attention exports as plain MatMul/Softmax, the pattern onnxruntime's BERT optimizer
    # fuses into one Attention node (``quantize_int8``); SDPA's export is not recognised. Same math.
    attn = model.encoder.config._attn_implementation
    model.encoder.set_attn_implementation("eager")
    try:
        torch.onnx.export(
            model, (ids, mask, types), str(path), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["start_logits", "end_logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                          "start_logits": axes, "end_logits": axes},
        )
    finally:
        model.encoder.set_attn_implementation(attn)
    # The attention shape, for the fusions (the eager graph reshapes to -1 heads, so the optimizer
    # cannot read the count off it).
    import onnx

    exported = onnx.load(str(path))
    cfg = model.encoder.config
    onnx.helper.set_model_props(exported, {"num_heads": str(cfg.num_attention_heads), "hidden_size": str(cfg.hidden_size)})
    onnx.save(exported, str(path))


def model_from_onnx(src: Path, encoder: str | None = None) -> torch.nn.Module:
    """A ``SpanModel`` (eval mode) holding the weights of ``src``, any export of one: fp32 or int8,
    fused or not, however old its graph; a ``NullBranchModel`` where ``src`` has a no-answer branch."""
    from qa.training.null_branch import NullBranchModel, has_null_branch

    model = base_model(encoder)
    if has_null_branch(src):
        model = NullBranchModel(model)
    load_onnx_weights(model, src)
    return model.eval()


def reexport_fp32(src: Path, dst: Path, encoder: str | None = None) -> None:
    """``src`` back through torch into today's fp32 export at ``dst``, so ``quantize_int8`` can fuse it."""
    export_fp32(model_from_onnx(src, encoder), dst)


def quantize_int8(fp32_path: Path, int8_path: Path, fuse: bool = True) -> None:
    """int8 weights everywhere; int8 arithmetic wherever it costs no accuracy; fused BERT kernels.

    - First onnxruntime's BERT fusions (``fuse_bert``): each layer's attention becomes one
      ``Attention`` node, bias + GELU one ``BiasGelu``, residual + LayerNorm ``SkipLayerNormalization``,
      the embeddings ``EmbedLayerNormalization``. Same arithmetic, fewer passes over memory.
    - The attention (one fused query/key/value product per layer, ``QAttention``) and the FFN-input
      MatMuls: onnxruntime's ``quantize_dynamic`` (int8 weights, one scale per output channel;
      activations quantized on the fly, per tensor, uint8). 8-bit weights: on a CPU whose
      onnxruntime kernel would saturate them the reader stores them unsigned at load
      (``qa.reader.int8_kernels``); 7-bit ones (``reduce_range``), which no kernel saturates, cost
      held-out v1.1 reading F1 (r20 on an AVX2 CPU: 77.38 against 77.92 saturated; session 23).
    - The FFN-output MatMuls (after GELU, whose activations have outliers a per-tensor uint8 scale
      flattens) and the word-embedding table: int8 weights behind ``DequantizeLinear`` (one scale
      per output channel / per row), fp32 arithmetic. onnxruntime folds them to fp32 when the
      session loads (``session.disable_quant_qdq``, see ``qa.reader.neural``).
    - The 2-output head: fp32 (3 kB).

    Measured on the tuning articles (v1.1 reading F1, 747 questions, one fp32 model at 81.30):
    all-dynamic 79.93, this layout (unfused) 81.40 at the same speed and 23.7 MB; weight-only
    everywhere 81.34 but 1.2x slower to read; MatMulNBits 8-bit 81.11-81.25 and 1.6-1.8x slower on
    AVX2 (session 9). Per-tensor scales cost about 3 F1 (session 3). Fusing changed the shipped
    reader's tuning F1 by +0.06 and read time by about -11% (README, "Quantization").
    """
    import logging
    import tempfile

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the optimizer and quantizer log a line per tensor, and advice
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source = fp32_path  # unfused: the layout shipped before session 16, for comparisons
            if fuse:
                source = Path(tmp) / "fused.onnx"
                fuse_bert(fp32_path, source)
            graph = onnx.load(str(source)).graph
            weight_only = [n.name for n in graph.node if _is_ffn_output(n.name)]
            head = [n.name for n in graph.node if n.name.startswith(("/head/", "/null_branch/head/"))]
            # Fused nodes are a contrib domain the quantizer cannot infer types through: all float.
            quantize_dynamic(str(source), str(int8_path), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul", "Attention"], nodes_to_exclude=weight_only + head,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)
    model = onnx.load(str(int8_path))
    _int8_weights_fp32_compute(model, set(weight_only))
    int8_tensors_as_raw_data(model)
    onnx.save(model, str(int8_path))


def int8_tensors_as_raw_data(model) -> int:
    """Store every int8 tensor of ``model`` as one byte per value (``raw_data``); returns how many moved.

    The quantizer writes zero points as ``int32_data``, a varint per value. The reader turns int8
    product weights and their zero points into uint8 on CPUs whose signed kernel saturates
    (``qa.reader.int8_kernels``) by patching the file's bytes in place, which needs each value to
    keep its size: a byte each. Values and graph are unchanged.
    """
    from onnx import TensorProto, numpy_helper

    moved = 0
    for tensor in model.graph.initializer:
        if tensor.data_type == TensorProto.INT8 and not tensor.HasField("raw_data"):
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor), tensor.name))
            moved += 1
    return moved


def fuse_bert(fp32_path: Path, fused_path: Path) -> dict[str, int]:
    """onnxruntime's BERT graph fusions on an fp32 export (Python passes only: ``opt_level=0``
    runs no onnxruntime session, so the file is the same on every CPU). Heads and width come from
    ``export_fp32``'s metadata (0: the optimizer guesses). Returns the count of each fused operator."""
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    model = onnx.load(str(fp32_path))
    meta = {p.key: p.value for p in model.metadata_props}
    optimized = optimize_model(model, model_type="bert", opt_level=0,
                               num_heads=int(meta.get("num_heads", 0)), hidden_size=int(meta.get("hidden_size", 0)))
    optimized.save_model_to_file(str(fused_path))
    return {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}


def _is_ffn_output(node_name: str) -> bool:
    if node_name.startswith("/null_branch/"):  # qa.training.null_branch names its layer's parts
        return node_name == "/null_branch/ffn_out/MatMul"
    return node_name.endswith("/output/dense/MatMul") and "/attention/" not in node_name


def _int8_weights_fp32_compute(model, matmuls: set[str]) -> None:
    """Store the weight of each MatMul in ``matmuls`` and the word-embedding table as symmetric
    int8 (per output channel / per row) behind a DequantizeLinear node, named like
    ``quantize_dynamic``'s weights (``W_quantized``, ``W_scale``, ``W_zero_point``)."""
    from onnx import helper, numpy_helper

    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    added = []
    for node in graph.node:
        if node.name in matmuls:
            slot, axis = 1, 1      # W is [in, out]: one scale per output column
        elif node.op_type == "Gather" and "word_embeddings" in node.input[0]:
            slot, axis = 0, 0      # table is [vocab, dim]: one scale per token row
        elif node.op_type == "EmbedLayerNormalization" and "word_embeddings" in node.input[2]:
            slot, axis = 2, 0      # the fused embeddings read the same table
        else:
            continue
        name = node.input[slot]
        w = numpy_helper.to_array(inits[name])
        scale = np.abs(w).max(axis=1 - axis) / 127.0
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        shaped = scale[None, :] if axis == 1 else scale[:, None]
        q = np.clip(np.round(w / shaped), -127, 127).astype(np.int8)
        graph.initializer.remove(inits[name])
        graph.initializer.extend([numpy_helper.from_array(q, name + _QUANTIZED),
                                  numpy_helper.from_array(scale, name + "_scale"),
                                  numpy_helper.from_array(np.zeros_like(q, shape=scale.shape), name + "_zero_point")])
        added.append(helper.make_node("DequantizeLinear", [name + _QUANTIZED, name + "_scale", name + "_zero_point"],
                                      [name + "_dequantized"], name=name + "_DequantizeLinear", axis=axis))
        node.input[slot] = name + "_dequantized"
    nodes = added + list(graph.node)  # a node must come after what it reads
    del graph.node[:]
    graph.node.extend(nodes)
