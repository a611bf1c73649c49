"""Extractive question answering over a folder of text files, with exact citations.

    >>> from qa import answer
    >>> a = answer("When was Trotsky assassinated?")
    >>> a.text, a.doc_id, a.start, a.end

Names are imported lazily so that ``import qa`` (and the CLI's start-up) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["QA", "answer", "Answer", "Passage", "Chunk", "Document", "QAError", "Reader", "DocumentLookup",
           "Retriever", "Method", "Span"]

_LAZY = {
    "QA": "qa.pipeline",
    "answer": "qa.pipeline",
    "Answer": "qa.types",
    "Passage": "qa.types",
    "Chunk": "qa.types",
    "Document": "qa.types",
    "QAError": "qa.errors",
    "Reader": "qa.reader.base",
    "DocumentLookup": "qa.reader.base",
    "Retriever": "qa.retrieve.base",
    "Method": "qa.types",
    "Span": "qa.types",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
