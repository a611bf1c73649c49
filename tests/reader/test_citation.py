"""Turning a span into a cited Answer: exact text, the sentence around it, page, section, line."""

from __future__ import annotations

from qa.reader.citation import cite, enclosing_sentence, keep_best, ranked_or_abstain, sentence_table
from qa.types import Answer, Chunk, Document, Passage

TEXT = "Title\n\nFirst sentence here. Ada Brennan opened it in 1932. Last one.\n"
S1, S2, S3 = (TEXT.index(s) for s in ("First", "Ada", "Last"))
SENTENCES = sentence_table([(S1, S2 - 1), (S2, S3 - 1), (S3, len(TEXT) - 1)])
DOC = Document("a.pdf", TEXT, pages=(0, S2), sections=((S1, "Intro"),))
PASSAGE = Passage(Chunk(0, "a.pdf", S1, len(TEXT) - 1, TEXT[S1:len(TEXT) - 1]), score=1.0)


def test_the_answer_is_cited_exactly_with_its_sentence_page_section_and_line():
    start = TEXT.index("1932")
    a = cite(DOC, SENTENCES, PASSAGE, start, start + 4, 0.8)
    assert a.text == "1932" == TEXT[a.start:a.end]
    assert a.sentence == "Ada Brennan opened it in 1932." and a.sentence_start == S2
    assert (a.page, a.section, a.line, a.score) == (2, "Intro", 3, 0.8)


def test_a_span_across_sentences_gets_both_and_one_outside_the_passage_none():
    a = cite(DOC, SENTENCES, PASSAGE, TEXT.index("here"), TEXT.index("opened"), 2.0)
    assert a.sentence == "First sentence here. Ada Brennan" + TEXT[TEXT.index(" opened"):S3 - 1]
    assert a.score == 1.0  # clipped into [0, 1]
    assert cite(DOC, SENTENCES, PASSAGE, 0, 5, 0.9) is None  # "Title" lies before the passage
    assert cite(DOC, SENTENCES, PASSAGE, S2, S2, 0.9) is None  # empty


def test_without_sentences_the_chunk_is_the_context():
    assert enclosing_sentence(sentence_table([]), 10, 50, 20, 25) == (10, 50)


def test_one_answer_per_text_and_abstention_below_the_threshold():
    best: dict[str, Answer] = {}
    for start, score in ((TEXT.index("Ada"), 0.4), (TEXT.index("Ada"), 0.7)):
        keep_best(best, cite(DOC, SENTENCES, PASSAGE, start, start + 11, score))
    keep_best(best, None)
    assert list(best) == ["ada brennan"] and best["ada brennan"].score == 0.7
    assert ranked_or_abstain(best, 0.5, 3, [PASSAGE])[0].text == "Ada Brennan"
    refused = ranked_or_abstain(best, 0.9, 3, [PASSAGE])
    assert len(refused) == 1 and not refused[0].is_answer and abs(refused[0].score - 0.3) < 1e-9
