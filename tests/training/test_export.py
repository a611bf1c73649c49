"""Export parity: the int8 ONNX file gives the torch model's logits (within int8 error)."""

from __future__ import annotations

import numpy as np
import torch

from qa.reader.windows import load_tokenizer, make_windows, pad_batch
from qa.training.model import base_model, export_fp32, quantize_int8


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
    s8, e8 = ort.InferenceSession(str(int8)).run(None, feeds)
    real = mask.astype(bool)
    assert np.abs(s32 - ref_s)[real].max() < 1e-3 and np.abs(e32 - ref_e)[real].max() < 1e-3
    # int8 weights: small absolute error, same ranking of positions in each row.
    scale = np.abs(ref_s[real]).max()
    assert np.abs(s8 - ref_s)[real].max() < 0.1 * scale + 0.05
    for r in range(len(windows)):
        n = int(mask[r].sum())
        assert np.corrcoef(s8[r, :n], ref_s[r, :n])[0, 1] > 0.98
    assert int8.stat().st_size < fp32.stat().st_size / 3


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
