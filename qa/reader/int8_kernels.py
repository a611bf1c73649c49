"""Exact int8 products on every x86 CPU: unsigned weights where onnxruntime's signed kernel saturates.

The reader multiplies uint8 activations by int8 weights (``QAttention``, ``MatMulInteger``). On an x86
CPU with VNNI (AVX512-VNNI, AVX-VNNI, AMX) onnxruntime adds those products in int32, exactly. Without
it (AVX2; AVX512 before Cascade Lake) its uint8 x int8 kernel first adds each pair of products in
int16 with saturation (``vpmaddubsw``), and 255 * 127 * 2 does not fit: the shipped file then reads
held-out SQuAD v1.1 at 77.9 F1 instead of 78.1 (README, "Quantization"). Its uint8 x uint8 kernel
widens to int16 before multiplying and is exact, so on those CPUs the reader stores each int8 weight
``k`` as ``k + 128`` with zero point 128 (the same integers, the same dequantized values) before
onnxruntime loads the graph. VNNI CPUs and other architectures load the file as it is.

``$QA_INT8_WEIGHTS`` overrides the choice: ``signed`` (the file as it is), ``unsigned`` or ``auto``.
"""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np

from qa.config import int8_weights_choice

#: CPU flags (as Linux's /proc/cpuinfo names them) of the int8 dot products that add in int32.
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
X86 = frozenset({"x86_64", "amd64", "i386", "i686", "x86"})
#: The integer products whose weight input (index) onnxruntime's x86 kernels may saturate.
WEIGHT_INPUTS = {"QAttention": (1, 7), "MatMulInteger": (1, 3)}  # (weight, its zero point)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    """The CPU's feature flags, or None where the system does not list them (not Linux)."""
    try:
        with cpuinfo.open(encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        return None
    return None


def signed_products_saturate(machine: str | None = None, flags: frozenset[str] | None = None) -> bool:
    """Whether onnxruntime's uint8 x int8 kernel may saturate here: an x86 CPU without VNNI, or one
    whose flags are unknown (the unsigned weights are exact everywhere, only slower)."""
    if (machine or platform.machine()).lower() not in X86:
        return False  # ARM's and the others' int8 kernels add in int32
    flags = cpu_flags() if flags is None else flags
    return flags is None or not (flags & VNNI_FLAGS)


def use_unsigned_weights() -> bool:
    """The choice ``$QA_INT8_WEIGHTS`` makes, ``auto`` (the default) asking the CPU."""
    choice = int8_weights_choice()
    return signed_products_saturate() if choice == "auto" else choice == "unsigned"


# The few protobuf fields of an ONNX file this module reads (onnx/onnx.proto): ModelProto.graph,
# GraphProto.node and .initializer, NodeProto.input and .op_type, TensorProto.data_type, .name and .raw_data.
MODEL_GRAPH, GRAPH_NODE, GRAPH_INITIALIZER = 7, 1, 5
NODE_INPUT, NODE_OP_TYPE = 1, 4
TENSOR_DATA_TYPE, TENSOR_NAME, TENSOR_RAW_DATA = 2, 8, 9
INT8, UINT8 = 3, 2  # TensorProto.DataType


def _varint(buf, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(buf, start: int, end: int):
    """``(field number, wire type, value or (payload start, payload end), where the value starts)``
    for each field of the protobuf message in ``buf[start:end]``."""
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        at = pos
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value = (pos, pos + size)
            pos += size
        elif wire == 1:
            value, pos = None, pos + 8
        elif wire == 5:
            value, pos = None, pos + 4
        else:
            raise ValueError(f"protobuf wire type {wire} at byte {at}")
        yield number, wire, value, at
    if pos != end:
        raise ValueError("a protobuf message runs past its end")


def to_unsigned_weights(data: bytes) -> bytes | None:
    """The serialized ONNX model ``data`` with every int8 product weight (and its zero point) stored
    as uint8 ``k + 128``; None if it has no such product (an fp32 file, say).

    It patches the bytes in place: the type code (3 to 2) and each byte of the tensor (``k ^ 0x80``
    is ``k + 128``) keep their length, so no enclosing message changes size. Reading the file with
    the ``onnx`` package would do the same at 2 s of import (ml_dtypes) on every cold start. A
    product whose weight or zero point is not a stored int8 tensor with raw data (computed in the
    graph, or the zero point left implicit) stays as it is.
    """
    buf = bytearray(data)
    graph = next((v for n, w, v, _ in _fields(buf, 0, len(buf)) if n == MODEL_GRAPH and w == 2), None)
    if graph is None:
        return None
    products: list[tuple[str, ...]] = []
    tensors: dict[str, tuple[int | None, int, tuple[int, int] | None]] = {}  # name -> (type, where, raw data)
    for number, wire, value, _ in _fields(buf, *graph):
        if wire != 2:
            continue
        if number == GRAPH_NODE:
            inputs, op = [], ""
            for n, w, v, _ in _fields(buf, *value):
                if n == NODE_INPUT and w == 2:
                    inputs.append(bytes(buf[v[0]:v[1]]).decode())
                elif n == NODE_OP_TYPE and w == 2:
                    op = bytes(buf[v[0]:v[1]]).decode()
            if op in WEIGHT_INPUTS:
                products.append(tuple(inputs[i] if i < len(inputs) else "" for i in WEIGHT_INPUTS[op]))
        elif number == GRAPH_INITIALIZER:
            name, dtype, at, raw = "", None, -1, None
            for n, w, v, where in _fields(buf, *value):
                if n == TENSOR_NAME and w == 2:
                    name = bytes(buf[v[0]:v[1]]).decode()
                elif n == TENSOR_DATA_TYPE and w == 0:
                    dtype, at = v, where
                elif n == TENSOR_RAW_DATA and w == 2:
                    raw = v
            tensors[name] = (dtype, at, raw)
    flipped: set[str] = set()
    changed = 0
    for names in products:
        if all(name in flipped for name in names):
            changed += 1  # shares its weight with a product already rewritten
            continue
        if not all(name not in flipped and tensors.get(name, (None,))[0] == INT8 and tensors[name][2]
                   for name in names):
            continue
        for name in names:
            _, at, (a, b) = tensors[name]
            buf[at] = UINT8  # a one-byte varint either way
            view = memoryview(buf)[a:b]
            view[:] = (np.frombuffer(view, dtype=np.uint8) ^ 0x80).tobytes()
            flipped.add(name)
        changed += 1
    return bytes(buf) if changed else None


def unsigned_model(path: Path) -> str | bytes:
    """The reader file at ``path`` with unsigned int8 product weights, as bytes for
    ``onnxruntime.InferenceSession``; the path itself when it has no int8 products (an fp32 file)."""
    patched = to_unsigned_weights(Path(path).read_bytes())
    return str(path) if patched is None else patched
