"""The one place for defaults, paths and environment variables.

Every module that needs one of these reads it from here, so a default changes in one line.
Importing this module is cheap (standard library only).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository (or installed source tree) root: ``qa/`` and ``corpus/`` live under it.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: The article the README's first command asks about.
BUNDLED_CORPUS = REPO_ROOT / "corpus"

#: Passages the reader reads per question (``--passages``, ``QA.ask(passages=...)``).
PASSAGES = 5
#: Answers returned per question (``--top-k``).
TOP_K = 1
#: Passages each ranked list (BM25, dense) contributes before fusion.
FUSION_DEPTH = 50
#: Longest question accepted, in characters.
MAX_QUESTION_CHARS = 2000

#: How the hybrid retriever fuses BM25 and dense lists.
FUSIONS = ("rrf", "weighted")

#: HNSW graph settings, for the local faiss index and the Milvus collection alike: M links per
#: node, efConstruction while building, efSearch (at least) while searching.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256

# Environment variables.
INDEX_ROOT_ENV = "QA_INDEX_ROOT"        # where indexes are kept (default: indexes/ in the repository)
MILVUS_TOKEN_ENV = "QA_MILVUS_TOKEN"    # Milvus credentials; kept out of command lines
HISTORY_ENV = "QA_HISTORY"              # the prompt's history file
EMBED_PRECISION_ENV = "QA_EMBED_PRECISION"  # passage embeddings: fp32, bf16, onnx or auto (bf16 where native, else onnx)
SPACY_PROCESSES_ENV = "QA_SPACY_PROCESSES"  # spaCy processes while building (default: one per core, up to 4)
READER_DIR_ENV = "QA_READER_DIR"          # the neural reader to use: a folder train_reader.py --out wrote (default: the shipped one)
INT8_WEIGHTS_ENV = "QA_INT8_WEIGHTS"      # the reader's int8 products: auto (unsigned where the signed kernel saturates), signed, unsigned


def index_root() -> Path:
    """Folder that holds one index folder per corpus (``$QA_INDEX_ROOT``, else ``indexes/``)."""
    return Path(os.environ.get(INDEX_ROOT_ENV, REPO_ROOT / "indexes"))


def reader_dir() -> Path | None:
    """The neural reader's folder from ``$QA_READER_DIR``; None: the reader shipped in ``qa/reader/weights``."""
    chosen = os.environ.get(READER_DIR_ENV, "")
    return Path(chosen) if chosen else None


def int8_weights_choice() -> str:
    """``$QA_INT8_WEIGHTS``: ``auto`` (default), ``signed`` or ``unsigned`` (``qa.reader.int8_kernels``).

    Raises:
        QAError: any other value.
    """
    choice = os.environ.get(INT8_WEIGHTS_ENV, "").strip().lower() or "auto"
    if choice not in ("auto", "signed", "unsigned"):
        from qa.errors import QAError

        raise QAError(f"${INT8_WEIGHTS_ENV} must be auto, signed or unsigned, not {choice!r}")
    return choice


def history_file() -> Path:
    """The prompt's arrow-key history (``$QA_HISTORY``, else ``~/.qa_history``)."""
    return Path(os.environ.get(HISTORY_ENV, Path.home() / ".qa_history"))


def milvus_token() -> str:
    """Milvus credentials (``user:password`` or an API key) from ``$QA_MILVUS_TOKEN``, or none."""
    return os.environ.get(MILVUS_TOKEN_ENV, "")
