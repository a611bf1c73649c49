"""The loop's checkpoints: written as safetensors, and a resumed run continues where it stopped."""

from __future__ import annotations

import json

import torch

from qa.reader.windows import load_tokenizer
from qa.training.data import Row
from qa.training.labels import label_windows
from qa.training.loop import STATE_FILE, TrainConfig, learning_rate, load_checkpoint, optimizer_for, train
from qa.training.model import base_model

CONTEXT = "Construction began in 1887 and the tower was completed in 1889 in Paris."


def _examples():
    rows = [Row(str(i), "t", q, CONTEXT, [a] if a else [], [CONTEXT.index(a)] if a else [])
            for i, (q, a) in enumerate([("When was it completed?", "1889"), ("When did it begin?", "1887"),
                                        ("Where is it?", "Paris"), ("Who painted it?", "")] * 2)]
    return label_windows(load_tokenizer(), rows, 64, 16)[0]


def test_learning_rate_warms_up_then_decays_to_zero():
    cfg = TrainConfig(lr=1e-3, warmup=0.1)
    assert learning_rate(cfg, 0.0) == 0 and abs(learning_rate(cfg, 0.1) - 1e-3) < 1e-12
    assert learning_rate(cfg, 0.55) < 1e-3 and learning_rate(cfg, 1.0) == 0


def test_interrupted_run_resumes_from_its_checkpoint(tmp_path):
    examples = _examples()
    ckpt = tmp_path / "ckpt"
    cfg = TrainConfig(batch_size=2, epochs=1.0, max_minutes=60, checkpoint_dir=ckpt, checkpoint_minutes=0.0)
    torch.manual_seed(0)
    model = base_model()
    # A first run of the first 2 of 4 planned steps stands in for one killed half-way.
    first = train(model, examples[:], TrainConfig(**{**cfg.__dict__, "epochs": 0.5}))
    assert first.steps == 2
    state = json.loads((ckpt / STATE_FILE).read_text())
    assert state["step"] == 2
    # The checkpoint holds exactly the trained weights.
    saved = base_model()
    load_checkpoint(ckpt, saved, optimizer_for(saved, cfg))
    for (name, a), b in zip(model.state_dict().items(), saved.state_dict().values()):
        assert torch.equal(a, b), name
    # Resumed with the same data and settings, it starts after step 2 of its 2-step plan: no step
    # is trained twice.
    again = train(base_model(), examples, TrainConfig(**{**cfg.__dict__, "epochs": 0.5}), resume=True)
    assert again.steps == 2 and again.planned_steps == 2  # nothing left to do: no step repeated


def test_resume_refuses_a_checkpoint_of_another_run(tmp_path):
    import pytest

    examples = _examples()
    cfg = TrainConfig(batch_size=2, epochs=0.5, checkpoint_dir=tmp_path / "c", checkpoint_minutes=0.0)
    train(base_model(), examples, cfg)
    with pytest.raises(ValueError, match="another run"):
        train(base_model(), examples[:4], cfg, resume=True)


def test_a_signal_pauses_at_a_step_boundary_and_resume_finishes_the_same_schedule(tmp_path):
    import os
    import signal

    examples = _examples()
    ckpt = tmp_path / "ckpt"
    cfg = TrainConfig(batch_size=2, epochs=1.0, max_minutes=60, checkpoint_dir=ckpt, checkpoint_minutes=60.0)
    model = base_model()
    calls = []

    def sigterm_on_second_step(module, inputs):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    model.register_forward_pre_hook(sigterm_on_second_step)
    before = signal.getsignal(signal.SIGTERM)
    first = train(model, examples, cfg)
    # The step under way when the signal came is finished and checkpointed, and nothing after it runs.
    assert first.paused and first.steps == 2 and first.planned_steps == 4 and len(calls) == 2
    assert json.loads((ckpt / STATE_FILE).read_text())["step"] == 2
    assert signal.getsignal(signal.SIGTERM) == before  # the process's own handler is back
    again = train(base_model(), examples, TrainConfig(**{**cfg.__dict__, "max_minutes": 30}), resume=True)
    assert not again.paused and again.steps == 4 and again.planned_steps == 4
    # Both sittings are on record, each with the budget it was given (the last command alone would say 30).
    assert [(s["steps"], s["max_minutes"]) for s in again.sittings] == [([0, 2], 60), ([2, 4], 30)]


def test_pausing_needs_a_checkpoint_folder(tmp_path, capsys):
    import pytest

    from qa.training.cli import main

    with pytest.raises(ValueError, match="checkpoint"):
        train(base_model(), _examples(), TrainConfig(batch_size=2, pause_after=5.0))
    with pytest.raises(SystemExit) as stop:
        main(["--pause-after", "5", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "--pause-after needs --checkpoint-dir" in capsys.readouterr().err


def test_distill_loss_is_zero_for_the_teacher_itself_and_ignores_windows_without_an_answer():
    from qa.training.loop import distill_loss

    torch.manual_seed(0)
    allowed = torch.ones(3, 8, dtype=torch.bool)
    allowed[:, 1:3] = False  # question tokens
    s, e = torch.randn(3, 8), torch.randn(3, 8)
    rows = torch.tensor([True, True, False])
    assert distill_loss(s, e, s, e, allowed, rows).abs() < 1e-6
    # Differences at masked positions or in a window outside ``rows`` do not count ...
    t_s = s.clone()
    t_s[:, 1] += 5.0
    t_s[2] = torch.randn(8)
    assert distill_loss(s, e, t_s, e, allowed, rows).abs() < 1e-6
    # ... a different start distribution on an answerable window does.
    t_s[0, 4] += 3.0
    assert distill_loss(s, e, t_s, e, allowed, rows) > 0.01
    assert distill_loss(s, e, t_s, e, allowed, torch.zeros(3, dtype=torch.bool)) == 0
    # ``spans_only``: a teacher surer of "no answer" ([CLS], position 0) differs only there, so
    # the span distribution over the context is the same and nothing is held.
    t_null = s.clone()
    t_null[:, 0] += 4.0
    assert distill_loss(s, e, t_null, e, allowed, rows) > 0.01
    assert distill_loss(s, e, t_null, e, allowed, rows, spans_only=True).abs() < 1e-6
    assert distill_loss(s, e, t_s, e, allowed, rows, spans_only=True) > 0.01


def test_a_student_distilled_from_its_own_start_moves_less_on_answerable_windows():
    """Same data, same seed: with the starting model as teacher, the answerable windows' span
    distributions stay closer to where they began than without one."""
    from qa.training.batching import collate
    from qa.training.loop import distill_loss

    examples = _examples()
    torch.manual_seed(0)
    start = base_model()
    drift = {}
    for name, weight in (("plain", 0.0), ("distilled", 5.0)):
        torch.manual_seed(1)  # the same dropout masks in both runs
        model, teacher = base_model(), base_model()
        model.load_state_dict(start.state_dict())
        teacher.load_state_dict(start.state_dict())
        cfg = TrainConfig(batch_size=4, epochs=3.0, lr=1e-3, warmup=0.0, max_minutes=60, distill_weight=weight)
        train(model, examples, cfg, teacher=teacher)
        ids, mask, types, allowed, s_lab, e_lab = collate(examples)
        with torch.no_grad():
            s, e = model.eval()(ids, mask, types)
            t_s, t_e = teacher(ids, mask, types)
        drift[name] = float(distill_loss(s, e, t_s, t_e, allowed, s_lab > 0))
    assert drift["distilled"] < drift["plain"]


def test_distillation_settings_without_a_teacher_are_refused(tmp_path, capsys):
    import pytest

    from qa.training.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--distill-spans-only", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "need --distill-from" in capsys.readouterr().err
