"""Fit how much the neural reader trusts the retrieval rank, on the TUNING articles only.

With several passages, the reader's span probabilities do not know which passage retrieval ranked
first. A span from the k-th passage gets ``rank_decay ** (k - 1)`` of its score; this script picks
``rank_decay`` maximizing F1 on the tuning articles (the train articles that training set aside,
``qa.training.data.TUNING_TITLES``) in document mode, and writes it to reader.json.
Held-out articles and seed_dev are never read.

    .venv/bin/python scripts/fit_rank_prior.py [--weights qa/reader/weights]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from qa.bench.metrics import f1_score
from qa.config import PASSAGES
from qa.pipeline import QA
from qa.reader.neural import NeuralReader
from qa.training.data import BENCHMARKS, TUNING_TITLES

REPO = Path(__file__).resolve().parents[2]
SQUAD = BENCHMARKS / "squad" / "dev-v1.1.json"
DECAYS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=Path, default=REPO / "qa" / "reader" / "weights")
    parser.add_argument("--passages", type=int, default=PASSAGES)
    args = parser.parse_args()

    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    articles = [a for a in data if a["title"] in TUNING_TITLES]
    assert {a["title"] for a in articles} == set(TUNING_TITLES)
    reader = NeuralReader(args.weights / "reader-int8.onnx", args.weights / "reader.json", threshold=0.0)
    reader.rank_decay = 1.0
    rows = []  # per question: (gold answers, [(text, raw score, passage rank)])
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for a in articles:
            (corpus / f"{a['title']}.txt").write_text("\n\n".join(p["context"] for p in a["paragraphs"]), encoding="utf-8")
        qa = QA(corpus=corpus, index_dir=Path(tmp) / "index", progress=False)
        qa.ensure_index()
        for a in articles:
            for p in a["paragraphs"]:
                for q in p["qas"]:
                    passages = qa.retrieve(q["question"], k=args.passages, doc_ids=[f"{a['title']}.txt"])
                    answers = reader.read(q["question"], passages, qa.index, top_k=50)
                    ranks = {id(ps): i for i, ps in enumerate(passages)}
                    cands = [(x.text, x.score, ranks[id(x.passage)]) for x in answers if x.is_answer]
                    rows.append(([g["text"] for g in q["answers"]], cands))

    def f1_at(decay: float) -> float:
        total = 0.0
        for golds, cands in rows:
            if cands:
                best = max(cands, key=lambda c: c[1] * decay ** c[2])
                total += f1_score(best[0], golds)
        return 100 * total / len(rows)

    scores = {d: f1_at(d) for d in DECAYS}
    for d, f in scores.items():
        print(f"rank_decay {d:.2f}: tuning document-mode F1 {f:.2f} ({len(rows)} questions)")
    best = max(DECAYS, key=lambda d: (round(scores[d], 2), d))
    config_path = args.weights / "reader.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["rank_decay"] = best
    config["rank_decay_fit"] = {"articles": list(TUNING_TITLES), "mode": "document", "passages": args.passages,
                                "questions": len(rows), "f1_by_decay": {str(d): round(f, 2) for d, f in scores.items()}}
    config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    print(f"chose rank_decay {best} (F1 {scores[best]:.2f}); wrote {config_path}")
    return 0

