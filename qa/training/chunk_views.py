"""Chunk views: a question read in its article's index chunks, as document and corpus modes read it.

At query time the reader does not read SQuAD paragraphs but index chunks (``qa.ingest.chunking``):
runs of whole sentences of up to 200 word pieces, packed across paragraph breaks, so most chunks
join the end of one paragraph to the start of the next. Trained on whole paragraphs only, the
reader never saw a context that starts mid-topic or holds two topics, nor had to reject a chunk
of the right article that lacks the answer.

A chunk view of an answerable question adds two rows: the question against a chunk holding its
answer (offsets moved into the chunk), and against the chunk of the same article that BM25 ranks
first among those holding none of its answers (unanswerable). The article is the question's
paragraphs, in order, joined as ``qa bench`` joins them; sentences come from spaCy's statistical
sentence splitter (``senter``), several times faster than the parser the index uses, with the
same boundaries in 141 of 148 dev paragraphs (measured on the dev file's first three articles).
"""

from __future__ import annotations

import random
from functools import lru_cache

from qa.bench.corpora import PARAGRAPH_SEPARATOR
from qa.ingest.analyzer import strip_space
from qa.ingest.annotate import SPACY_MODEL, blocks, processes_for
from qa.ingest.chunking import ChunkSettings, chunk_document
from qa.training.data import Row
from qa.training.distractors import AnswerlessRanker, questions_by_article
from qa.types import Document


@lru_cache(maxsize=1)
def _sentence_splitter():
    import spacy

    nlp = spacy.load(SPACY_MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "ner"])
    nlp.enable_pipe("senter")
    return nlp


def sentence_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """``(start, end)`` of each sentence of each text; a sentence never crosses a blank line."""
    pieces = [(i, offset, block) for i, text in enumerate(texts) for offset, block in blocks(text)]
    out: list[list[tuple[int, int]]] = [[] for _ in texts]
    n_process = processes_for(sum(len(b) for _, _, b in pieces))
    docs = _sentence_splitter().pipe([b for _, _, b in pieces], batch_size=64, n_process=n_process)
    for (i, offset, _), doc in zip(pieces, docs):
        for sent in doc.sents:
            s, e = strip_space(texts[i], offset + sent.start_char, offset + sent.end_char)
            if e > s:
                out[i].append((s, e))
    return out


def chunk_view_rows(rows: list[Row], share: float, rng: random.Random,
                    settings: ChunkSettings = ChunkSettings()) -> list[Row]:
    """Chunk-view rows for a ``share`` of the answerable ``rows`` (drawn with ``rng``).

    Paragraphs of an article are those of ``rows`` with its title, in first-seen order. A question
    gets no answerable row when no chunk other than its own paragraph holds its whole first answer,
    and no distractor when every other chunk holds one of its answers or shares no term with it.
    """
    paragraphs, by_title = questions_by_article(rows, share, rng)
    titles = list(by_title)
    articles, places = [], []  # article text; paragraph text -> its offset in the article
    for title in titles:
        texts = paragraphs[title]
        offsets, pos = {}, 0
        for t in texts:
            offsets[t] = pos
            pos += len(t) + len(PARAGRAPH_SEPARATOR)
        articles.append(PARAGRAPH_SEPARATOR.join(texts))
        places.append(offsets)
    out = []
    for title, text, offsets, sentences in zip(titles, articles, places, sentence_spans(articles)):
        chunks = chunk_document(Document(title, text), sentences, settings)
        if len(chunks) < 2:
            continue
        ranker = AnswerlessRanker([c.text for c in chunks])
        for r in by_title[title]:
            start = offsets[r.context] + r.starts[0]
            end = start + len(r.answers[0])
            # A chunk that is exactly the question's paragraph adds nothing the paragraph row lacks.
            holding = [c for c in chunks if c.start <= start and end <= c.end and c.text != r.context]
            if holding:
                c = holding[rng.randrange(len(holding))]
                kept = [(a, offsets[r.context] + s - c.start) for a, s in zip(r.answers, r.starts)
                        if c.start <= offsets[r.context] + s and offsets[r.context] + s + len(a) <= c.end]
                out.append(Row(f"{r.id}-chunk", title, r.question, c.text, [a for a, _ in kept],
                               [s for _, s in kept], source="chunk-view"))
            k = ranker.best(r.question, r.answers)
            if k is not None:
                out.append(Row(f"{r.id}-chunk-distractor", title, r.question, chunks[k].text, source="chunk-view"))
    return out
