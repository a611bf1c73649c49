"""What an extractor returns: the text, the PDF page starts and the heading path of each section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SECTION_SEPARATOR = " › "


class Unreadable(Exception):
    """A file that cannot be read as its format; the message is the reason, for a warning line."""


@dataclass
class Extracted:
    """Plain text of one file and where its pages and sections start.

    Attributes:
        text: the text the index stores; every citation is an offset range into it.
        pages: start offset of each page (PDF only; ``pages[0] == 0``); empty for other formats.
        sections: ``(start offset, heading path)`` in text order; the path joins headings from the
            top level down with " › ".
    """

    text: str
    pages: list[int] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)


class TextBuilder:
    """Appends blocks of text with blank lines between them, tracking sections by heading level."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.headings: list[tuple[int, str]] = []  # (level, title) from the top down
        self.sections: list[tuple[int, str]] = []

    def block(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.size += 2
        self.parts.append(text)
        self.size += len(text)

    def heading(self, level: int, title: str) -> None:
        """A heading: it becomes a block of its own and opens a section that runs to the next one."""
        title = collapse(title)
        if not title:
            return
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        start = self.size + (2 if self.parts else 0)
        self.sections.append((start, SECTION_SEPARATOR.join(t for _, t in self.headings)))
        self.block(title)

    def result(self) -> Extracted:
        return Extracted("".join(self.parts), [], self.sections)


_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Runs of white space (HTML, Word line breaks inside a paragraph) as one space."""
    return _SPACES.sub(" ", text).strip()
