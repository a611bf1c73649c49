"""One tokenizer for chunking, questions and the reader: the word pieces the models were trained on."""

from __future__ import annotations

from qa.reader.windows import load_tokenizer
from qa.tokenizer import new_tokenizer, word_piece_tokenizer


def test_the_shared_tokenizer_neither_truncates_nor_pads():
    tok = word_piece_tokenizer()
    long_text = "word " * 600
    assert len(tok.encode(long_text, add_special_tokens=False).ids) == 600
    assert tok.truncation is None and tok.padding is None


def test_the_reader_uses_the_shared_tokenizer_and_a_fresh_one_is_separate():
    assert load_tokenizer() is word_piece_tokenizer()
    fresh = new_tokenizer()
    fresh.enable_truncation(16)
    assert word_piece_tokenizer().truncation is None
    assert len(fresh.encode("word " * 100).ids) == 16


def test_word_pieces_of_a_known_sentence():
    enc = word_piece_tokenizer().encode("Trotsky was assassinated", add_special_tokens=False)
    assert "".join(t.removeprefix("##") for t in enc.tokens) == "trotskywasassassinated"
    assert [(s, e) for s, e in enc.offsets][0][0] == 0 and enc.offsets[-1][1] == len("Trotsky was assassinated")
