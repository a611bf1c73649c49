"""``qa bench FILE``: answers, retrieval and speed on a JSONL question set, SQuAD file or BEIR folder.

This module parses the options and wires the steps together: load and sample the questions
(``datasets``), materialize and index their text (``corpora``), ask them (``runner`` / ``beir``),
aggregate (``summary``), compare (``peers``) and show the result (``report``).
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time

from qa.backends import backend_options
from qa.config import PASSAGES, reader_dir
from qa.errors import QAError
from qa.reader import DEFAULT_READER, MIN_SCORE_HELP, READERS, check_min_score
from qa.reader.int8_kernels import use_unsigned_weights
from qa.types import METHODS

log = logging.getLogger("qa")

MODES = ("reading", "document", "corpus")


def add_bench_parser(subparsers, corpus_options) -> argparse.ArgumentParser:
    """Add the ``bench`` subcommand to ``qa``'s subparsers.

    Args:
        subparsers: the ``qa`` parser's subparsers action.
        corpus_options: adds ``--corpus``, ``--index-dir`` and ``--no-progress`` to a parser.

    Returns:
        The ``bench`` parser; its ``run`` default is :func:`run_bench`.
    """
    p = subparsers.add_parser(
        "bench",
        help="measure answers, retrieval and speed on a benchmark",
        description="Run a JSONL question set (against --corpus), a SQuAD v1.1/v2.0 file or a BEIR "
        "folder through the pipeline and report EM/F1, retrieval recall (or nDCG for BEIR), "
        "latency and memory, beside published systems on the same questions.",
    )
    p.add_argument("file", metavar="FILE", help="JSONL question set, SQuAD JSON file, or BEIR folder")
    p.add_argument("--mode", choices=MODES,
                   help="SQuAD: each question against its paragraph (reading, the default), its article "
                   "(document), or all articles of the file (corpus)")
    p.add_argument("--split", choices=("heldout", "train", "all"),
                   help="SQuAD articles to ask about (default heldout: see the benchmarks README)")
    p.add_argument("--limit", type=int, metavar="N", help="a fixed random sample of N questions")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="sample seed (default 0)")
    p.add_argument("--retriever", choices=METHODS,
                   help="retrieval method (default hybrid; BEIR: all three unless given)")
    p.add_argument("--reader", choices=READERS, default=DEFAULT_READER, help=f"answerer (default: {DEFAULT_READER})")
    p.add_argument("--min-score", type=float, metavar="S", help=MIN_SCORE_HELP)
    p.add_argument("--passages", type=int, default=PASSAGES, metavar="N", help=f"passages the reader reads (default {PASSAGES})")
    p.add_argument("--report", metavar="OUT.json", help="write the figures as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="plot F1 by question word and latency")
    p.add_argument("--predictions", metavar="OUT.json",
                   help='write {question id: answer} ("" = no answer), the official SQuAD prediction format')
    corpus_options(p)
    p.set_defaults(run=run_bench)
    return p


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark ``args`` describe, print its tables, write the report and plot.

    Returns:
        The exit code (0).

    Raises:
        QAError: unknown file format, a missing file, or options that do not fit the file.
    """
    from qa.bench import datasets

    started = time.perf_counter()
    if args.passages < 1:
        raise QAError("--passages must be at least 1")
    _check_reader(args.reader)
    check_min_score(args.min_score)  # before any index is built
    data = datasets.load(args.file)
    _check_options(args, data.kind)
    progress = False if args.no_progress else None
    predictions = None
    if data.kind == "beir":
        report, latencies = _run_beir(args, data, progress)
    elif data.kind == "squad":
        report, latencies, predictions = _run_squad(args, data, progress)
    else:
        report, latencies, predictions = _run_jsonl(args, data, progress)
    report["peak_rss_mb"] = _peak_rss_mb()
    report["wall_seconds"] = time.perf_counter() - started

    from qa.bench.report import plot, print_tables, write_json

    print_tables(report)
    if args.report:
        write_json(report, args.report)
    if args.plot:
        plot(report, latencies, args.plot)
    if args.predictions and predictions is not None:
        write_json(predictions, args.predictions)
    return 0


# -- the three kinds of input ------------------------------------------------------------------


def _run_jsonl(args, qset, progress):
    from qa.bench.datasets import sample
    from qa.bench.runner import Item
    from qa.pipeline import QA

    questions = sample(qset.questions, args.limit, args.seed)
    qa = QA(corpus=args.corpus, index_dir=args.index_dir, reader=args.reader, min_score=args.min_score,
            progress=progress, **backend_options(args), **_folder_options(args))
    index_info = _ensure_index(qa)
    # JSONL answers carry no offsets: a passage is a hit when it holds a gold answer's words.
    items = [Item(q) for q in questions]
    report, latencies, predictions = _ask(qa, items, args, progress)
    report["index"] = index_info
    report["settings"] = _settings(args, qset, mode="corpus", split=None, corpus=qa.corpus)
    return report, latencies, predictions


def _run_squad(args, squad, progress):
    from qa.bench import corpora
    from qa.bench.datasets import sample
    from qa.bench.peers import squad_peers
    from qa.bench.runner import Item
    from qa.pipeline import QA

    mode = args.mode or "reading"
    split = args.split or "heldout"
    articles = squad.articles(split)
    questions = sample(squad.split_questions(split), args.limit, args.seed)
    if not questions:
        raise QAError(f"{squad.path} has no questions in the {split} split")
    all_articles = list(range(len(squad.titles)))
    # Corpora cover whole splits, not the sample, so every --limit/--seed reuses one index.
    if mode == "reading":
        bench = corpora.squad_paragraphs(squad, articles, f"paragraphs-{_split_name(split, articles, all_articles)}")
    elif mode == "document":
        bench = corpora.squad_articles(squad, articles, f"articles-{_split_name(split, articles, all_articles)}")
    else:
        bench = corpora.squad_articles(squad, all_articles, "articles-all")

    items = []
    for q in questions:
        doc_id, offset = bench.places[(q.article, q.paragraph)]
        gold = tuple((doc_id, offset + s, offset + s + len(a)) for a, s in zip(q.answers, q.answer_starts))
        # reading: the paragraph is the whole world; document: its article is (one shared index).
        restrict = None if mode == "corpus" else [doc_id]
        items.append(Item(q, restrict, gold))

    qa = QA(corpus=bench.corpus, index_dir=bench.index_dir, reader=args.reader, min_score=args.min_score,
            progress=progress, **backend_options(args), **_folder_options(args))
    index_info = _ensure_index(qa)
    report, latencies, predictions = _ask(qa, items, args, progress)
    report["index"] = index_info
    report["peers"] = {**squad_peers(squad, [q.id for q in questions]), **report.get("peers", {})}
    report["settings"] = _settings(args, squad, mode=mode, split=split, corpus=bench.corpus)
    report["settings"]["squad_version"] = squad.version
    return report, latencies, predictions


def _run_beir(args, beir, progress):
    from qa.bench import corpora
    from qa.bench.beir import METHODS, PUBLISHED, evaluate
    from qa.bench.datasets import sample
    from qa.bench.peers import bm25_speed
    from qa.pipeline import QA

    queries = sample(beir.judged_queries(), args.limit, args.seed)
    methods = [args.retriever] if args.retriever else list(METHODS)
    bench = corpora.beir_documents(beir)
    qa = QA(corpus=bench.corpus, index_dir=bench.index_dir, progress=progress, **backend_options(args),
            **_folder_options(args))
    index_info = _ensure_index(qa)
    scores, latencies = evaluate(qa, queries, beir.qrels, methods, progress)
    report = {
        "n": len(queries),
        "ndcg10": {m: s["ndcg10"] for m, s in scores.items()},
        "recall": {"100": {m: s["recall100"] for m, s in scores.items()}},
        "latency_ms": {m: s["latency_ms"] for m, s in scores.items()},
        "qps": {m: s["qps"] for m, s in scores.items()},
        "index": index_info,
        "peers": {**PUBLISHED, "rank_bm25_speed": bm25_speed(qa.index, [q.question for q in queries])},
        "settings": _settings(args, beir, mode="retrieval", split=None, corpus=bench.corpus),
    }
    report["settings"]["retriever"] = ",".join(methods)
    report["settings"].pop("reader")
    report["settings"].pop("reader_dir")
    report["settings"].pop("passages")
    return report, latencies


# -- shared steps ------------------------------------------------------------------------------


def _ask(qa, items, args, progress):
    """Ask the items, summarize, and time plain rank-bm25 beside our lexical index."""
    from qa.bench.peers import bm25_speed
    from qa.bench.runner import run_questions
    from qa.bench.summary import summarize

    method = args.retriever or "hybrid"
    records = run_questions(qa, items, method=method, passages=args.passages, progress=progress)
    report = summarize(records)
    report["peers"] = {"rank_bm25_speed": bm25_speed(qa.index, [i.question.question for i in items])}
    latencies = {"retrieve": [r.retrieve_ms for r in records], "read": [r.read_ms for r in records]}
    return report, latencies, {r.id: r.prediction for r in records}


def _ensure_index(qa) -> dict:
    """Load (or build) the index; what the report says about it."""
    from qa.index.store import live_build

    # Milvus: the local build and the collection are checked (and built when stale) together.
    try:
        before = live_build(qa.index_dir)
    except QAError:
        before = None
    t0 = time.perf_counter()
    index = qa.ensure_index()
    seconds = time.perf_counter() - t0
    m = index.manifest
    return {
        "build_seconds": m.get("build_seconds"),
        "built_now": before is None or before.resolve() != index.folder.resolve(),
        "load_seconds": seconds,
        "n_documents": m.get("n_documents"),
        "n_chunks": m.get("n_chunks"),
        "folder": str(index.folder),
        "backend": qa.backend.name,
        "collection": qa.collection,
    }


def _settings(args, data, mode: str, split: str | None, corpus) -> dict:
    return {
        "file": str(data.path),
        "format": data.kind,
        "mode": mode,
        "split": split,
        "limit": args.limit,
        "seed": args.seed,
        "retriever": args.retriever or "hybrid",
        "reader": args.reader,
        # A reader other than the shipped one ($QA_READER_DIR), so a report says which it scored.
        "reader_dir": str(reader_dir()) if args.reader == "neural" and reader_dir() else None,
        # int8 figures depend on it where the CPU's signed int8 kernel saturates (qa.reader.int8_kernels).
        "int8_weights": ("unsigned" if use_unsigned_weights() else "signed") if args.reader == "neural" else None,
        "min_score": args.min_score,
        "passages": args.passages,
        "backend": args.backend,
        "uri": args.uri,
        "corpus": str(corpus),
    }


def _split_name(split: str, articles: list[int], all_articles: list[int]) -> str:
    # "train" and "all" of a file whose split is empty name the same articles: share the folder.
    return "all" if articles == all_articles else split


def _check_reader(name: str) -> None:
    from qa.reader import READERS

    if name not in READERS:
        raise QAError(f"unknown reader '{name}' (choose from: {', '.join(READERS)})")


def _check_options(args, kind: str) -> None:
    """Refuse options that mean nothing for this kind of input, rather than ignore them."""
    if kind != "squad":
        if args.mode not in (None, "corpus") or (kind == "beir" and args.mode):
            raise QAError(f"--mode applies to SQuAD files; {args.file} is a {kind} benchmark")
        if args.split:
            raise QAError(f"--split applies to SQuAD files; {args.file} is a {kind} benchmark")
    if kind == "beir" and args.predictions:
        raise QAError("--predictions applies to question sets; a BEIR benchmark ranks documents")
    if kind == "beir" and args.min_score is not None:
        raise QAError("--min-score applies to question sets; a BEIR benchmark ranks documents")
    if kind != "jsonl" and (args.corpus or args.index_dir):
        raise QAError(f"--corpus and --index-dir apply to JSONL question sets; a {kind} benchmark brings its own text")


def _folder_options(args) -> dict:
    from qa.pipeline import folder_options

    return folder_options(args)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
