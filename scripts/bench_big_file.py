"""One big file against the same text in many small files: `qa index` wall time and peak memory.

Corpora are cut from SQuAD train paragraphs (``../shared/benchmarks/train``): one 0.5 MB file,
one 2 MB file and 20 files of 100 kB (the 2 MB text again). Each is built with
``qa index --force --no-progress``, the variants alternated ``--repeats`` times; memory is the peak
PSS summed over the build and its spaCy workers, sampled every 0.2 s.

    .venv/bin/python scripts/bench_big_file.py --work /tmp/bigfile
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SQUAD_TRAIN = REPO.parent / "shared" / "benchmarks" / "train" / "squad-train-v1.1.json.gz"
CORPORA = {"one-0.5MB": [500_000], "one-2MB": [2_000_000], "many-2MB": [100_000] * 20}


def _write_corpora(work: Path) -> None:
    data = json.load(gzip.open(SQUAD_TRAIN))["data"]
    paragraphs = [p["context"] for article in data for p in article["paragraphs"]]
    for name, sizes in CORPORA.items():
        folder = work / name
        folder.mkdir(parents=True, exist_ok=True)
        i = 0  # every corpus starts at the first paragraph, so one-2MB and many-2MB hold the same text
        for k, size in enumerate(sizes):
            parts, length = [], 0
            while length < size:
                parts.append(paragraphs[i])
                length += len(paragraphs[i]) + 2
                i += 1
            (folder / f"part{k:02d}.txt").write_text("\n\n".join(parts)[:size], encoding="utf-8")


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [q for c in children for q in _tree(int(c))]


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _build(corpus: Path, index_dir: Path, env: dict | None = None) -> tuple[float, float, str]:
    cmd = [str(Path(sys.executable).parent / "qa"), "index", "--corpus", str(corpus),
           "--index-dir", str(index_dir), "--force", "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss_kb(p) for p in _tree(proc.pid)))
        time.sleep(0.2)
    out = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}")
    summary = next((line for line in out.splitlines() if line.startswith("built in")), "")
    return time.perf_counter() - started, peak / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="folder for the corpora and indexes")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    _write_corpora(args.work)
    for rep in range(1, args.repeats + 1):
        for name in CORPORA:
            wall, peak, summary = _build(args.work / name, args.work / f"index-{name}")
            print(f"{name} run {rep}: wall {wall:.1f} s, peak PSS {peak:,.0f} MB | {summary}", flush=True)


if __name__ == "__main__":
    main()
