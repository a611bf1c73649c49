"""The interactive prompt: load everything once, then answer one question per line."""

from __future__ import annotations

import sys

from qa.config import PASSAGES, TOP_K, history_file
from qa.errors import QAError
from qa.pipeline import QA
from qa.cli.render import render_answers

HELP = """Type a question and press Enter. Arrow keys recall earlier questions.
Commands: help (this text), quit or exit (leave; Ctrl-D and Ctrl-C work too)."""
HISTORY_FILE = history_file()


def _setup_history() -> None:
    try:
        import readline  # line editing and arrow-key history for input()
    except ImportError:  # not on every platform; the prompt still works without it
        return
    try:
        readline.read_history_file(HISTORY_FILE)
    except OSError:
        pass
    readline.set_history_length(1000)
    import atexit

    atexit.register(lambda: _save_history(readline))


def _save_history(readline) -> None:
    try:
        readline.write_history_file(HISTORY_FILE)
    except OSError:
        pass


def run_prompt(qa: QA, top_k: int = TOP_K, passages: int = PASSAGES, method: str = "hybrid") -> int:
    interactive = sys.stdin.isatty()
    # Bytes that are not UTF-8 arrive as escapes, which the question check turns into U+FFFD,
    # instead of ending the session with a decoding error.
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")
    if interactive:
        _setup_history()
    qa.ensure_index()
    from qa.embedding import query_encoder

    query_encoder()  # load now, so the first question is as quick as the rest
    if interactive:
        print(f"Ask about {qa.corpus} ({len(qa.index)} passages). Type 'help' for help, 'quit' to leave.")
    color = sys.stdout.isatty()
    while True:
        try:
            line = input("? " if interactive else "")
        except EOFError:
            if interactive:
                print()
            return 0
        except KeyboardInterrupt:
            print()
            return 0
        command = line.strip().lower()
        if command in ("quit", "exit", ":q"):
            return 0
        if command in ("help", "?"):
            print(HELP)
            continue
        if not interactive and not command:
            continue  # blank lines in piped input are separators, not questions
        try:
            answers = qa.ask(line, top_k=top_k, passages=passages, method=method)
        except QAError as exc:
            print(f"qa: error: {exc}", file=sys.stderr)
            continue
        except KeyboardInterrupt:  # Ctrl-C while answering cancels the question, not the session
            print("\n(cancelled)", file=sys.stderr)
            continue
        print(render_answers(answers, color=color))
