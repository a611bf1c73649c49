"""Unsigned int8 weights where onnxruntime's signed kernel saturates: the same integers, exact products."""

from __future__ import annotations

import platform

import numpy as np
import pytest

from qa.errors import QAError
from qa.reader.int8_kernels import (
    VNNI_FLAGS,
    X86,
    cpu_flags,
    signed_products_saturate,
    to_unsigned_weights,
    unsigned_model,
    use_unsigned_weights,
)
from qa.reader.neural import MODEL_FILE

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def _product(k: int = 64, rows: int = 4, cols: int = 16, weight: int = 127) -> bytes:
    """One MatMulInteger: uint8 input times a stored int8 weight (per-column zero points, as
    ``quantize_int8`` writes them), serialized."""
    w = np.full((k, cols), weight, dtype=np.int8)
    w[:, 1] = -weight  # a negative column too
    node = helper.make_node("MatMulInteger", ["a", "w", "", "w_zero"], ["y"])
    graph = helper.make_graph(
        [node], "product",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [rows, k])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [rows, cols])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.zeros(cols, np.int8), "w_zero")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def _run(model: bytes, a: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    return ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"a": a})[0]


def test_unsigned_weights_give_the_exact_products_on_this_cpu():
    """255 * 127 + 255 * 127 overflows an int16: the case a saturating kernel gets wrong."""
    model = _product()
    a = np.full((4, 64), 255, dtype=np.uint8)
    exact = a.astype(np.int64) @ numpy_helper.to_array(onnx.load_from_string(model).graph.initializer[0]).astype(np.int64)
    unsigned = to_unsigned_weights(model)
    assert unsigned is not None
    assert np.array_equal(_run(unsigned, a), exact)
    signed = _run(model, a)
    if not signed_products_saturate():
        assert np.array_equal(signed, exact)  # a VNNI (or non-x86) CPU: both exact
    # On an AVX2 CPU (AMD EPYC, onnxruntime 1.32) the signed file gave 1,048,544 = 32 pairs x 32,767
    # (each pair clipped to int16) where the product is 2,072,640.


def test_the_patched_file_holds_the_same_integers_as_uint8():
    data = MODEL_FILE.read_bytes()
    patched = to_unsigned_weights(data)
    before, after = onnx.load_from_string(data), onnx.load_from_string(patched)
    assert [n.SerializeToString() for n in before.graph.node] == [n.SerializeToString() for n in after.graph.node]
    old = {t.name: numpy_helper.to_array(t) for t in before.graph.initializer}
    new = {t.name: numpy_helper.to_array(t) for t in after.graph.initializer}
    assert old.keys() == new.keys()
    changed = {name for name in old if old[name].dtype != new[name].dtype}
    products = [n for n in before.graph.node if n.op_type in ("QAttention", "MatMulInteger")]
    assert len(products) == 6 + 17  # every layer's attention, 2 MatMuls per layer and the branch's 5
    for node in products:
        w, zero = (node.input[1], node.input[7]) if node.op_type == "QAttention" else (node.input[1], node.input[3])
        assert {w, zero} <= changed
        for name in (w, zero):  # k + 128, zero point + 128: the same dequantized values
            assert new[name].dtype == np.uint8
            assert np.array_equal(new[name].astype(np.int16) - 128, old[name].astype(np.int16))
    # Everything else is untouched: the word embeddings and FFN-output weights (int8 behind a
    # DequantizeLinear, computed in fp32) stay int8.
    assert all(np.array_equal(old[name], new[name]) for name in old.keys() - changed)
    assert old["encoder.embeddings.word_embeddings.weight_quantized"].dtype == np.int8
    assert to_unsigned_weights(patched) is None  # nothing left to rewrite


def test_files_without_int8_products_load_as_they_are(tmp_path):
    fp32 = tmp_path / "fp32.onnx"
    node = helper.make_node("MatMul", ["a", "w"], ["y"])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
                              [numpy_helper.from_array(np.eye(2, dtype=np.float32), "w")])
    fp32.write_bytes(helper.make_model(graph).SerializeToString())
    assert unsigned_model(fp32) == str(fp32)
    # A zero point stored a varint per value cannot be patched in place: that product stays signed.
    model = onnx.load_from_string(_product())
    zero = model.graph.initializer[1]
    zero.CopyFrom(helper.make_tensor("w_zero", TensorProto.INT8, [16], [0] * 16))
    assert not zero.HasField("raw_data")
    assert to_unsigned_weights(model.SerializeToString()) is None


def test_which_cpus_get_unsigned_weights():
    assert signed_products_saturate("x86_64", frozenset({"sse2", "avx2", "fma"}))
    assert signed_products_saturate("x86_64", frozenset({"avx2", "avx512f", "avx512bw"}))  # Skylake-SP
    for flag in VNNI_FLAGS:
        assert not signed_products_saturate("x86_64", frozenset({"avx2", flag}))
    assert not signed_products_saturate("aarch64", frozenset())
    assert not signed_products_saturate("arm64", None)
    flags = cpu_flags()
    if flags is not None:  # Linux: this machine's own answer follows its flags
        x86 = platform.machine().lower() in X86
        assert signed_products_saturate() == (x86 and not flags & VNNI_FLAGS)


def test_the_environment_overrides_the_choice(monkeypatch):
    monkeypatch.setenv("QA_INT8_WEIGHTS", "unsigned")
    assert use_unsigned_weights()
    monkeypatch.setenv("QA_INT8_WEIGHTS", "signed")
    assert not use_unsigned_weights()
    monkeypatch.setenv("QA_INT8_WEIGHTS", "Auto")
    assert use_unsigned_weights() == signed_products_saturate()
    monkeypatch.setenv("QA_INT8_WEIGHTS", "fast")
    with pytest.raises(QAError, match="QA_INT8_WEIGHTS must be auto, signed or unsigned"):
        use_unsigned_weights()


def test_the_reader_answers_the_same_with_either_weights_where_products_are_exact(monkeypatch):
    """On a VNNI CPU both loads compute the same integers; everywhere the unsigned load gives
    the exact products, so its logits are the same on every CPU (within float rounding)."""
    from qa.reader.neural import NeuralReader
    from qa.reader.windows import make_windows, pad_batch

    readers = {}
    for choice in ("signed", "unsigned"):
        monkeypatch.setenv("QA_INT8_WEIGHTS", choice)
        readers[choice] = NeuralReader()
    question = "When was Trotsky expelled from the Communist Party?"
    context = ("In November 1927 Trotsky and Zinoviev were expelled from the Communist Party, and "
               "Trotsky was exiled to Alma-Ata in January 1928.")
    windows = make_windows(readers["signed"]._tok, [question], [context], 256, 128)
    ids, mask, types = pad_batch(windows)
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    out = {c: r._session.run(None, feed) for c, r in readers.items()}
    if not signed_products_saturate():
        for a, b in zip(out["signed"], out["unsigned"]):
            assert np.array_equal(a, b)
    for choice, reader in readers.items():
        span = reader.predict([question], [context])[0]
        assert span.text == "November 1927", choice


def test_a_bad_choice_is_one_line_before_any_index_is_built(tmp_path, monkeypatch):
    from tests.support import run_qa

    index = tmp_path / "index"
    monkeypatch.setenv("QA_INT8_WEIGHTS", "fast")
    r = run_qa("ask", "When was Trotsky assassinated?", index_dir=index)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == "qa: error: $QA_INT8_WEIGHTS must be auto, signed or unsigned, not 'fast'"
    assert not (index.exists() and any(index.iterdir()))
