"""The encoders a reader trains from: packaged weights rebuilt exactly, clear errors otherwise."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from qa.reader.windows import load_tokenizer
from qa.training.encoders import ENCODERS, load_encoder, paraphrase_minilm_l3_onnx
from qa.training.model import base_model, export_fp32, load_onnx_weights
from support import REPO

SENTENCES = ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell sharply today."]


def _mean_vector(hidden: np.ndarray) -> np.ndarray:
    v = hidden[0].mean(axis=0)
    return v / np.linalg.norm(v)


def test_the_l3_encoder_rebuilt_from_the_package_onnx_gives_that_files_token_vectors():
    import onnxruntime as ort

    tok = load_tokenizer()
    session = ort.InferenceSession(str(paraphrase_minilm_l3_onnx()), providers=["CPUExecutionProvider"])
    token_output = next(o.name for o in session.get_outputs() if len(o.shape) == 3)
    model = load_encoder("paraphrase-minilm-l3-v2")
    assert model.config.num_hidden_layers == 3
    vectors = []
    for text in SENTENCES:
        ids = np.array([tok.encode(text).ids], dtype=np.int64)
        (expected,) = session.run([token_output], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        with torch.no_grad():
            got = model(input_ids=torch.tensor(ids), attention_mask=torch.ones(ids.shape, dtype=torch.long),
                        token_type_ids=torch.zeros(ids.shape, dtype=torch.long)).last_hidden_state.numpy()
        assert np.abs(got - expected).max() < 1e-4
        vectors.append(_mean_vector(got))
    # The reader's word pieces are this encoder's vocabulary too: paraphrases land close together.
    assert vectors[0] @ vectors[1] > 0.6 > 0.3 > vectors[0] @ vectors[2]


def test_a_span_model_trained_from_one_encoder_cannot_be_loaded_into_another(tmp_path):
    fp32 = tmp_path / "l3.onnx"
    export_fp32(base_model("paraphrase-minilm-l3-v2"), fp32)
    l3 = base_model("paraphrase-minilm-l3-v2")
    load_onnx_weights(l3, fp32)  # same encoder: loads
    with pytest.raises(ValueError, match="no weights for"):
        load_onnx_weights(base_model("all-minilm-l6-v2"), fp32)


def test_an_unknown_encoder_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown encoder 'bert-huge'; choose one of " + ", ".join(ENCODERS)):
        load_encoder("bert-huge")


def test_train_reader_refuses_a_file_of_another_encoder_or_no_model_at_once_in_one_line(tmp_path):
    """Checked before the training data is read (minutes), and said without a traceback."""
    l3 = tmp_path / "l3.onnx"
    export_fp32(base_model("paraphrase-minilm-l3-v2"), l3)
    garbage = tmp_path / "notes.onnx"
    garbage.write_text("not a model")
    for init_from, expected in ((l3, "no weights for"), (garbage, "cannot be read as an ONNX model")):
        run = subprocess.run([sys.executable, str(REPO / "scripts" / "train_reader.py"), "--init-from", str(init_from),
                              "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=REPO)
        assert run.returncode == 2
        assert "Traceback" not in run.stderr
        assert run.stderr.strip().splitlines()[-1].startswith("train_reader: ") and expected in run.stderr
        assert " data {" not in run.stderr  # the training data was never read
        assert not (tmp_path / "out").exists()
