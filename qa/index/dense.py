"""Dense search over unit-length passage embeddings.

Exact search scores memory-mapped embeddings in blocks, so memory stays bounded at any size.
From ``ANN_MIN_PASSAGES`` passages on, an HNSW graph (faiss) is built as well and used by default;
exact search stays available (``exact=True``) and is what the ANN is checked against.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.config import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M
from qa.index.lexical import top_k

#: Rows scored per block: 65,536 x 384 float32 is 96 MB of embeddings read at a time.
BLOCK_ROWS = 65_536
#: Below this many passages exact search is fast enough (about 50 ms at 200k on 2 cores).
ANN_MIN_PASSAGES = 200_000
#: HNSW settings (see ``qa.config``): M links per node, efConstruction while building, efSearch while searching.
HNSW = {"M": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION, "ef_search": HNSW_EF_SEARCH}


class DenseIndex:
    """Embeddings stored as one ``.npy`` file, memory-mapped on load, with an optional HNSW graph."""

    FILE = "embeddings.npy"
    ANN_FILE = "embeddings.hnsw.faiss"

    def __init__(self, embeddings: np.ndarray, ann=None) -> None:
        self.embeddings = embeddings
        self.ann = ann

    def __len__(self) -> int:
        return len(self.embeddings)

    def search(
        self, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None, exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` passages by cosine similarity: (indices, scores), best first.

        Args:
            query_vector: unit-length question embedding.
            k: passages to return.
            allowed: sorted passage indices to restrict the search to (always exact).
            exact: score every passage even when an approximate graph exists.
        """
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        if allowed is not None:
            idx, val = top_k(np.asarray(self.embeddings[allowed]) @ q, k)
            return allowed[idx], val
        if self.ann is not None and not exact:
            return self._search_ann(q, k)
        return exact_search(self.embeddings, q, k)

    def _search_ann(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        self.ann.hnsw.efSearch = max(HNSW["ef_search"], k)
        val, idx = self.ann.search(q[None, :], k)
        keep = idx[0] >= 0
        return idx[0][keep].astype(np.int64), val[0][keep]

    @classmethod
    def load(cls, folder: Path, n_passages: int, dim: int) -> "DenseIndex":
        emb = np.load(folder / cls.FILE, allow_pickle=False, mmap_mode="r")
        if emb.shape != (n_passages, dim) or emb.dtype != np.float32:
            raise ValueError(f"embeddings have shape {emb.shape}, expected ({n_passages}, {dim})")
        ann = None
        if (folder / cls.ANN_FILE).exists():
            import faiss  # faiss's own binary format: reading it runs no code

            ann = faiss.read_index(str(folder / cls.ANN_FILE))
            if ann.ntotal != n_passages or ann.d != dim:
                raise ValueError("the approximate index does not match the embeddings")
        return cls(emb, ann)


def exact_search(embeddings: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top ``k`` by inner product, reading ``BLOCK_ROWS`` rows at a time."""
    best_idx = np.zeros(0, dtype=np.int64)
    best_val = np.zeros(0, dtype=np.float32)
    for lo in range(0, len(embeddings), BLOCK_ROWS):
        idx, val = top_k(np.asarray(embeddings[lo : lo + BLOCK_ROWS]) @ q, k)
        best_idx = np.concatenate([best_idx, idx + lo])
        best_val = np.concatenate([best_val, val])
    order, _ = top_k(best_val, k)
    return best_idx[order], best_val[order]


def build_hnsw(embeddings: np.ndarray, path: Path, m: int = HNSW["M"], ef_construction: int = HNSW["ef_construction"]):
    """Build an inner-product HNSW graph over ``embeddings`` block by block and write it to ``path``."""
    import faiss

    index = faiss.IndexHNSWFlat(embeddings.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    for lo in range(0, len(embeddings), BLOCK_ROWS):
        index.add(np.ascontiguousarray(embeddings[lo : lo + BLOCK_ROWS], dtype=np.float32))
    faiss.write_index(index, str(path))
    return index
