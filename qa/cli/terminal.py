"""Text bound for a terminal: file names and passages may hold escape sequences or newlines that
would recolour, move or split what the user reads; they are shown as visible escapes instead."""

from __future__ import annotations


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every non-printable character (ESC, NUL, a newline unless kept) as ``\\x1b``-style escapes."""
    return "".join(c if c.isprintable() or (keep_newlines and c == "\n") else repr(c)[1:-1] for c in text)
