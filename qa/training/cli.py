"""``scripts/train_reader.py``: train the span reader, export int8 ONNX, fit its threshold.

Data (see ``qa.training.data``): the SQuAD v1.1 train set, the TRAIN articles of the dev files
(less the four tuning articles), SubjQA, and made-up unanswerables (``qa.training.synthetic``).
Held-out articles are never read into training; the tuning articles only choose the threshold.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from qa.training import thresholds
from qa.training.encoders import DEFAULT_ENCODER, ENCODERS
from qa.training.data import BENCHMARKS, Row, answer_occurrences, load_corpus

WEIGHTS = Path(__file__).resolve().parents[1] / "reader" / "weights"
log = logging.getLogger("qa.training")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="train_reader.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", type=Path, default=BENCHMARKS, help="the shared benchmarks folder")
    ap.add_argument("--max-minutes", type=float, default=55.0, help="training time cap (export still runs)")
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=1.5e-4)
    ap.add_argument("--warmup", type=float, default=0.05)
    ap.add_argument("--batch-size", type=int, default=16,
                    help="windows per step (16 trains faster per window than 32 on 2 cores: README)")
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--stride", type=int, default=128, help="context tokens shared by neighbouring windows")
    ap.add_argument("--max-answer-tokens", type=int, default=30)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--squad-train", type=int, default=-1,
                    help="questions of the SQuAD v1.1 train set to use (-1: all, 0: none)")
    ap.add_argument("--ambiguous", choices=("keep", "drop"), default="keep",
                    help="SQuAD train rows whose answer text occurs more than once in the paragraph "
                         "(their recovered offset may point at the wrong copy)")
    ap.add_argument("--no-subjqa", action="store_true", help="leave SubjQA out")
    ap.add_argument("--dev-unanswerable-repeat", type=int, default=1, metavar="K",
                    help="read the unanswerable questions of the dev TRAIN articles (SQuAD 2.0's, written to "
                         "look answerable, as the held-out ones are) K times per epoch")
    ap.add_argument("--synthetic-unanswerable", action="store_true",
                    help="add unanswerable variants of the dev TRAIN answerables (entity swaps, negations; "
                         "qa.training.synthetic)")
    ap.add_argument("--synthetic-from", type=int, default=0,
                    help="with --synthetic-unanswerable, also vary this many SQuAD train questions "
                         "(spaCy reads their articles: about 1 min per 500 on 2 cores)")
    ap.add_argument("--distractors", type=float, default=0.0, metavar="SHARE",
                    help="pair this share of the answerable questions with the paragraph of their article that "
                         "BM25 ranks first among those without the answer, labelled unanswerable "
                         "(qa.training.distractors)")
    ap.add_argument("--chunk-views", type=float, default=0.0, metavar="SHARE",
                    help="also read this share of the answerable questions in their article's index chunks, "
                         "as document and corpus modes do: a chunk holding the answer, and the BM25-best chunk "
                         "without it as unanswerable (qa.training.chunk_views; spaCy splits sentences, minutes)")
    ap.add_argument("--limit", type=int, default=0, help="use only this many training rows (smoke test)")
    ap.add_argument("--tune-limit", type=int, default=0, help="check on only this many tuning questions (smoke test)")
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    ap.add_argument("--max-f1-loss", type=float, default=1.0,
                    help="abstain threshold: tuning v1.1 F1 points it may cost (see fit_threshold_budget)")
    ap.add_argument("--keep-fp32", type=Path, default=None,
                    help="keep the fp32 ONNX export at this path (training, --requantize and --average)")
    ap.add_argument("--refit-threshold", action="store_true",
                    help="no training: refit the threshold of the int8 model in --out and rewrite reader.json")
    ap.add_argument("--requantize", type=Path, default=None, metavar="ONNX",
                    help="no training: re-export a reader file (a --keep-fp32 file, or an int8 one) with "
                         "today's fusions and quantization into --out (its reader.json must be there), "
                         "then refit the threshold as --refit-threshold does")
    ap.add_argument("--average", nargs="+", default=None, metavar="FILE:WEIGHT",
                    help="no training: export the weighted mean of reader files (fp32 or int8; weights sum to 1, "
                         "e.g. r11-fp32.onnx:0.7 qa/reader/weights/reader-int8.onnx:0.3) into --out as "
                         "--requantize does, then refit the threshold (qa.training.soup)")
    ap.add_argument("--encoder", choices=tuple(ENCODERS), default=DEFAULT_ENCODER,
                    help="pretrained encoder to start from (README: the encoder comparison); --init-from "
                         "needs a file trained from the same one")
    ap.add_argument("--init-from", type=Path, default=None,
                    help="start from an ONNX export of a previous run: its --keep-fp32 file, or the shipped "
                         "int8 reader (weights dequantized)")
    ap.add_argument("--distill-from", type=Path, default=None, metavar="ONNX",
                    help="a reader file (usually the --init-from one) whose span distributions on answerable "
                         "windows the model is held to while it trains (knowledge distillation)")
    ap.add_argument("--distill-weight", type=float, default=1.0, help="weight of the distillation loss")
    ap.add_argument("--distill-spans-only", action="store_true",
                    help="distil the start/end distributions over the context only, leaving the no-answer "
                         "position free to move")
    ap.add_argument("--null-branch", action="store_true",
                    help="train only a no-answer branch on the --init-from reader, which stays frozen: a copy of "
                         "its last layer and head that gives the [CLS] logits (qa.training.null_branch); the "
                         "answer picked in each window stays the same, only the no-answer score moves; where the "
                         "--init-from file already has a branch (the shipped reader), training continues that one")
    ap.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto",
                    help="forward pass in bfloat16 autocast (weights stay fp32) or fp32; auto: bf16 where the "
                         "CPU has native bf16 (AVX512-BF16, AMX) or on a GPU")
    ap.add_argument("--bf16", dest="precision", action="store_const", const="bf16", help="same as --precision bf16")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    ap.add_argument("--checkpoint-dir", type=Path, default=None,
                    help="write a resumable checkpoint here every --checkpoint-minutes (safetensors)")
    ap.add_argument("--checkpoint-minutes", type=float, default=5.0)
    ap.add_argument("--snapshot-minutes", type=float, default=0.0,
                    help="also keep the model every N minutes beside the checkpoint (for a learning curve)")
    ap.add_argument("--resume", action="store_true", help="continue from --checkpoint-dir")
    ap.add_argument("--pause-after", type=float, default=0.0, metavar="MINUTES",
                    help="end this sitting after MINUTES of training with a checkpoint, no export; the same "
                         "command with --resume continues the schedule unchanged (a long run over several "
                         "sittings: give --max-minutes the whole run's time). SIGINT/SIGTERM pause the same way")
    ap.add_argument("--log-every", type=int, default=20)
    return ap


def training_rows(args, corpus) -> tuple[list[Row], dict]:
    """The rows to train on, shuffled, with counts of where they came from."""
    rng = random.Random(args.seed)
    squad = list(corpus.squad_train)
    ambiguous = sum(answer_occurrences(r) > 1 for r in squad)
    if args.ambiguous == "drop":
        squad = [r for r in squad if answer_occurrences(r) <= 1]
    if args.squad_train >= 0:
        squad = rng.sample(squad, min(args.squad_train, len(squad)))
    synthetic: list[Row] = []
    if args.synthetic_unanswerable:
        from qa.ingest.annotate import load_spacy
        from qa.training.synthetic import generate

        seeds = corpus.dev_answerable + rng.sample(corpus.squad_train, min(args.synthetic_from, len(corpus.squad_train)))
        made = generate(load_spacy(), [asdict(r) for r in seeds], random.Random(args.seed))
        titles = {r.id: r.title for r in seeds}
        synthetic = [Row(m["id"], titles[m["id"].rsplit("-", 1)[0]], m["question"], m["context"], source="synthetic")
                     for m in made]
    distractors: list[Row] = []
    if args.distractors > 0:
        from qa.training.distractors import distractor_rows

        distractors = distractor_rows(squad + corpus.dev_answerable, args.distractors, rng)
    views: list[Row] = []
    if args.chunk_views > 0:
        from qa.training.chunk_views import chunk_view_rows

        views = chunk_view_rows(squad + corpus.dev_answerable, args.chunk_views, rng)
    # The only adversarial unanswerables there are (3.2k): repeats give them a larger share of a
    # short continuation without drawing on held-out text.
    unanswerable = corpus.dev_unanswerable * max(1, args.dev_unanswerable_repeat)
    rows = squad + corpus.dev_answerable + unanswerable + corpus.subjqa + synthetic + distractors + views
    rng.shuffle(rows)
    if args.limit:
        rows = rows[: args.limit]
    counts = {"squad_train": len(squad), "squad_train_ambiguous_offsets": ambiguous,
              "dev_train_answerable": len(corpus.dev_answerable),
              "dev_train_unanswerable": len(corpus.dev_unanswerable),
              "dev_train_unanswerable_rows": len(unanswerable),
              "subjqa": len(corpus.subjqa), "subjqa_unanswerable": sum(not r.answers for r in corpus.subjqa),
              "synthetic_unanswerable": len(synthetic), "distractors": len(distractors),
              "chunk_views": sum(bool(r.answers) for r in views),
              "chunk_view_distractors": sum(not r.answers for r in views), "rows_used": len(rows),
              "tuning_v11_questions": len(corpus.tune_v11), "tuning_v20_questions": len(corpus.tune_v20)}
    return rows, counts


def starting_model(encoder: str | None, init_from: Path | None, null_branch: bool):
    """The model a run trains: the pretrained encoder, or the reader in ``init_from``; with
    ``null_branch`` a no-answer branch on it (``qa.training.null_branch``), the file's own branch
    where it has one (a second pass over the shipped reader's branch), else a fresh copy of the
    last layer."""
    from qa.training.model import base_model, load_onnx_weights, model_from_onnx
    from qa.training.null_branch import NullBranchModel, has_null_branch

    if null_branch and has_null_branch(init_from):
        model = model_from_onnx(init_from, encoder)  # a NullBranchModel holding the file's branch
        log.info("continuing the no-answer branch of %s", init_from)
    else:
        model = base_model(encoder)
        if init_from:
            load_onnx_weights(model, init_from)
            log.info("initialised from %s", init_from)
        if null_branch:
            model = NullBranchModel(model)
    if null_branch:
        log.info("training a no-answer branch only (%d weights); the span model is frozen",
                 sum(p.numel() for p in model.parameters() if p.requires_grad))
    return model


def main(argv: list[str] | None = None) -> None:
    ap = parser()
    args = ap.parse_args(argv)
    if args.pause_after > 0 and args.checkpoint_dir is None:
        ap.error("--pause-after needs --checkpoint-dir (the sitting's checkpoint is what --resume continues)")
    if (args.distill_spans_only or args.distill_weight != 1.0) and args.distill_from is None:
        ap.error("--distill-weight and --distill-spans-only need --distill-from (the teacher)")
    if args.null_branch and (args.init_from is None or args.distill_from is not None):
        ap.error("--null-branch needs --init-from (the reader it is added to) and takes no --distill-from")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.requantize and args.average:
        ap.error("--requantize and --average each write the model in --out: give one")
    if args.average:
        try:
            sources = [_file_and_weight(item) for item in args.average]
        except ValueError as exc:
            ap.error(f"--average: {exc}")
        try:
            average(args, sources)
        except ValueError as exc:  # weights that do not sum to 1, a file with a no-answer branch
            ap.error(f"--average: {exc}")
    if args.requantize:
        requantize(args)
    if args.refit_threshold or args.requantize or args.average:
        refit_threshold(args)
        return
    import torch

    from qa.reader.windows import load_tokenizer
    from qa.training.labels import label_windows
    from qa.training.loop import TrainConfig, train
    from qa.training.model import export_fp32, model_from_onnx, quantize_int8

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(args.threads or os.cpu_count() or 2)
    log.info("settings %s device=%s", json.dumps({k: str(v) for k, v in vars(args).items()}), device)

    # Before the data (minutes of work), so a wrong encoder or --init-from file fails at once.
    model = starting_model(args.encoder, args.init_from, args.null_branch)
    teacher = model_from_onnx(args.distill_from, args.encoder) if args.distill_from else None
    if teacher is not None:
        log.info("teacher %s", args.distill_from)

    corpus = load_corpus(args.benchmarks, with_subjqa=not args.no_subjqa)
    rows, counts = training_rows(args, corpus)
    t0 = time.perf_counter()
    examples, outside = label_windows(load_tokenizer(), rows, args.max_len, args.stride)
    counts.update(train_windows=len(examples), answerable_windows_without_answer=outside)
    log.info("data %s (windows in %.0f s)", json.dumps(counts), time.perf_counter() - t0)

    cfg = TrainConfig(epochs=args.epochs, lr=args.lr, warmup=args.warmup, batch_size=args.batch_size,
                      weight_decay=args.weight_decay, max_minutes=args.max_minutes,
                      bf16=use_bf16(args.precision, device),
                      seed=args.seed, log_every=args.log_every, checkpoint_dir=args.checkpoint_dir,
                      checkpoint_minutes=args.checkpoint_minutes,
                      snapshot_minutes=args.snapshot_minutes, pause_after=args.pause_after,
                      distill_weight=args.distill_weight, distill_spans_only=args.distill_spans_only)
    result = train(model, examples, cfg, resume=args.resume, device=device, teacher=teacher)
    log.info("trained %s", json.dumps(asdict(result)))
    if result.paused:  # not finished: the export comes when a --resume sitting ends the schedule
        log.info("paused: run the same command with --resume to continue")
        return

    args.out.mkdir(parents=True, exist_ok=True)
    fp32 = Path(os.environ.get("TMPDIR", "/tmp")) / f"reader-fp32-{os.getpid()}.onnx"
    int8 = args.out / "reader-int8.onnx"
    export_fp32(model, fp32)
    quantize_int8(fp32, int8)
    log.info("exported %s (%.1f MB; fp32 %.1f MB)", int8, int8.stat().st_size / 1e6, fp32.stat().st_size / 1e6)
    settings = {"max_len": args.max_len, "stride": args.stride, "max_answer_tokens": args.max_answer_tokens}
    figures = check_exports(fp32, int8, settings, corpus, args.tune_limit, args.max_f1_loss)
    tq1, _ = _tuning(corpus, args.tune_limit)
    threshold, at_thr = figures.pop("_budget")
    meta = {
        **settings,
        "threshold": threshold,
        "threshold_rule": f"largest t with tuning v1.1 reading F1 >= (F1 without threshold - {args.max_f1_loss})",
        "score": "sigmoid(start+end logit of best span - (start+end logit at [CLS])), best window",
        "model_file": int8.name,
        "encoder": ENCODERS[args.encoder],
        "max_question_tokens": 64,
        "training": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "device": device,
        "result": asdict(result),
        "data": counts,
        "tuning_titles": sorted({r.title for r in tq1}),
        "quantization": QUANTIZATION,
        "tuning": figures | {"int8_at_chosen_threshold": at_thr},
        "torch": torch.__version__,
    }
    (args.out / "reader.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    log.info("wrote %s", args.out / "reader.json")
    if args.keep_fp32:
        fp32.replace(args.keep_fp32)  # e.g. to try other quantization settings later (never shipped)
    fp32.unlink(missing_ok=True)


def use_bf16(precision: str, device: str) -> bool:
    """bf16 autocast when asked, or (``auto``) where the hardware computes bf16 natively."""
    if precision != "auto":
        return precision == "bf16"
    if device == "cuda":
        import torch

        return torch.cuda.is_bf16_supported()
    from qa.embedding import native_bf16

    return native_bf16()


def _tuning(corpus, limit: int):
    tq1, tq2 = corpus.tune_v11, corpus.tune_v20
    return (tq1[:limit], tq2[:limit]) if limit else (tq1, tq2)


def predict(reader, rows):
    return reader.predict([r.question for r in rows], [r.context for r in rows], batch_size=32)


def tuning_figures(tq1, p1, tq2, p2) -> dict:
    """One reader file's tuning-article figures, the same fields whether training or ``--refit-threshold`` wrote them.

    ``v20_optimal_threshold`` is what ``scripts/bench_reader.py`` passes as ``--min-score`` for the
    v2.0 row "at the tuning optimum"; ``v20_reading_fitted`` is the v2.0 score there.
    """
    thr, _ = thresholds.fit_threshold(tq2, p2)
    return {"v11_reading_no_threshold": thresholds.reading_scores(tq1, p1, None),
            "v20_reading_fitted": thresholds.reading_scores(tq2, p2, thr), "v20_optimal_threshold": thr}


def check_exports(fp32: Path, int8: Path, settings: dict, corpus, tune_limit: int, max_f1_loss: float = 1.0) -> dict:
    """Tuning-article figures of both exports, and the int8 threshold by the budget rule."""
    from qa.reader.neural import NeuralReader

    tq1, tq2 = _tuning(corpus, tune_limit)
    cfg = Path(str(fp32) + ".json")
    cfg.write_text(json.dumps(settings))
    figures: dict = {}
    previous = None
    for name, path in (("fp32", fp32), ("int8", int8)):
        t0 = time.perf_counter()
        reader = NeuralReader(path, cfg, threshold=0.0)
        p1, p2 = predict(reader, tq1), predict(reader, tq2)
        figures[name] = tuning_figures(tq1, p1, tq2, p2) | {"eval_seconds": round(time.perf_counter() - t0, 1)}
        if previous is not None:
            figures["int8_vs_fp32_same_text_v11"] = round(
                float(np.mean([(a.text if a else "") == (b.text if b else "") for a, b in zip(previous, p1)])), 4)
        previous = p1
        log.info("tuning %s %s", name, json.dumps(figures[name]))
    figures["_budget"] = thresholds.fit_threshold_budget(tq1, p1, tq2, p2, max_f1_loss)
    figures["int8_frontier"] = thresholds.threshold_frontier(tq1, p1, tq2, p2)
    log.info("chosen threshold %.4g %s", *figures["_budget"])
    log.info("budget frontier %s", json.dumps(figures["int8_frontier"]))
    cfg.unlink(missing_ok=True)
    return figures


QUANTIZATION = ("int8 weights, per channel (qa.training.model.quantize_int8): onnxruntime's BERT fusions, "
                "dynamic int8 attention and MatMuls, fp32 arithmetic for the FFN outputs, word embeddings per row, fp32 head")


def requantize(args) -> None:
    """Re-export a reader file through torch and quantize it with today's ``quantize_int8`` into ``--out``.

    The weights go back into a ``SpanModel`` first (``load_onnx_weights``: an fp32 file, or an int8
    one dequantized), so an export made before today's graph layout still gets it; re-quantizing a
    dequantized int8 file gives back the same int8 weights (the same per-channel scales).
    """
    from qa.training.model import model_from_onnx

    meta = json.loads((args.out / "reader.json").read_text(encoding="utf-8"))
    model = model_from_onnx(args.requantize, meta.get("training", {}).get("encoder"))
    # The weights' provenance: the "training" block describes the run that made them, not this export.
    _export_into(args.out, model, "requantized_from", _provenance(args.requantize), keep_fp32=args.keep_fp32)


def average(args, sources: list[tuple[Path, float]]) -> None:
    """The weighted mean of reader files (``qa.training.soup``), exported into ``--out``."""
    from qa.training.soup import average_weights

    meta = json.loads((args.out / "reader.json").read_text(encoding="utf-8"))
    model = average_weights(sources, meta.get("training", {}).get("encoder"))
    # The fp32 figures in reader.json are of one of the files averaged, not of this mean.
    _export_into(args.out, model, "averaged_from", [_provenance(path) | {"weight": w} for path, w in sources],
                 stale_figures=("fp32",), keep_fp32=args.keep_fp32)


def _file_and_weight(item: str) -> tuple[Path, float]:
    path, sep, weight = item.rpartition(":")
    if not sep or not path:
        raise ValueError(f"{item!r} is not FILE:WEIGHT")
    if not Path(path).is_file():
        raise ValueError(f"{path}: no such file")
    try:
        return Path(path), float(weight)
    except ValueError:
        raise ValueError(f"{item!r}: the weight {weight!r} is not a number") from None


def _provenance(path: Path) -> dict:
    import hashlib

    return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}  # a reader file: 24-91 MB


def _export_into(out: Path, model, source_key: str, source, stale_figures: tuple[str, ...] = (),
                 keep_fp32: Path | None = None) -> None:
    """Export ``model`` with today's fusions and int8 quantization as ``out``'s model file, and
    record where its weights came from in ``out/reader.json`` (the threshold is refitted next);
    ``stale_figures``: tuning entries that no longer describe the file, dropped; ``keep_fp32``:
    also keep the fp32 export there (a weight average to continue training from, or to average again)."""
    import shutil
    import tempfile

    from qa.training.model import export_fp32, quantize_int8

    cfg_path = out / "reader.json"
    meta = json.loads(cfg_path.read_text(encoding="utf-8"))
    target = out / meta["model_file"]
    tmp = target.with_name(target.name + ".tmp")
    with tempfile.TemporaryDirectory() as work:
        fp32 = Path(work) / "reader-fp32.onnx"
        export_fp32(model, fp32)
        quantize_int8(fp32, tmp)
        if keep_fp32:
            shutil.move(fp32, keep_fp32)  # the temporary folder may be on another file system
    tmp.replace(target)  # the old file stays until the new one is whole
    meta["quantization"] = QUANTIZATION
    meta[source_key] = source
    for key in ("int8_vs_fp32_same_text_v11", *stale_figures):  # the first: of the int8 file replaced
        meta.get("tuning", {}).pop(key, None)
    cfg_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    log.info("exported %s into %s (%.1f MB)", source_key.split("_")[0], target, target.stat().st_size / 1e6)


def refit_threshold(args) -> None:
    """Re-check the int8 model in ``--out`` on the tuning articles and refit its abstain threshold."""
    from qa.reader.neural import NeuralReader

    cfg_path = args.out / "reader.json"
    meta = json.loads(cfg_path.read_text(encoding="utf-8"))
    corpus = load_corpus(args.benchmarks, with_subjqa=False)
    tq1, tq2 = _tuning(corpus, args.tune_limit)
    reader = NeuralReader(args.out / meta["model_file"], cfg_path, threshold=0.0)
    p1, p2 = predict(reader, tq1), predict(reader, tq2)
    threshold, at_thr = thresholds.fit_threshold_budget(tq1, p1, tq2, p2, args.max_f1_loss)
    meta["threshold"] = threshold
    meta["threshold_rule"] = f"largest t with tuning v1.1 reading F1 >= (F1 without threshold - {args.max_f1_loss})"
    int8_figures = tuning_figures(tq1, p1, tq2, p2)
    meta.setdefault("tuning", {})["int8"] = int8_figures
    meta["tuning"]["int8_at_chosen_threshold"] = at_thr
    meta["tuning"]["int8_frontier"] = thresholds.threshold_frontier(tq1, p1, tq2, p2)
    cfg_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    log.info("threshold %.4g %s (v2.0-optimal %.4g gives v2.0 F1 %.2f)", threshold, json.dumps(at_thr),
             int8_figures["v20_optimal_threshold"], int8_figures["v20_reading_fitted"]["f1"])
    log.info("budget frontier %s", json.dumps(meta["tuning"]["int8_frontier"]))
