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
    chunker = StreamingChunker(doc.text, settings)
    spans = chunker.feed(sentences) + chunker.finish()
    return [Chunk(first_index + i, doc.id, s, e, doc.text[s:e]) for i, (s, e) in enumerate(spans)]


class StreamingChunker:
    """The same greedy packing, fed a document's sentences a piece at a time.

    A big file is annotated and embedded in bounded pieces; each ``feed`` returns the chunks that
    later sentences can no longer change, and keeps the rest (a chunk still filling, plus its
    overlap) for the next piece. Fed in any number of pieces, it cuts exactly the chunks
    ``chunk_document`` cuts from all sentences at once.
    """

    def __init__(self, text: str, settings: ChunkSettings) -> None:
        self.text, self.settings = text, settings
        self._units: list[tuple[int, int, int]] = []

    def feed(self, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """``(start, end)`` of every chunk completed by these sentences."""
        if sentences:
            self._units.extend(_units(self.text, sentences, self.settings.max_tokens))
        return self._pack(final=False)

    def finish(self) -> list[tuple[int, int]]:
        """The remaining chunks, once the document has no more sentences."""
        return self._pack(final=True)

    def _pack(self, final: bool) -> list[tuple[int, int]]:
        units, limit = self._units, self.settings.max_tokens
        chunks: list[tuple[int, int]] = []
        i = 0
        while i < len(units):
            j, total = i, 0
            while j < len(units) and total + units[j][2] <= limit:
                total += units[j][2]
                j += 1
            if j >= len(units) and not final:
                break  # more sentences may still fit in this chunk
            j = max(j, i + 1)  # a unit always fits alone (long ones were cut above)
            chunks.append((units[i][0], units[j - 1][1]))
            if j >= len(units):
                i = len(units)
                break
            i = max(i + 1, j - self.settings.overlap_sentences)
        self._units = units[i:]
        return chunks
