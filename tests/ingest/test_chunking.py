"""Chunks: whole sentences, exact offsets, never longer than the embedder reads."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.ingest.annotate import annotate
from qa.ingest.chunking import ChunkSettings, chunk_document
from qa.tokenizer import word_piece_tokenizer
from qa.types import Document

MODEL_LIMIT = 256


def _chunks(text: str, settings_: ChunkSettings = ChunkSettings()):
    doc = Document("d.txt", text)
    ann = next(annotate([doc]))
    return doc, ann, chunk_document(doc, ann.sentences, settings_)


def test_bundled_corpus_chunks_slice_exactly_and_fit_the_model(bundled_qa):
    index = bundled_qa.index
    tok = word_piece_tokenizer()
    for i in range(len(index)):
        chunk = index.chunk(i)
        assert index.document(chunk.doc_id).text[chunk.start : chunk.end] == chunk.text
        # +2 for [CLS] and [SEP], which the model adds.
        assert len(tok.encode(chunk.text, add_special_tokens=False).ids) + 2 <= MODEL_LIMIT


def test_consecutive_chunks_share_a_sentence_and_cover_the_text():
    text = " ".join(f"Sentence number {i} tells about the Politburo and Stalin in {1900 + i}." for i in range(60))
    doc, ann, chunks = _chunks(text, ChunkSettings(max_tokens=60, overlap_sentences=1))
    assert len(chunks) > 3
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # overlap
    assert chunks[0].start == ann.sentences[0][0] and chunks[-1].end == ann.sentences[-1][1]


def test_a_sentence_longer_than_a_chunk_is_cut_not_truncated():
    text = "word " * 700 + "end."
    doc, _, chunks = _chunks(text, ChunkSettings(max_tokens=100))
    tok = word_piece_tokenizer()
    assert len(chunks) >= 7
    assert all(len(tok.encode(c.text, add_special_tokens=False).ids) <= 100 for c in chunks)
    assert chunks[-1].text.endswith("end.")


_words = st.sampled_from(["Stalin", "ruled", "the", "Soviet", "Union", "in", "1930", ".", "Trotsky", "fled", "to",
                          "Mexico", "!", "Who", "?", "\n\n", "  ", "naïve", "café", "—", "«quoted»", "Zinov'yev"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_words, min_size=1, max_size=120).map(" ".join), st.integers(min_value=8, max_value=64))
def test_property_chunk_offsets_always_slice_the_document(text, max_tokens):
    doc, ann, chunks = _chunks(text, ChunkSettings(max_tokens=max_tokens))
    for s, e in ann.sentences:
        assert 0 <= s < e <= len(text)
    for s, e, _ in ann.spans:
        assert 0 <= s < e <= len(text)
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text



def test_chunks_fed_piece_by_piece_are_the_chunks_of_the_whole_document(bundled_qa):
    """A big file is chunked a run of paragraphs at a time; where the runs are cut must not matter."""
    from qa.ingest.chunking import StreamingChunker

    index = bundled_qa.index
    doc = index.document(index.documents.ids[0])
    sentences = [(int(s), int(e)) for d, s, e in index.sentences if d == 0]
    whole = [(c.start, c.end) for c in chunk_document(doc, sentences, ChunkSettings())]
    assert len(whole) > 10
    for cuts in ([1], [5, 6, 40], list(range(0, len(sentences), 7)), [len(sentences) - 1]):
        chunker = StreamingChunker(doc.text, ChunkSettings())
        bounds = [0, *cuts, len(sentences)]
        pieces = [chunker.feed(sentences[a:b]) for a, b in zip(bounds, bounds[1:])]
        assert [c for piece in pieces for c in piece] + chunker.finish() == whole, cuts
