"""The document store: texts in one blob, read back exactly, one document at a time."""

from __future__ import annotations

from qa.index.documents import DocumentStore, DocumentStoreWriter
from qa.types import Document

DOCS = [Document("a.txt", "Plain ASCII."), Document("b/ü.md", "Ünïcödé — and emoji 🦆 too."), Document("empty.txt", "")]


def test_documents_read_back_exactly_in_order(tmp_path):
    writer = DocumentStoreWriter(tmp_path)
    assert [writer.add(d) for d in DOCS] == [0, 1, 2]
    writer.close()
    store = DocumentStore(tmp_path)
    assert len(store) == 3 and store.ids == ["a.txt", "b/ü.md", "empty.txt"]
    assert [(d.id, d.text) for d in store] == [(d.id, d.text) for d in DOCS]
    assert store[1].text[store[1].text.index("🦆")] == "🦆"
    assert list(store.lengths) == [len(d.text) for d in DOCS]  # characters, not bytes
