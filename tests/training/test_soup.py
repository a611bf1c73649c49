"""Weight averaging: the mean is the weighted mean of the files' parameters, recorded in reader.json."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import torch

from qa.reader.neural import CONFIG_FILE, MODEL_FILE
from qa.training.model import base_model, export_fp32, load_onnx_weights, quantize_int8
from qa.training.soup import average_weights


@pytest.fixture(scope="module")
def two_readers(tmp_path_factory):
    """An int8 reader (the shipped span model, without its no-answer branch, which does not
    average) and an fp32 file of its weights moved by noise: two different files."""
    work = tmp_path_factory.mktemp("soup")
    model = base_model()
    load_onnx_weights(model, MODEL_FILE)
    span_fp32, span_int8 = work / "span-fp32.onnx", work / "span-int8.onnx"
    export_fp32(model.eval(), span_fp32)
    quantize_int8(span_fp32, span_int8)
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    moved = work / "moved-fp32.onnx"
    export_fp32(model.eval(), moved)
    return span_int8, moved


def params(path):
    model = base_model()
    load_onnx_weights(model, path)
    return dict(model.named_parameters())


def test_the_mean_is_the_weighted_mean_of_each_parameter(two_readers):
    a, b = two_readers
    pa, pb, mean = params(a), params(b), dict(average_weights([(a, 0.3), (b, 0.7)]).named_parameters())
    assert set(mean) == set(pa)
    for name, p in mean.items():
        # The noise reached every parameter the export holds (the encoder's pooler it does not:
        # the span head reads the token states, so both files load the pretrained pooler).
        if not name.startswith("encoder.pooler."):
            assert not torch.equal(pa[name], pb[name]), name
        torch.testing.assert_close(p, 0.3 * pa[name] + 0.7 * pb[name], rtol=0, atol=1e-6)


def test_one_file_at_weight_one_gives_back_its_own_weights(two_readers):
    a, _ = two_readers
    own, mean = params(a), dict(average_weights([(a, 1.0)]).named_parameters())
    for name, p in mean.items():
        assert torch.equal(p, own[name]), name


@pytest.mark.parametrize("sources", [[], [("x", 0.5)], [("x", 0.7), ("y", 0.7)], [("x", 1.5), ("y", -0.5)]])
def test_weights_that_are_not_a_mean_are_refused(sources):
    with pytest.raises(ValueError):
        average_weights(sources)


@pytest.mark.parametrize("item, message", [("{dir}/nofile.onnx:0.5", "no such file"), ("{file}", "not FILE:WEIGHT"),
                                           ("{file}:half", "not a number")])
def test_the_command_line_refuses_a_bad_source_with_a_clear_message(tmp_path, capsys, item, message):
    from qa.training.cli import main

    (tmp_path / "reader.onnx").write_bytes(b"")
    with pytest.raises(SystemExit) as exit_:
        main(["--average", item.format(dir=tmp_path, file=tmp_path / "reader.onnx"), "--out", str(tmp_path)])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_the_command_line_exports_the_mean_and_records_its_sources(two_readers, tmp_path):
    """``--average`` writes the int8 mean into --out, refits the threshold, names both files with
    their hashes and weights, drops the fp32 figures of the file it started from, and with
    ``--keep-fp32`` keeps the mean in fp32 too (to continue training from)."""
    from qa.training.cli import main

    a, b = two_readers
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(CONFIG_FILE, out / "reader.json")
    kept = tmp_path / "mean-fp32.onnx"
    main(["--average", f"{a}:0.5", f"{b}:0.5", "--out", str(out), "--tune-limit", "12", "--keep-fp32", str(kept)])
    meta = json.loads((out / "reader.json").read_text())
    assert meta["averaged_from"] == [
        {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "weight": 0.5} for p in (a, b)]
    assert "fp32" not in meta["tuning"] and meta["tuning"]["int8"]["v11_reading_no_threshold"]["n"] == 12
    # The exported int8 file holds the mean, within one int8 step of each weight.
    pa, pb, got = params(a), params(b), params(out / meta["model_file"])
    name = "encoder.encoder.layer.3.intermediate.dense.weight"
    want = 0.5 * pa[name] + 0.5 * pb[name]
    step = (want.max() - want.min()).item() / 254 + 1e-6
    assert (got[name] - want).abs().max().item() <= step
    # The kept fp32 file holds the mean itself.
    torch.testing.assert_close(params(kept)[name], want, rtol=0, atol=1e-6)
