"""Paths and helpers shared by the tests (imported as ``support``; conftest names can clash)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BENCHMARKS = SHARED / "benchmarks"
BUNDLED_CORPUS = REPO / "corpus"


def run_qa(*args, stdin=None, index_dir=None):
    """``python -m qa ARGS`` in a subprocess; ``index_dir`` is added to the commands that take it."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "qa", *args]
    if index_dir is not None and args and args[0] in ("ask", "prompt", "index", "show"):
        cmd += ["--index-dir", str(index_dir)]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=300, cwd=REPO)


def write_corpus(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``folder``."""
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


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


#: Addresses a server that a test starts may listen on.
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
