"""Embedding chunks on a Ray cluster (Ray Data ``map_batches`` over model-holding actors).

One local cluster on 127.0.0.1 for the module (Ray starts slowly on 2 cores); the vectors must
equal the single-process ones, and an index built with ``ray="local"`` must be the same index.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from support import write_corpus

if importlib.util.find_spec("ray") is None:  # not imported here: qa.index.ray_embedding sets it up first
    pytest.skip("the Ray extra is not installed", allow_module_level=True)

# A worker runs the model on one thread, the driver on all cores: the sums of a bf16 forward pass
# come in another order, and a vector moves by up to ~1e-5 in cosine (CI's AMX machine saw
# 0.99998990). Two different chunks of the bundled corpus have cosine 0.86 at most.
SAME_VECTOR = 1 - 1e-4


@pytest.fixture(scope="module")
def ray_cluster():
    from qa.index.ray_embedding import connect

    connect("local")  # before Ray is imported: one CPU per core, no dashboard, on 127.0.0.1 only
    import ray

    try:
        yield ray
    finally:
        ray.shutdown()


def test_ray_embeddings_equal_single_process_ones(ray_cluster, bundled_qa):
    from qa.embedding import embed_passages
    from qa.index.ray_embedding import embed_passages_ray

    index = bundled_qa.index
    doc = index.documents[0].text
    texts = [index.chunk(i).text for i in range(len(index))] + [doc[s:e] for _, s, e in index.sentences[:30]]
    expected = embed_passages(texts)
    got = embed_passages_ray(texts, batch_size=8)  # several batches, over both workers
    assert got.shape == expected.shape == (len(texts), 384)
    cosine = (got * expected).sum(axis=1)
    assert np.all(cosine >= SAME_VECTOR), cosine.min()
    # Same rows, same order: each vector is nearest to its own text's, not a neighbour's.
    unique = np.unique(texts, return_index=True)[1]
    nearest = (got[unique] @ expected[unique].T).argmax(axis=1)
    assert np.array_equal(nearest, np.arange(len(unique)))
    assert embed_passages_ray([]).shape == (0, 384)


def test_ray_processes_listen_on_localhost_only(ray_cluster):
    import psutil  # Ray ships it

    from support import LOOPBACK, listening_addresses

    listening = []
    for proc in psutil.Process().children(recursive=True):
        try:
            listening += listening_addresses(proc.pid)
        except OSError:
            continue  # a worker that just ended
    assert listening, "no Ray process found"
    assert all(a.rsplit(":", 1)[0] in LOOPBACK for a in listening), listening


DOCS = {
    "volcanoes.txt": "Mount Etna is an active volcano on the east coast of Sicily. It erupted in 2021.\n",
    "rivers.txt": "The Danube flows through ten countries. It ends in the Black Sea, in Romania.\n",
}


def test_index_built_with_ray_is_the_same_index_and_feeds_milvus(ray_cluster, milvus_server, tmp_path):
    from qa.pipeline import QA

    corpus = write_corpus(tmp_path / "corpus", DOCS)
    single = QA(corpus=corpus, index_dir=tmp_path / "single", progress=False).index
    qa = QA(corpus=corpus, index_dir=tmp_path / "ray", ray="local", backend="milvus", uri=milvus_server,
            progress=False)
    parallel = qa.index
    assert np.array_equal(parallel.chunks, single.chunks)
    cosine = (np.asarray(parallel.dense.embeddings) * np.asarray(single.dense.embeddings)).sum(axis=1)
    assert np.all(cosine >= SAME_VECTOR), cosine.min()
    best = qa.ask("Where does the Danube end?")[0]
    assert qa.collection is not None and DOCS[best.doc_id][best.start : best.end] == best.text


class _FlakyRay:
    """Stands in for the ``ray`` module: ``init`` fails ``failures`` times the way Ray 2.60 does."""

    def __init__(self, failures: int) -> None:
        self.failures, self.inits, self.shutdowns, self.up = failures, 0, 0, False

    def is_initialized(self) -> bool:
        return self.up

    def init(self, **kwargs) -> None:
        self.inits += 1
        assert kwargs["_node_ip_address"] == "127.0.0.1" and kwargs["include_dashboard"] is False
        if self.inits <= self.failures:
            raise Exception("The current node timed out during startup.")  # what ray.init raised in CI
        self.up = True

    def shutdown(self) -> None:
        self.shutdowns += 1
        self.up = False


def test_local_cluster_start_is_tried_again_once(monkeypatch):
    from qa.index import ray_embedding as parallel_embedding

    fake = _FlakyRay(failures=1)
    monkeypatch.setitem(sys.modules, "ray", fake)
    parallel_embedding.connect("local")
    assert fake.inits == 2 and fake.up


def test_local_cluster_that_never_starts_is_one_clear_error(monkeypatch):
    from qa.index import ray_embedding as parallel_embedding
    from qa.errors import QAError

    fake = _FlakyRay(failures=5)
    monkeypatch.setitem(sys.modules, "ray", fake)
    with pytest.raises(QAError, match="a local Ray cluster could not start: The current node timed out"):
        parallel_embedding.connect("local")
    assert fake.inits == parallel_embedding.LOCAL_START_ATTEMPTS
