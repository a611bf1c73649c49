"""The ``qa`` command: ask one question, keep a prompt open, build an index, run a benchmark.

User mistakes (a blank question, a missing folder) print one line on stderr and exit with code 2;
no stack trace. Heavy modules are imported only by the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from qa.backends import BACKENDS, DENSE_INDEX_TYPES, LOCAL, backend_options
from qa.config import PASSAGES, TOP_K
from qa.errors import QAError
from qa.reader import DEFAULT_READER, MIN_SCORE_HELP, READERS
from qa.types import METHODS, Method

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    # argparse exits with 2 on bad usage already; this only keeps the message to one line.
    def error(self, message: str):
        self.exit(EXIT_USAGE, f"qa: error: {message} (see qa --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qa", description="Answer questions from a folder of documents (text, Markdown, PDF, HTML, Word), with exact citations.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def corpus_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", metavar="DIR", help="folder of .txt/.md/.pdf/.html/.docx files (default: the bundled corpus)")
        p.add_argument("--index-dir", metavar="DIR", help="where to keep this corpus's index")
        p.add_argument("--no-progress", action="store_true", help="no progress bars")
        p.add_argument("--follow-links", action="store_true",
                       help="read symbolic links that point outside the corpus folder (default: skip them)")
        p.add_argument("--no-wait", action="store_true",
                       help="when another build of this index is running, exit (code 2) instead of waiting")
        p.add_argument("--backend", choices=list(BACKENDS), default=LOCAL,
                       help="where retrieval runs: local index files (default) or Milvus (needs --uri)")
        p.add_argument("--uri", metavar="URI",
                       help="Milvus: a Milvus Lite file (./qa.db) or a server (http://host:19530)")
        p.add_argument("--dense-index", choices=list(DENSE_INDEX_TYPES), default="auto",
                       help="Milvus dense index type (default auto: HNSW, or FLAT where the server refuses it)")
        p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                       help="embed chunks on a Ray cluster when building (no ADDRESS: a local one)")

    def answer_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--top-k", type=int, default=TOP_K, metavar="N", help=f"answers to show (default {TOP_K})")
        p.add_argument("--passages", type=int, default=PASSAGES, metavar="N", help=f"passages the reader reads (default {PASSAGES})")
        p.add_argument("--retriever", choices=list(METHODS), default=Method.HYBRID.value)
        p.add_argument("--reader", choices=READERS, default=DEFAULT_READER,
                       help=f"answerer (default: {DEFAULT_READER})")
        p.add_argument("--min-score", type=float, metavar="S", help=MIN_SCORE_HELP)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    corpus_options(ask)
    answer_options(ask)

    prompt = sub.add_parser("prompt", help="interactive prompt (the default)")
    corpus_options(prompt)
    answer_options(prompt)

    index = sub.add_parser("index", help="build or refresh the index")
    corpus_options(index)
    index.add_argument("--force", action="store_true", help="rebuild even when the index is fresh")
    index.add_argument("--verify", action="store_true",
                       help="hash every index file against its checksum (rebuild when any differs)")

    show = sub.add_parser("show", help="print a document's extracted text, a PDF page, or the text around a citation")
    show.add_argument("doc_id", metavar="DOC_ID", help="the document, as answers cite it (path inside the corpus)")
    show.add_argument("--page", type=int, metavar="N", help="only page N of a PDF (1-based)")
    show.add_argument("--start", type=int, metavar="S", help="a citation's first character: show the text around it")
    show.add_argument("--end", type=int, metavar="E", help="a citation's end (default: --start + 1)")
    show.add_argument("--context", type=int, default=300, metavar="C", help="characters shown either side (default 300)")
    corpus_options(show)

    try:
        from qa.bench.cli import add_bench_parser
    except ImportError:  # the benchmark runner is optional for the query path
        pass
    else:
        add_bench_parser(sub, corpus_options)
    return parser


def _make_qa(args):
    from qa.pipeline import QA, folder_options

    if args.corpus is not None and not args.corpus.strip():
        raise QAError("--corpus is empty: name a folder")
    return QA(
        **folder_options(args),
        corpus=args.corpus,
        index_dir=args.index_dir,
        reader=getattr(args, "reader", DEFAULT_READER),
        min_score=getattr(args, "min_score", None),
        progress=False if args.no_progress else None,
        **backend_options(args),
    )


def _check_counts(args) -> None:
    if args.top_k < 1 or args.passages < 1:
        raise QAError("--top-k and --passages must be at least 1")


def cmd_ask(args) -> int:
    from qa.pipeline import check_question
    from qa.cli.render import render_answers

    question = check_question(args.question)
    _check_counts(args)
    answers = _make_qa(args).ask(question, top_k=args.top_k, passages=args.passages, method=args.retriever)
    if args.json:
        best = answers[0].to_dict(question)
        if args.top_k > 1:
            best["alternatives"] = [a.to_dict() for a in answers[1:]]
        print(json.dumps(best, ensure_ascii=False))
    else:
        print(render_answers(answers, color=sys.stdout.isatty()))
    return 0


def cmd_index(args) -> int:
    qa = _make_qa(args)
    index = qa.ensure_index(force=args.force, verify=args.verify)
    from qa.index.store import skip_counts

    m = index.manifest
    pages = f" ({m['n_pages']} PDF pages)" if m.get("n_pages") else ""
    print(f"index of {qa.corpus}: {m['n_documents']} documents{pages}, {m['n_chunks']} chunks, in {index.folder}")
    skipped = m.get("skipped_files") or []
    if skipped:
        print(f"skipped {len(skipped)} files: {skip_counts(skipped)}")
    stages = m.get("stage_seconds")
    if isinstance(stages, dict) and m.get("build_seconds"):
        took = ", ".join(f"{name} {float(seconds):.1f} s" for name, seconds in stages.items())
        print(f"built in {m['build_seconds']:.1f} s ({took}): {m['n_chunks'] / m['build_seconds']:.1f} chunks/s")
    if qa.collection is not None:
        print(f"Milvus collection {qa.collection} at {args.uri}")
    return 0


def cmd_prompt(args) -> int:
    from qa.cli.prompt import run_prompt

    _check_counts(args)
    return run_prompt(_make_qa(args), top_k=args.top_k, passages=args.passages, method=args.retriever)


def cmd_show(args) -> int:
    from qa.cli.show import show_text

    index = _make_qa(args).ensure_index()
    print(show_text(index, args.doc_id, page=args.page, start=args.start, end=args.end, context=args.context))
    return 0


COMMANDS = {"ask": cmd_ask, "index": cmd_index, "prompt": cmd_prompt, "show": cmd_show}


def main(argv: list[str] | None = None) -> int:
    # Our own messages at INFO; libraries' (sentence-transformers says a lot) only from WARNING.
    logging.basicConfig(level=logging.WARNING, format="qa: %(message)s", stream=sys.stderr)
    logging.getLogger("qa").setLevel(logging.INFO)
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv or ["prompt"])
        if args.command is None:
            args = parser.parse_args(["prompt", *argv])
    except SystemExit as exc:  # usage errors (exit 2) and --help (exit 0), as a return code
        return int(exc.code or 0)
    try:
        if args.command == "bench":
            return args.run(args)
        return COMMANDS[args.command](args)
    except QAError as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa show ... | head`: the reader went away; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
