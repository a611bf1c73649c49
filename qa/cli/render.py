"""Person-facing text for answers: the words, the score, the citation, the highlighted sentence."""

from __future__ import annotations

from qa.cli.terminal import printable
from qa.types import Answer

_BOLD, _YELLOW, _DIM, _RESET = "\033[1m", "\033[1;33m", "\033[2m", "\033[0m"


def render_answer(a: Answer, color: bool = False, number: int | None = None) -> str:
    bold, mark, dim, reset = (_BOLD, _YELLOW, _DIM, _RESET) if color else ("", "", "", "")
    prefix = f"{number}. " if number is not None else ""
    if not a.is_answer:
        return f"{prefix}{bold}No answer found{reset} in the corpus (confidence {a.score:.2f})."
    lines = [
        f"{prefix}{bold}{printable(a.text)}{reset}",
        f"   score {a.score:.2f} | {citation(a)}",
    ]
    if a.sentence is not None and a.sentence_start is not None:
        i, j = a.start - a.sentence_start, a.end - a.sentence_start
        s = a.sentence
        # Without colour the answer is bracketed so it still stands out in plain text.
        before, span, after = (printable(" ".join(x.split())) for x in (s[:i], s[i:j], s[j:]))
        before, after = before + (" " if s[:i][-1:].isspace() else ""), (" " if s[j:][:1].isspace() else "") + after
        highlighted = f"{before}{mark}{span}{reset}{after}" if color else f"{before}[{span}]{after}"
        lines.append(f"   {dim}“{reset}{highlighted.strip()}{dim}”{reset}")
    return "\n".join(lines)


def citation(a: Answer) -> str:
    """'report.pdf, page 4, § Results, characters 8133-8148' (a text file: its line instead of a page)."""
    where = [printable(a.doc_id)]
    where.append(f"page {a.page}" if a.page is not None else f"line {a.line}")
    if a.section:
        where.append(f"§ {printable(a.section)}")
    where.append(f"characters {a.start}-{a.end}")
    return ", ".join(where)


def render_answers(answers: list[Answer], color: bool = False) -> str:
    if len(answers) == 1:
        return render_answer(answers[0], color)
    return "\n".join(render_answer(a, color, number=i) for i, a in enumerate(answers, start=1))
