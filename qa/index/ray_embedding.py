"""Passage embeddings computed across the workers of a Ray cluster with Ray Data ``map_batches``.

The same sentence-transformers model and settings as ``qa.embedding.embed_passages``, so the
vectors equal the single-process ones (tested to 1e-5). Each worker is an actor that loads the
model once and embeds batch after batch. Imported only when an index build is given ``--ray``;
``ray`` itself is an optional extra (``pip install -e '.[ray]'``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from qa.embedding import DIM
from qa.errors import QAError

#: Characters of new text an index build hands to Ray in one go. Each hand-over starts a fresh
#: pool of actors that load the model again (a few seconds each), so groups are much larger than
#: a single-process build's (``qa.index.writer.GROUP_CHARS``), while memory stays bounded.
RAY_GROUP_CHARS = 5_000_000
LOCAL = "local"
#: Tries at starting a local cluster before giving up (see ``connect``).
LOCAL_START_ATTEMPTS = 2
_QA_PACKAGE = Path(__file__).resolve().parents[1]  # qa/, shipped to the workers whole
log = logging.getLogger(__name__)


class _PassageEmbedder:
    """A Ray Data actor: loads the model once, then embeds the batches it is given."""

    def __init__(self, precision: str) -> None:
        from qa.embedding import load_passage_encoder

        load_passage_encoder(precision)
        # The driver's precision, never the worker's own guess: the manifest records the driver's.
        self.precision = precision

    def __call__(self, batch: dict) -> dict:
        from qa.embedding import embed_passages

        texts = [str(t) for t in batch["text"]]
        return {"row": batch["row"], "vector": embed_passages(texts, precision=self.precision)}


def connect(address: str | None) -> None:
    """Join the Ray cluster at ``address``, or start a local one (``None`` or ``"local"``).

    A local cluster listens on 127.0.0.1 only and has no dashboard. The ``qa`` package travels to
    the workers of a remote cluster with the job (``py_modules``); a local one finds it on
    ``PYTHONPATH``.

    Raises:
        QAError: Ray is not installed, or the cluster cannot be reached.
    """
    if address in (None, LOCAL):
        # A one-machine cluster: Ray then takes 127.0.0.1 as the node address and its servers
        # listen there only, instead of on every interface. Read by Ray when it is imported.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError as exc:
        raise QAError("--ray needs the Ray extra: pip install -e '.[ray]'") from exc
    if ray.is_initialized():
        return
    local = address in (None, LOCAL)
    # Ray's own start-up check once gave up on a local raylet that never registered (a bare
    # ``Exception`` in a full test run on a fresh clone) and the next runs started fine, so a
    # local start gets one more try before the error.
    attempts = LOCAL_START_ATTEMPTS if local else 1
    for attempt in range(1, attempts + 1):
        try:
            _init(ray, address, local)
            return
        except Exception as exc:  # noqa: BLE001 - ray.init raises bare Exception, RuntimeError, ...
            ray.shutdown()  # also stops what a half-started local cluster left running
            if attempt == attempts:
                where = "a local Ray cluster could not start" if local else f"cannot reach the Ray cluster at {address}"
                raise QAError(f"{where}: {exc}") from exc
            log.warning("Ray did not start (%s); trying again", exc)


def _init(ray, address: str | None, local: bool) -> None:
    if local:
        pythonpath = os.pathsep.join(p for p in (str(_QA_PACKAGE.parent), os.environ.get("PYTHONPATH")) if p)
        ray.init(
            num_cpus=os.cpu_count(), include_dashboard=False, _node_ip_address="127.0.0.1",
            runtime_env={"env_vars": {"PYTHONPATH": pythonpath}}, log_to_driver=False,
            configure_logging=True, logging_level="ERROR",
        )
    else:
        ray.init(address=address, include_dashboard=False, runtime_env={"py_modules": [str(_QA_PACKAGE)]},
                 log_to_driver=False, logging_level="ERROR")


def embed_passages_ray(
    texts: Sequence[str], address: str | None = None, batch_size: int = 64, workers: int | None = None,
    precision: str | None = None,
) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts``, shape (n, 384), computed on a Ray cluster.

    Args:
        texts: passages (chunk texts).
        address: Ray cluster address (``ray://host:10001``, ``host:6379``, ``auto``), or ``None`` /
            ``"local"`` for a cluster on this machine.
        batch_size: texts per ``map_batches`` batch. On GPUs or large CPU workers, larger batches
            (256-1024) keep them busy.
        workers: embedding actors (default: one per CPU of the cluster, at most one per batch).
        precision: ``fp32``, ``bf16`` or ``onnx`` (default: this machine's ``passage_precision()``).

    Returns:
        The embeddings in the order of ``texts`` (Ray Data does not keep row order, so each row
        carries its position).
    """
    if len(texts) == 0:
        return np.zeros((0, DIM), np.float32)
    from qa.embedding import passage_precision

    precision = precision or passage_precision()
    connect(address)
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    # Ray Data logs a progress report every few seconds; an index build shows its own bar.
    DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)

    if workers is None:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        workers = max(1, min(cpus, -(-len(texts) // batch_size)))
    ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
    embedded = ds.map_batches(
        _PassageEmbedder, fn_constructor_kwargs={"precision": precision}, batch_size=batch_size,
        batch_format="numpy", compute=ActorPoolStrategy(size=workers), num_cpus=1,
    )
    out = np.empty((len(texts), DIM), dtype=np.float32)
    seen = 0
    for batch in embedded.iter_batches(batch_size=4096, batch_format="numpy"):
        out[batch["row"]] = batch["vector"]
        seen += len(batch["row"])
    if seen != len(texts):
        raise RuntimeError(f"Ray returned {seen} embeddings for {len(texts)} passages")
    return out


class RayEmbedder:
    """``embed_passages`` for an index build, on the Ray cluster at ``address``."""

    group_chars = RAY_GROUP_CHARS

    def __init__(self, address: str | None = None, batch_size: int = 64) -> None:
        self.address = address
        self.batch_size = batch_size

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return embed_passages_ray(texts, self.address, self.batch_size)
