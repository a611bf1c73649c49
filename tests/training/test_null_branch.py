"""The no-answer branch: the span model's answers stay as they were, only the [CLS] logits move."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

from qa.reader.windows import load_tokenizer, make_windows, pad_batch
from qa.training.loop import TrainConfig, train
from qa.training.model import base_model, export_fp32, load_onnx_weights, model_from_onnx, quantize_int8
from qa.training.null_branch import NullBranchModel

from tests.training.test_loop import _examples

SHIPPED = Path(__file__).resolve().parents[2] / "qa" / "reader" / "weights" / "reader-int8.onnx"


def _batch():
    windows = make_windows(load_tokenizer(), ["Who built the tower?", "When did it open?"],
                           ["Gustave Eiffel's company built the tower in Paris for the fair.", "It opened in 1889."],
                           64, 16)
    return [torch.tensor(a) for a in pad_batch(windows)]


def _logits(model, batch):
    with torch.no_grad():
        return [t.numpy() for t in model.eval()(*batch)]


def _session(path):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.add_session_config_entry("session.disable_quant_qdq", "1")  # as the reader loads it
    return ort.InferenceSession(str(path), opts)


def test_a_new_branch_gives_the_span_models_own_logits():
    torch.manual_seed(0)
    span = base_model().eval()
    batch = _batch()  # padded: the branch's attention must ignore the padding as the encoder does
    ref_s, ref_e = _logits(span, batch)
    s, e = _logits(NullBranchModel(span), batch)
    assert np.abs(s - ref_s).max() < 1e-4 and np.abs(e - ref_e).max() < 1e-4


def test_training_moves_only_the_no_answer_logits():
    torch.manual_seed(0)
    span = base_model().eval()
    batch = _batch()
    before = {k: v.clone() for k, v in span.state_dict().items()}
    ref_s, ref_e = _logits(span, batch)
    model = NullBranchModel(span)
    train(model, _examples(), TrainConfig(batch_size=4, epochs=1.0, lr=1e-3, warmup=0.0))
    for name, value in span.state_dict().items():
        assert torch.equal(value, before[name]), name  # the span model is frozen (and shared)
    s, e = _logits(model, batch)
    assert np.array_equal(s[:, 1:], ref_s[:, 1:]) and np.array_equal(e[:, 1:], ref_e[:, 1:])
    assert np.abs(s[:, 0] - ref_s[:, 0]).min() > 1e-3  # the "no answer" logits did learn


def test_int8_export_keeps_the_span_models_int8_logits_bit_for_bit(tmp_path):
    torch.manual_seed(0)
    span = base_model().eval()
    model = NullBranchModel(span)
    with torch.no_grad():  # a branch that differs from the span model's last layer
        for p in model.null_branch.parameters():
            p.add_(0.01 * torch.randn_like(p))
    for name, m in (("span", span), ("branch", model)):
        export_fp32(m, tmp_path / f"{name}.onnx")
        quantize_int8(tmp_path / f"{name}.onnx", tmp_path / f"{name}-int8.onnx")
    import onnx

    ops = Counter(n.op_type for n in onnx.load(str(tmp_path / "branch-int8.onnx")).graph.node)
    assert ops["QAttention"] == 6  # the frozen last layer is still fused (its input feeds the branch too)
    batch = _batch()
    feeds = dict(zip(("input_ids", "attention_mask", "token_type_ids"), (t.numpy() for t in batch)))
    s0, e0 = _session(tmp_path / "span-int8.onnx").run(None, feeds)
    s1, e1 = _session(tmp_path / "branch-int8.onnx").run(None, feeds)
    assert np.array_equal(s0[:, 1:], s1[:, 1:]) and np.array_equal(e0[:, 1:], e1[:, 1:])
    ref_s, ref_e = _logits(model, batch)
    assert np.abs(s1[:, 0] - ref_s[:, 0]).max() < 0.5 and np.abs(e1[:, 0] - ref_e[:, 0]).max() < 0.5
    # Read back: a branched model from the fp32 file, the same logits; a plain span model from either.
    again = model_from_onnx(tmp_path / "branch.onnx")
    assert isinstance(again, NullBranchModel)
    s2, e2 = _logits(again, batch)
    assert np.abs(s2 - ref_s).max() < 1e-4 and np.abs(e2 - ref_e).max() < 1e-4
    plain = base_model()
    load_onnx_weights(plain, tmp_path / "branch-int8.onnx")
    assert isinstance(model_from_onnx(tmp_path / "branch-int8.onnx"), NullBranchModel)
    from qa.training.soup import average_weights

    with pytest.raises(ValueError, match="no-answer branch"):  # not silently averaged without it
        average_weights([(tmp_path / "span.onnx", 0.5), (tmp_path / "branch.onnx", 0.5)])


def test_a_branch_needs_the_reader_it_is_added_to(tmp_path, capsys):
    from qa.training.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--null-branch", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "--null-branch needs --init-from" in capsys.readouterr().err


def test_a_run_on_the_shipped_reader_continues_its_branch_and_exports_it_unchanged(tmp_path):
    """``--null-branch --init-from`` the shipped reader trains a second pass over its branch; the
    span model and an untrained branch go back into int8 bit for bit (every tensor as shipped)."""
    import onnx
    from onnx import numpy_helper

    from qa.training.cli import starting_model

    model = starting_model(None, SHIPPED, null_branch=True)
    assert isinstance(model, NullBranchModel)
    fresh = NullBranchModel(starting_model(None, SHIPPED, null_branch=False))  # a new copy of the last layer
    ffn = model.null_branch.ffn_in.weight
    assert not torch.equal(ffn, fresh.null_branch.ffn_in.weight)
    assert torch.equal(ffn, model_from_onnx(SHIPPED).null_branch.ffn_in.weight)
    export_fp32(model, tmp_path / "again.onnx")
    quantize_int8(tmp_path / "again.onnx", tmp_path / "again-int8.onnx")
    shipped, again = ({t.name: numpy_helper.to_array(t) for t in onnx.load(str(p)).graph.initializer}
                      for p in (SHIPPED, tmp_path / "again-int8.onnx"))
    assert sorted(shipped) == sorted(again) and len(shipped) > 100
    for name, value in shipped.items():
        assert value.dtype == again[name].dtype and np.array_equal(value, again[name]), name
