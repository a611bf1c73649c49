"""Chunks: runs of whole consecutive sentences, sized in the embedder's own word pieces.

MiniLM reads at most 256 word pieces and silently drops the rest, so a chunk is measured with the
model's tokenizer, not in characters or words. A sentence too long for any chunk on its own is cut
at word-piece boundaries so nothing is ever truncated away.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.ingest.analyzer import strip_space
from qa.tokenizer import word_piece_tokenizer
from qa.types import Chunk, Document


@dataclass(frozen=True)
class ChunkSettings:
    """How chunks are cut; stored in the index manifest, so changing it makes the index stale."""

    max_tokens: int = 200          # word pieces per chunk, under MiniLM's 256 with [CLS]/[SEP] to spare
    overlap_sentences: int = 1     # sentences shared by consecutive chunks, so no answer sits on a seam

    def to_dict(self) -> dict:
        return {"max_tokens": self.max_tokens, "overlap_sentences": self.overlap_sentences}


def _units(text: str, sentences: list[tuple[int, int]], max_tokens: int) -> list[tuple[int, int, int]]:
    """``(start, end, n_tokens)`` per sentence, long sentences cut into pieces that fit."""
    tok = word_piece_tokenizer()
    encs = tok.encode_batch([text[s:e] for s, e in sentences], add_special_tokens=False)
    units = []
    for (s, e), enc in zip(sentences, encs):
        n = len(enc.ids)
        if n <= max_tokens:
            units.append((s, e, n))
            continue
        # Cut between word pieces; offsets are relative to the sentence.
        offsets = enc.offsets
        i = 0
        while i < n:
            j = min(i + max_tokens, n)
            piece_start = s + offsets[i][0]
            piece_end = s + offsets[j - 1][1] if j == n else s + offsets[j][0]
            piece_start, piece_end = strip_space(text, piece_start, piece_end)
            if piece_end > piece_start:
                units.append((piece_start, piece_end, j - i))
            i = j
    return units




def chunk_document(
    doc: Document, sentences: list[tuple[int, int]], settings: ChunkSettings, first_index: int = 0
) -> list[Chunk]:
    """Greedy packing of whole sentences into chunks of at most ``settings.max_tokens`` pieces.

    Args:
        doc: the document the sentence offsets point into.
        sentences: ``(start, end)`` of each sentence, in order.
        settings: chunk size and overlap.
        first_index: index of the first chunk in the whole corpus.

    Returns:
        Chunks with ``doc.text[chunk.start:chunk.end] == chunk.text``.
    """
    units = _units(doc.text, sentences, settings.max_tokens) if sentences else []
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and total + units[j][2] <= settings.max_tokens:
            total += units[j][2]
            j += 1
        j = max(j, i + 1)  # a unit always fits alone (long ones were cut above)
        start, end = units[i][0], units[j - 1][1]
        chunks.append(Chunk(first_index + len(chunks), doc.id, start, end, doc.text[start:end]))
        if j >= len(units):
            break
        i = max(i + 1, j - settings.overlap_sentences)
    return chunks
