"""Normalized tokens for lexical matching, the same for passages and questions.

Lower case, word characters only, Lucene's English stop words removed, Snowball (Porter2) stems.
This is the analyzer Pyserini's BM25 baselines use, which keeps our BM25 figures comparable to
published ones. It needs no spaCy, so the query path stays light.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# Lucene EnglishAnalyzer's default stop set (also bm25s' STOPWORDS_EN); copied to keep bm25s'
# import off the query path.
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> "Stemmer.Stemmer":
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stop words kept (for question analysis and overlap)."""
    return _WORD.findall(text.lower())


def analyze(text: str) -> list[str]:
    """The BM25 terms of ``text``: lower-cased, stop words dropped, stemmed."""
    return _stemmer().stemWords([w for w in words(text) if w not in STOP_WORDS])


def strip_space(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
