"""One build at a time per index folder: an advisory file lock, with the holder's pid for messages.

The lock is ``fcntl``-based (``filelock``), so the kernel releases it when its holder dies: a lock
left by a killed build is simply free. Readers never take it: they follow ``CURRENT``, which a
build switches atomically.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path

from qa.errors import IndexBusyError

log = logging.getLogger("qa")

LOCK_FILE = ".qa-build.lock"
PID_FILE = ".qa-build.pid"


def holder_pid(index_dir: Path) -> str:
    try:
        return (index_dir / PID_FILE).read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"


@contextmanager
def build_lock(index_dir: Path, wait: bool = True):
    """Hold the build lock of ``index_dir`` for the duration of the block.

    Args:
        index_dir: the index folder (created when missing).
        wait: when another build holds it, wait (saying so) or raise ``IndexBusyError``.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(str(index_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        pid = holder_pid(index_dir)
        if not wait:
            raise IndexBusyError(f"another build of the index in {index_dir} is running (pid {pid}); "
                                 "try again when it ends, or leave out --no-wait to wait for it") from None
        log.warning("another build of this index is running (pid %s); waiting", pid)
        lock.acquire()
    try:
        (index_dir / PID_FILE).write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        lock.release()
