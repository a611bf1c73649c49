"""`qa index --force` on one corpus with each passage precision, alternated: wall time, the build's
own stage summary and peak memory (PSS of the build and its spaCy workers, sampled every 0.2 s).

    .venv/bin/python scripts/bench_index_build.py CORPUS_DIR --work /tmp/builds --precisions fp32 onnx

The 48 SQuAD dev articles, as `qa bench --mode corpus` writes them:
``indexes/bench/squad-dev-v1.1-*/articles-all/corpus``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench_big_file import _build  # scripts/ is on sys.path when a script in it runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--work", type=Path, required=True, help="folder for the indexes")
    parser.add_argument("--precisions", nargs="+", default=["fp32", "onnx"])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    for rep in range(1, args.repeats + 1):
        order = args.precisions if rep % 2 else args.precisions[::-1]
        for precision in order:
            env = dict(os.environ, QA_EMBED_PRECISION=precision)
            wall, peak, summary = _build(args.corpus, args.work / f"index-{precision}", env)
            print(f"{precision} run {rep}: wall {wall:.1f} s, peak PSS {peak:,.0f} MB | {summary}", flush=True)


if __name__ == "__main__":
    main()
