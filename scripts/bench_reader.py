"""Every reader figure of the README's benchmark table, for the shipped reader or a candidate.

    .venv/bin/python scripts/bench_reader.py --out /tmp/bench-shipped
    .venv/bin/python scripts/bench_reader.py --reader-dir /tmp/r3/out --out /tmp/bench-r3

Runs ``qa bench`` once per row (held-out articles; the candidate through ``$QA_READER_DIR``),
keeps each JSON report in ``--out`` and prints the rows as a Markdown table. The v2.0 row at a
fixed ``--min-score`` uses the reader's own v2.0 optimum on the tuning articles (``reader.json``),
never one chosen on held-out questions. ``--only`` runs some rows; an existing report of the same reader is
reused unless ``--again``, so an interrupted run picks up where it stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
SAMPLES = REPO.parent / "shared" / "corpus-samples"
SQUAD11 = BENCHMARKS / "squad" / "dev-v1.1.json"
SQUAD20 = BENCHMARKS / "squad" / "dev-v2.0.json"


def rows(v20_threshold: float) -> dict[str, list[str]]:
    """Row name -> ``qa bench`` arguments, in the README's order."""
    strict = f"{v20_threshold:.6g}"  # the optimum lies within 1e-4 of 1: keep its digits
    return {
        "seed_dev": [str(BENCHMARKS / "seed_dev.jsonl")],
        "v11_reading": [str(SQUAD11), "--mode", "reading"],
        "v11_document_500": [str(SQUAD11), "--mode", "document", "--limit", "500"],
        "v11_corpus": [str(SQUAD11), "--mode", "corpus"],
        "v20_reading": [str(SQUAD20), "--mode", "reading"],
        f"v20_reading_{strict}": [str(SQUAD20), "--mode", "reading", "--min-score", strict],
        f"v11_reading_{strict}": [str(SQUAD11), "--mode", "reading", "--min-score", strict],
        "samples": [str(SAMPLES / "questions.jsonl"), "--corpus", str(SAMPLES)],
        "samples_extra": [str(REPO / "tests" / "data" / "samples_extra_questions.jsonl"), "--corpus", str(SAMPLES)],
    }


def v20_optimum(reader_dir: Path | None) -> float:
    """The int8 reader's best v2.0 threshold on the tuning articles, as training recorded it."""
    config = (reader_dir or REPO / "qa" / "reader" / "weights") / "reader.json"
    cfg = json.loads(config.read_text(encoding="utf-8"))
    try:
        return float(cfg["tuning"]["int8"]["v20_optimal_threshold"])
    except (KeyError, TypeError, ValueError):
        sys.exit(f"{config}: no tuning v2.0 optimum recorded (tuning.int8.v20_optimal_threshold)")


def summary(name: str, report: dict) -> str:
    """One Markdown row: EM, F1, answerable/unanswerable F1, retrieval, citations, latency."""
    has, no = report.get("has_ans", {}), report.get("no_ans", {})
    cites = report.get("citations") or {}
    parts = [name, str(report["n"]), f"{report['em']:.1f}", f"{report['f1']:.1f}",
             f"{has['f1']:.1f}" if has.get("n") else "-", f"{no['f1']:.1f}" if no.get("n") else "-",
             f"{report['recall']['5']:.3f}" if report.get("recall") else "-",
             f"{cites['right_page']}/{cites['n_with_page']}" if cites.get("n_with_page") else "-",
             f"{report['latency_ms']['p50']:.0f}"]
    return "| " + " | ".join(parts) + " |"


def _made_by(report: Path, reader_dir: Path | None) -> bool:
    """Whether ``report`` exists and scored this reader, with the same int8 weights (signed or
    unsigned, ``$QA_INT8_WEIGHTS``); a report of another one is run again."""
    from qa.reader.int8_kernels import use_unsigned_weights

    try:
        settings = json.loads(report.read_text(encoding="utf-8"))["settings"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    int8 = "unsigned" if use_unsigned_weights() else "signed"
    return (settings.get("reader_dir") == (str(reader_dir) if reader_dir else None)
            and settings.get("int8_weights", "signed") == int8)  # reports from before the choice: signed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader-dir", type=Path, help="a folder scripts/train_reader.py --out wrote (default: the shipped reader)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON reports")
    parser.add_argument("--only", nargs="+", metavar="ROW", help="run only these rows")
    parser.add_argument("--again", action="store_true", help="rerun rows whose report is already in --out")
    args = parser.parse_args()
    reader_dir = args.reader_dir.resolve() if args.reader_dir else None
    plan = rows(v20_optimum(reader_dir))
    unknown = set(args.only or ()) - set(plan)
    if unknown:
        sys.exit(f"unknown rows: {', '.join(sorted(unknown))} (rows: {', '.join(plan)})")
    args.out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("QA_READER_DIR", None)
    if reader_dir is not None:
        env["QA_READER_DIR"] = str(reader_dir)
    done = {}
    for name, bench_args in plan.items():
        if args.only and name not in args.only:
            continue
        report = args.out / f"{name}.json"
        if args.again or not _made_by(report, reader_dir):
            started = time.perf_counter()
            cmd = [sys.executable, "-m", "qa", "bench", *bench_args, "--no-progress", "--report", str(report)]
            result = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if result.returncode != 0:
                sys.exit(f"{name}: qa bench failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
            print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        done[name] = json.loads(report.read_text(encoding="utf-8"))
    print(f"reader: {reader_dir or 'shipped'}")
    print("| run | n | EM | F1 | answerable F1 | unanswerable F1 | recall@5 | right page | p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, report in done.items():
        print(summary(name, report))


if __name__ == "__main__":
    main()
