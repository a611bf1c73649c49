"""Weight averaging ("model soup") of reader files fine-tuned from one another.

Two readers where one was trained starting from the other (the shipped reader -> a continuation
run) lie in one basin of the loss: a weighted mean of their parameters is itself a working reader,
and often better than either (Wortsman et al. 2022, "Model soups"). Measured here: the session-14
reader (tuning v1.1 83.37, v2.0 optimum 65.32) and its continuation r11 (84.05 / 64.19) average,
at 0.7 r11, to 84.33 / 65.25 (int8, tuning articles; README: "Readers"); that mean shipped, and
the reader shipped now (r12) continues it.

Any reader file ``load_onnx_weights`` reads can go in: an fp32 ``--keep-fp32`` file or an int8
one (dequantized). Weights from unrelated runs do not average into a reader; that is not checked.
"""

from __future__ import annotations

from pathlib import Path


def average_weights(sources: list[tuple[Path, float]], encoder: str | None = None):
    """A ``SpanModel`` with sum(weight * parameters) over ``sources`` ((file, weight), weights sum to 1).

    Integer buffers (position ids) are not parameters: they are taken from the first file and
    must agree across files.
    """
    import torch

    from qa.training.model import base_model, model_from_onnx

    if not sources:
        raise ValueError("nothing to average")
    weights = [w for _, w in sources]
    if any(w < 0 for w in weights) or abs(sum(weights) - 1) > 1e-6:
        raise ValueError(f"averaging weights must be >= 0 and sum to 1, got {weights}")
    from qa.training.null_branch import has_null_branch

    branched = [str(path) for path, _ in sources if has_null_branch(path)]
    if branched:  # a frozen reader plus its branch: average the span readers, then train a branch anew
        raise ValueError(f"{branched[0]} has a no-answer branch (qa.training.null_branch); only span readers average")
    total: dict[str, torch.Tensor] = {}
    for path, weight in sources:
        for name, tensor in model_from_onnx(Path(path), encoder).state_dict().items():
            if not tensor.is_floating_point():
                if name in total and not torch.equal(total[name], tensor):
                    raise ValueError(f"{path}: {name} differs from the first file's")
                total.setdefault(name, tensor)
            else:  # float32, in the files' order: the shipped mean is reproduced to the bit
                total[name] = weight * tensor if name not in total else total[name] + weight * tensor
    model = base_model(encoder)
    model.load_state_dict(total)
    return model.eval()
