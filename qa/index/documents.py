"""Document texts inside an index: one UTF-8 blob, memory-mapped, decoded one document at a time.

A JSON list of every text would have to be parsed whole on every start; the blob costs nothing
until a document is actually shown, whatever the corpus size.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.types import Document

IDS, OFFSETS, LENGTHS, BLOB = "doc_ids.json", "doc_offsets.npy", "doc_lengths.npy", "doc_texts.bin"


class DocumentStoreWriter:
    """Appends documents to a store folder; ``close()`` writes the tables."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._blob = open(folder / BLOB, "wb")
        self.ids: list[str] = []
        self._offsets = [0]
        self._lengths: list[int] = []

    def add(self, doc: Document) -> int:
        data = doc.text.encode("utf-8")
        self._blob.write(data)
        self.ids.append(doc.id)
        self._offsets.append(self._offsets[-1] + len(data))
        self._lengths.append(len(doc.text))
        return len(self.ids) - 1

    def close(self) -> None:
        self._blob.close()
        (self.folder / IDS).write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")
        np.save(self.folder / OFFSETS, np.array(self._offsets, dtype=np.int64))
        np.save(self.folder / LENGTHS, np.array(self._lengths, dtype=np.int64))


class DocumentStore:
    """A read-only sequence of Documents backed by the memory-mapped blob."""

    def __init__(self, folder: Path) -> None:
        self.ids: list[str] = json.loads((folder / IDS).read_text(encoding="utf-8"))
        if not isinstance(self.ids, list) or not all(isinstance(i, str) for i in self.ids):
            raise ValueError(f"{IDS} is not a list of document ids")
        self.offsets = np.load(folder / OFFSETS, allow_pickle=False)
        self.lengths = np.load(folder / LENGTHS, allow_pickle=False)
        size = (folder / BLOB).stat().st_size
        if len(self.offsets) != len(self.ids) + 1 or len(self.lengths) != len(self.ids):
            raise ValueError("document tables disagree on the number of documents")
        if self.offsets[0] != 0 or self.offsets[-1] != size or (np.diff(self.offsets) < 0).any():
            raise ValueError(f"document texts are truncated ({size} bytes, expected {self.offsets[-1]})")
        # np.memmap refuses empty files; an index always has at least one non-empty document.
        self._blob = np.memmap(folder / BLOB, dtype=np.uint8, mode="r")
        self._text = lru_cache(maxsize=256)(self._decode)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> Document:
        return Document(self.ids[i], self._text(i))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def _decode(self, i: int) -> str:
        text = bytes(self._blob[self.offsets[i] : self.offsets[i + 1]]).decode("utf-8")
        if len(text) != self.lengths[i]:
            raise ValueError(f"document {self.ids[i]} is damaged in the index")
        return text
