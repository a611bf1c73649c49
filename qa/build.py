"""Index-time work: sentences, entities and chunks with spaCy, passage embeddings with torch.

Imported only while building an index; the query path never loads spaCy or torch.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from qa.annotate import SPACY_MODEL, annotate
from qa.chunking import ChunkSettings, chunk_document
from qa.embedding import embed_passages
from qa.text import analyze
from qa.types import Document


@dataclass
class ChunkTables:
    chunks: np.ndarray
    chunk_texts: list[str]
    chunk_terms: list[list[str]]
    sentences: np.ndarray
    spans: np.ndarray
    span_labels: list[str]
    spacy_model: str


def _progress_bar(total: int, desc: str, unit: str, show: bool | None):
    from tqdm import tqdm

    # disable=None turns the bar off when stderr is not a terminal (CI, pipes).
    return tqdm(total=total, desc=desc, unit=unit, disable=None if show is None else not show,
                file=sys.stderr, dynamic_ncols=True)


def annotate_and_chunk(documents: list[Document], settings: ChunkSettings, progress: bool | None) -> ChunkTables:
    """Run spaCy over every document and cut it into chunks."""
    chunk_rows, texts, sent_rows, span_rows = [], [], [], []
    labels: dict[str, int] = {}
    with _progress_bar(sum(len(d.text) for d in documents), "reading", "char", progress) as bar:
        for d_idx, (doc, ann) in enumerate(zip(documents, annotate(documents))):
            sent_rows.extend((d_idx, s, e) for s, e in ann.sentences)
            span_rows.extend((d_idx, s, e, labels.setdefault(label, len(labels))) for s, e, label in ann.spans)
            for chunk in chunk_document(doc, ann.sentences, settings, first_index=len(texts)):
                chunk_rows.append((d_idx, chunk.start, chunk.end))
                texts.append(chunk.text)
            bar.update(len(doc.text))
    from qa.annotate import load_spacy

    nlp = load_spacy()
    return ChunkTables(
        chunks=np.array(chunk_rows, dtype=np.int64).reshape(-1, 3),
        chunk_texts=texts,
        chunk_terms=[analyze(t) for t in texts],
        sentences=np.array(sorted(sent_rows), dtype=np.int64).reshape(-1, 3),
        spans=np.array(sorted(span_rows), dtype=np.int64).reshape(-1, 4),
        span_labels=list(labels),
        spacy_model=f"{SPACY_MODEL}=={nlp.meta.get('version', '?')}",
    )


def embed_chunks(texts: list[str], progress: bool | None) -> np.ndarray:
    with _progress_bar(len(texts), "embedding", "chunk", progress) as bar:
        return embed_passages(texts, on_batch=bar.update)
