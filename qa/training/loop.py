"""The training loop: AdamW, linear warmup and decay, bf16 autocast, checkpoints and resume.

The learning rate follows ``progress = max(step / steps, elapsed / budget)``, so a ``max_minutes``
cap still ends on a decayed learning rate. Every ``checkpoint_minutes`` the model, the optimizer
state and the position in the (seeded, reproducible) batch plan are written as safetensors + JSON;
``resume`` continues from there, so an interrupted run loses minutes, not hours.

A long schedule can run over several sittings: ``pause_after`` (minutes of this sitting) or a
SIGINT/SIGTERM ends the sitting at the next step with a checkpoint, and the schedule itself (steps,
budget, learning rate) does not change, so ``resume`` picks it up where it paused.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from qa.training.batching import collate, plan_batches
from qa.training.labels import Example

log = logging.getLogger("qa.training")

MODEL_FILE = "model.safetensors"
OPTIMIZER_FILE = "optimizer.safetensors"
STATE_FILE = "state.json"


@dataclass
class TrainConfig:
    epochs: float = 1.0
    lr: float = 1e-4
    warmup: float = 0.05
    batch_size: int = 32
    weight_decay: float = 0.01
    max_minutes: float = 60.0
    bf16: bool = False
    seed: int = 13
    log_every: int = 20
    checkpoint_dir: Path | None = None
    checkpoint_minutes: float = 5.0
    snapshot_minutes: float = 0.0   # > 0: also keep the model at this interval (learning curves)
    pause_after: float = 0.0        # > 0: end this sitting after so many minutes, checkpointed (resume continues)
    distill_weight: float = 1.0     # with a teacher: weight of ``distill_loss`` beside the span loss
    distill_spans_only: bool = False  # hold only where the answer lies, not how sure "no answer" is


@dataclass
class TrainResult:
    steps: int
    planned_steps: int
    minutes: float
    ema_loss: float | None
    windows_per_second: float
    paused: bool = False  # stopped by pause_after or a signal, with a checkpoint; not finished
    # One entry a sitting, the resumed ones included: steps [first, last], minutes, the budget it was given
    # (--max-minutes may change on resume), so reader.json tells the whole run, not its last command.
    sittings: list[dict] = field(default_factory=list)


def optimizer_for(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.AdamW:
    # The 30k x 384 word-embedding table stays as pre-trained: fewer optimizer updates per step.
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in named if not any(x in n for x in no_decay)], "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in named if any(x in n for x in no_decay)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=cfg.lr)


def learning_rate(cfg: TrainConfig, progress: float) -> float:
    if progress < cfg.warmup:
        return cfg.lr * progress / cfg.warmup
    return cfg.lr * max(0.0, 1 - progress) / (1 - cfg.warmup)


def span_loss(start_logits, end_logits, allowed, start, end):
    """Mean cross-entropy of the gold start and end tokens over the allowed positions."""
    s = start_logits.float().masked_fill(~allowed, -1e4)
    e = end_logits.float().masked_fill(~allowed, -1e4)
    ce = torch.nn.functional.cross_entropy
    return (ce(s, start) + ce(e, end)) / 2


def distill_loss(start_logits, end_logits, teacher_start, teacher_end, allowed, rows, spans_only: bool = False):
    """KL(teacher || student) of the start and of the end distributions over the allowed positions,
    averaged over the windows in ``rows`` and scaled by their share of the batch (a batch without
    such windows adds nothing). ``spans_only``: over the context positions alone, leaving out [CLS]
    (position 0, "no answer"), so where the answer lies is held but not how likely "no answer" is:
    reading without a threshold takes the best span and never looks at [CLS].

    Why: a continuation aimed at unanswerable questions drifts on the answerable ones (session 20:
    r14 gained 1.0 held-out v2.0 F1 and lost 1.3 v1.1 reading F1). Holding the student's span
    distributions on answerable windows to those of the model it started from keeps what that
    model knew while the no-answer score moves.
    """
    if not bool(rows.any()):
        return start_logits.new_zeros((), dtype=torch.float32)
    lsm = torch.nn.functional.log_softmax
    if spans_only:
        allowed = allowed.clone()
        allowed[:, 0] = False

    def kl(student, teacher):
        s = lsm(student.float().masked_fill(~allowed, -1e4)[rows], dim=-1)
        t = lsm(teacher.float().masked_fill(~allowed, -1e4)[rows], dim=-1)
        return torch.nn.functional.kl_div(s, t, log_target=True, reduction="batchmean")

    return (kl(start_logits, teacher_start) + kl(end_logits, teacher_end)) / 2 * rows.float().mean()


def save_checkpoint(folder: Path, model, opt, state: dict) -> None:
    """Model, optimizer and loop state, written to a fresh folder and swapped in whole."""
    tmp = folder.with_name(folder.name + ".tmp")
    _rmtree(tmp)
    tmp.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp / MODEL_FILE))
    opt_state = opt.state_dict()
    tensors = {f"{i}.{k}": v.contiguous() for i, s in opt_state["state"].items() for k, v in s.items()
               if isinstance(v, torch.Tensor)}
    save_file(tensors, str(tmp / OPTIMIZER_FILE))
    groups = [{k: v for k, v in g.items() if k != "params"} | {"params": g["params"]} for g in opt_state["param_groups"]]
    (tmp / STATE_FILE).write_text(json.dumps({**state, "param_groups": groups}), encoding="utf-8")
    old = folder.with_name(folder.name + ".old")
    _rmtree(old)
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    _rmtree(old)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def load_checkpoint(folder: Path, model, opt) -> dict:
    """Restore what ``save_checkpoint`` wrote; returns the loop state."""
    model.load_state_dict(load_file(str(folder / MODEL_FILE)))
    state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    tensors = load_file(str(folder / OPTIMIZER_FILE))
    per_param: dict[int, dict] = {}
    for key, value in tensors.items():
        i, name = key.split(".", 1)
        per_param.setdefault(int(i), {})[name] = value
    opt.load_state_dict({"state": per_param, "param_groups": state.pop("param_groups")})
    return state


def train(model, examples: list[Example], cfg: TrainConfig, resume: bool = False, device: str = "cpu",
          teacher=None) -> TrainResult:
    """Train ``model`` on ``examples``; returns what was done. ``teacher``: a frozen span model whose
    start/end distributions the answerable windows are held to (``distill_loss``)."""
    if cfg.pause_after > 0 and cfg.checkpoint_dir is None:
        raise ValueError("pausing needs a checkpoint folder to resume from")
    opt = optimizer_for(model, cfg)
    whole_epochs = max(1, int(-(-cfg.epochs // 1)))
    plan = plan_batches([len(e.ids) for e in examples], cfg.batch_size, whole_epochs, cfg.seed)
    total = max(1, int(len(plan) * cfg.epochs / whole_epochs))
    plan = plan[:total]
    budget = cfg.max_minutes * 60.0
    done, spent, ema, windows_done = 0, 0.0, None, 0
    earlier: list[dict] = []
    ckpt = cfg.checkpoint_dir
    if resume and ckpt is not None and (ckpt / STATE_FILE).is_file():
        state = load_checkpoint(ckpt, model, opt)
        if state.get("planned_steps") != total or state.get("examples") != len(examples):
            raise ValueError(f"{ckpt}: the checkpoint is of another run (planned steps or data differ)")
        done, spent, ema, windows_done = state["step"], state["elapsed"], state["ema_loss"], state["windows"]
        # A checkpoint written before sittings were recorded: its sittings as one.
        earlier = state.get("sittings") or [{"steps": [0, done], "minutes": round(spent / 60, 1)}]
        log.info("resumed from %s at step %d (%.1f min trained)", ckpt, done, spent / 60)
    log.info("planned %d steps (%.2f epochs of %d windows), batch %d, budget %.1f min",
             total, cfg.epochs, len(examples), cfg.batch_size, cfg.max_minutes)
    model.to(device).train()
    if teacher is not None:
        teacher.to(device).eval().requires_grad_(False)
        log.info("distilling from a teacher on answerable windows, weight %.2f", cfg.distill_weight)
    started = time.perf_counter() - spent
    sitting = last_ckpt = last_snapshot = time.perf_counter()
    step = done

    def sittings(now_step: int) -> list[dict]:
        this = {"steps": [done, now_step], "minutes": round((time.perf_counter() - sitting) / 60, 1),
                "max_minutes": cfg.max_minutes}
        return earlier + [this]

    paused = False
    stop = _PauseOnSignal(enabled=ckpt is not None)
    try:
        for step in range(done + 1, total + 1):
            elapsed = time.perf_counter() - started
            if stop.asked or (cfg.pause_after > 0 and time.perf_counter() - sitting >= cfg.pause_after * 60):
                step -= 1
                paused = True
                break
            progress = max((step - 1) / total, elapsed / budget)
            if progress >= 1.0:
                log.info("time cap reached at step %d/%d", step - 1, total)
                step -= 1
                break
            for g in opt.param_groups:
                g["lr"] = learning_rate(cfg, progress)
            batch = [examples[k] for k in plan[step - 1]]
            ids, mask, types, allowed, s_lab, e_lab = collate(batch, device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=cfg.bf16):
                s_log, e_log = model(ids, mask, types)
            loss = span_loss(s_log, e_log, allowed, s_lab, e_lab)
            if teacher is not None:
                with torch.no_grad(), torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=cfg.bf16):
                    t_s, t_e = teacher(ids, mask, types)
                loss = loss + cfg.distill_weight * distill_loss(s_log, e_log, t_s, t_e, allowed, s_lab > 0,
                                                                 cfg.distill_spans_only)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            windows_done += len(batch)
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            now = time.perf_counter()
            if step % cfg.log_every == 0 or step == done + 1:
                elapsed = now - started
                rate = windows_done / max(elapsed, 1e-9)
                eta = min((total - step) * elapsed / step, budget - elapsed)
                log.info("step %d/%d loss %.4f ema %.4f lr %.2e | %.1f windows/s | %.1f min, eta %.1f min",
                         step, total, loss.item(), ema, opt.param_groups[0]["lr"], rate, elapsed / 60, eta / 60)
            if ckpt is not None and now - last_ckpt >= cfg.checkpoint_minutes * 60:
                _save(ckpt, model, opt, step, now - started, ema, windows_done, total, examples, cfg, sittings(step))
                last_ckpt = now
            if ckpt is not None and cfg.snapshot_minutes > 0 and now - last_snapshot >= cfg.snapshot_minutes * 60:
                (ckpt.parent / "snapshots").mkdir(parents=True, exist_ok=True)
                save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                          str(ckpt.parent / "snapshots" / f"model-step{step:06d}-windows{windows_done}.safetensors"))
                last_snapshot = now
    finally:
        stop.restore()
    if paused:
        _save(ckpt, model, opt, step, time.perf_counter() - started, ema, windows_done, total, examples, cfg,
              sittings(step))
        log.info("paused at step %d/%d with a checkpoint in %s; --resume continues", step, total, ckpt)
    minutes = (time.perf_counter() - started) / 60
    return TrainResult(step, total, round(minutes, 1), ema, round(windows_done / max(minutes * 60, 1e-9), 2), paused,
                       sittings(step))


def _save(ckpt: Path, model, opt, step: int, elapsed: float, ema, windows: int, total: int, examples, cfg,
          sittings: list[dict]) -> None:
    save_checkpoint(ckpt, model, opt, {"step": step, "elapsed": elapsed, "ema_loss": ema, "windows": windows,
                                       "planned_steps": total, "examples": len(examples), "config": _jsonable(cfg),
                                       "sittings": sittings})


class _PauseOnSignal:
    """While training with checkpoints, SIGINT/SIGTERM ask for a pause at the next step instead of
    killing the process mid-step (a killed run would lose up to ``checkpoint_minutes`` of work)."""

    def __init__(self, enabled: bool) -> None:
        self.asked = False
        self._old: dict = {}
        if not enabled:
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[sig] = signal.signal(sig, self._ask)
            except ValueError:  # not the main thread: signals stay as they were
                pass

    def _ask(self, signum, frame) -> None:
        if self.asked:  # a second signal: stop now, as without this handler
            raise KeyboardInterrupt
        self.asked = True
        log.info("signal %d: pausing after this step (again to stop at once)", signum)

    def restore(self) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def _jsonable(cfg: TrainConfig) -> dict:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()}
