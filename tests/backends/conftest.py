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
from pathlib import Path

import pytest

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


def listening_addresses(pid: int) -> list[str]:
    """``ip:port`` of every TCP socket process ``pid`` listens on (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                ip_hex, port_hex = cols[1].split(":")
                found.append(f"{_ip(ip_hex)}:{int(port_hex, 16)}")
    return found


def _ip(hex_ip: str) -> str:
    raw = bytes.fromhex(hex_ip)
    # /proc prints addresses as 32-bit little-endian words.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    if len(words) == 4:
        return socket.inet_ntop(socket.AF_INET, words)
    return socket.inet_ntop(socket.AF_INET6, words)


LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


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
