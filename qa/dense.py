"""Exact inner-product search over unit-length passage embeddings, in blocks of bounded memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.lexical import top_k

#: Rows scored per block: 65,536 x 384 float32 is 96 MB of embeddings read at a time.
BLOCK_ROWS = 65_536


class DenseIndex:
    """Embeddings stored as one ``.npy`` file, memory-mapped on load."""

    FILE = "embeddings.npy"

    def __init__(self, embeddings: np.ndarray) -> None:
        self.embeddings = embeddings

    def __len__(self) -> int:
        return len(self.embeddings)

    def search(self, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` passages by cosine similarity: (indices, scores), best first.

        ``allowed`` (sorted passage indices) restricts the search to those passages.
        """
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        if allowed is not None:
            idx, val = top_k(np.asarray(self.embeddings[allowed]) @ q, k)
            return allowed[idx], val
        best_idx = np.zeros(0, dtype=np.int64)
        best_val = np.zeros(0, dtype=np.float32)
        for lo in range(0, len(self.embeddings), BLOCK_ROWS):
            block = np.asarray(self.embeddings[lo : lo + BLOCK_ROWS]) @ q
            idx, val = top_k(block, k)
            best_idx = np.concatenate([best_idx, idx + lo])
            best_val = np.concatenate([best_val, val])
        order, _ = top_k(best_val, k)
        return best_idx[order], best_val[order]

    def save(self, folder: Path) -> None:
        np.save(folder / self.FILE, np.ascontiguousarray(self.embeddings, dtype=np.float32))

    @classmethod
    def load(cls, folder: Path, n_passages: int, dim: int) -> "DenseIndex":
        emb = np.load(folder / cls.FILE, allow_pickle=False, mmap_mode="r")
        if emb.shape != (n_passages, dim) or emb.dtype != np.float32:
            raise ValueError(f"embeddings have shape {emb.shape}, expected ({n_passages}, {dim})")
        return cls(emb)
