"""Other systems on the same questions: SQuAD leaderboard predictions and plain rank-bm25 speed.

Leaderboard prediction files are scored by the official rules on exactly the question ids this
run asked, so their row and ours in the table are comparable.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from pathlib import Path
from typing import Sequence

from qa.bench.datasets import SquadSet
from qa.bench.metrics import squad_scores

log = logging.getLogger("qa")

#: Queries timed for the rank-bm25 comparison: enough for a stable median, few enough to be quick.
SPEED_QUERIES = 100


def reference_dir(squad: SquadSet) -> Path | None:
    """Where the leaderboard predictions for ``squad``'s version lie, if anywhere.

    Looked for beside the SQuAD file first (``reference-predictions/<version>``), then in the
    shared benchmarks folder next to the repository.
    """
    from qa.config import REPO_ROOT

    for base in (squad.path.parent, REPO_ROOT.parent / "shared" / "benchmarks" / "squad"):
        folder = base / "reference-predictions" / squad.version
        if folder.is_dir():
            return folder
    return None


def squad_peers(squad: SquadSet, qids: Sequence[str]) -> dict[str, dict]:
    """Each reference prediction file scored on exactly ``qids``.

    A question a file has no prediction for scores as no answer (0 unless it is unanswerable):
    that is what the official v1.1 script does, and how the published figure of a file with gaps
    (the logistic-regression baseline lacks 13 dev ids) was computed. Skipping it instead would
    score the file on fewer questions than ours.

    Returns:
        file stem -> ``{"n", "em", "f1", "missing", "has_ans"?, "no_ans"?}`` (x100).
    """
    folder = reference_dir(squad)
    if folder is None:
        return {}
    out = {}
    for path in sorted(folder.glob("*.json")):
        try:
            predictions = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("skipping reference predictions %s: %s", path.name, exc)
            continue
        scores = squad_scores(squad.data, predictions, qid_subset=qids, missing="empty")
        missing = sum(1 for q in set(qids) if q not in predictions)
        row: dict = {"n": scores["total"], "em": scores["exact"], "f1": scores["f1"], "missing": missing}
        for prefix, key in (("HasAns", "has_ans"), ("NoAns", "no_ans")):
            if f"{prefix}_total" in scores:
                row[key] = {"n": scores[f"{prefix}_total"], "em": scores[f"{prefix}_exact"], "f1": scores[f"{prefix}_f1"]}
        out[path.stem] = row
    return out


def bm25_speed(index, questions: Sequence[str], max_queries: int = SPEED_QUERIES) -> dict:
    """Median scoring latency of plain rank-bm25 and of our lexical index, on the same chunks.

    rank-bm25's ``BM25Okapi.get_scores`` walks every passage per query term; ours reads the
    precomputed postings. Both score every chunk of ``index`` for the same analyzed query, so the
    scores should agree too (``max_abs_diff``).

    Args:
        index: the loaded :class:`qa.index.store.CorpusIndex`.
        questions: query texts; the first ``max_queries`` are timed.
        max_queries: cap on timed queries.
    """
    import numpy as np
    from rank_bm25 import BM25Okapi

    from qa.ingest.analyzer import analyze

    params = index.lexical.params
    t0 = time.perf_counter()
    tokenized = [analyze(index.chunk(i).text) for i in range(len(index))]
    plain = BM25Okapi(tokenized, k1=params["k1"], b=params["b"], epsilon=params["epsilon"])
    build_s = time.perf_counter() - t0
    theirs, ours, diff = [], [], 0.0
    for question in list(questions)[:max_queries]:
        terms = analyze(question)
        t0 = time.perf_counter()
        reference = plain.get_scores(terms)
        t1 = time.perf_counter()
        fast = index.lexical.scores(terms)
        t2 = time.perf_counter()
        theirs.append(1000 * (t1 - t0))
        ours.append(1000 * (t2 - t1))
        diff = max(diff, float(np.max(np.abs(np.asarray(reference) - fast))) if len(fast) else 0.0)
    return {
        "n_queries": len(ours),
        "n_chunks": len(index),
        "rank_bm25_ms_p50": statistics.median(theirs) if theirs else 0.0,
        "ours_ms_p50": statistics.median(ours) if ours else 0.0,
        "rank_bm25_build_s": build_s,
        "max_abs_diff": diff,
    }
