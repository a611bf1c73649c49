"""Milvus Lite, as a file and as a gRPC server on 127.0.0.1, and a local Ray cluster.

The backend tests run against the real engine: Milvus Lite 2.5.1 is Milvus's own C++ engine
(BM25 function, english analyzer, hybrid search with RRF). The server fixture starts it on a free
port of 127.0.0.1 and stops it after the module; the Ray fixture starts a cluster on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest

from support import LOOPBACK, listening_addresses

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Milvus Lite server exited with code {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Milvus Lite server did not listen on 127.0.0.1:{port} within {seconds} s")


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """``http://127.0.0.1:PORT`` of a Milvus Lite gRPC server on its own file; stopped after the session."""
    from milvus_lite.server import Server

    os.environ.setdefault("RUST_LOG", "error")
    port = _free_port()
    server = Server(str(tmp_path_factory.mktemp("milvus-server") / "server.db"), address=f"127.0.0.1:{port}")
    assert server.init() and server.start(), "Milvus Lite server did not start"
    try:
        _wait_for_port(port, server._p)
        addresses = listening_addresses(server._p.pid)
        assert addresses and all(a.rsplit(":", 1)[0] in LOOPBACK for a in addresses), addresses
        yield f"http://127.0.0.1:{port}"
    finally:
        if server._p is not None and server._p.poll() is None:
            server._p.send_signal(signal.SIGTERM)
        server.stop()  # waits, then kills it if SIGTERM was not enough


@pytest.fixture(scope="session")
def milvus_file(tmp_path_factory) -> str:
    """A Milvus Lite database file (Milvus Lite starts on it in this process when first opened)."""
    return str(tmp_path_factory.mktemp("milvus-file") / "lite.db")


@pytest.fixture(scope="session", params=["lite-file", "grpc-server"])
def milvus_uri(request) -> str:
    """Each backend test runs on a Milvus Lite file and on the gRPC server."""
    return request.getfixturevalue("milvus_file" if request.param == "lite-file" else "milvus_server")
