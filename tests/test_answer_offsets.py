"""Property: whatever the text, every answer's citation slices its document to the answer's words."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.pipeline import QA

_names = st.sampled_from(["Stalin", "Trotsky", "Molotov", "Kamenev", "Zinov'yev", "Ramón Mercader", "Łukasz"])
_places = st.sampled_from(["Mexico City", "Moscow", "Kraków", "New York", "Siberia"])
_years = st.integers(min_value=1850, max_value=1999).map(str)
_sentence = st.tuples(_names, st.sampled_from(["went to", "fled to", "ruled", "wrote about"]), _places,
                      st.sampled_from(["in", "after", "before"]), _years,
                      st.sampled_from([".", "!", "?", "…", "."])).map(lambda t: " ".join(t[:-1]) + t[-1])
_separator = st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n", "\t", " — "])
_document = st.lists(st.tuples(_sentence, _separator), min_size=1, max_size=12).map(
    lambda parts: "".join(s + sep for s, sep in parts)
)
_question = st.tuples(st.sampled_from(["Who", "When did", "Where did", "What did"]), _names, _places).map(
    lambda t: f"{t[0]} {t[1]} go to {t[2]}?"
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_document, min_size=1, max_size=3), st.lists(_question, min_size=1, max_size=3))
def test_property_answer_offsets_slice_the_document(documents, questions):
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for i, text in enumerate(documents):
            # Bytes, not text mode: "\r\n" must reach the corpus unchanged.
            (corpus / f"doc{i}.txt").write_bytes(("\ufeff" if i == 1 else "").encode() + text.encode("utf-8"))
        qa = QA(corpus=corpus, index_dir=Path(tmp) / "index", progress=False)
        for question in questions:
            for a in qa.ask(question, top_k=5):
                if not a.is_answer:
                    continue
                text = qa.index.document(a.doc_id).text
                on_disk = (corpus / a.doc_id).read_bytes().decode("utf-8").removeprefix("\ufeff")
                assert text == on_disk
                assert text[a.start : a.end] == a.text and a.text.strip() == a.text
                assert text[a.sentence_start : a.sentence_start + len(a.sentence)] == a.sentence
                for p in qa.retrieve(question, k=3):
                    assert text_of(qa, p.chunk.doc_id)[p.chunk.start : p.chunk.end] == p.chunk.text


def text_of(qa, doc_id):
    return qa.index.document(doc_id).text
