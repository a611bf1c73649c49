"""Opening a Milvus client on a URI, and turning Milvus failures into one-line errors naming it.

``pymilvus`` is imported here only: the local backend never loads it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import warnings
from pathlib import Path

from qa.errors import BackendError

#: Seconds to wait for a server before saying it cannot be reached.
CONNECT_TIMEOUT = 5.0
# pymilvus pings an idle channel every 10 s, but a gRPC server by default tolerates a ping without
# traffic only every 5 min: Milvus Lite's server answers the third with GOAWAY "too_many_pings" and
# the next client on that address then fails to connect. Ping only while a call is in flight, and
# no more often than the server's default allows.
_KEEPALIVE = {"grpc.keepalive_time_ms": 300_000, "grpc.keepalive_permit_without_calls": 0}
_LITE_NAME = re.compile(r"^[a-zA-Z0-9.\-_]{1,36}$")


def is_lite_file(uri: str) -> bool:
    """Whether ``uri`` names a Milvus Lite database file rather than a server."""
    return uri.endswith(".db")


def connect(uri: str, token: str = "", timeout: float = CONNECT_TIMEOUT):
    """A ``pymilvus.MilvusClient`` on ``uri``.

    A ``.db`` path starts Milvus Lite on that file (its folder is created when missing); anything
    else is a server address (``http://host:19530``, ``https://...``).

    Raises:
        BackendError: pymilvus (or milvus-lite, for a file) is not installed, or nothing answers.
    """
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise BackendError("--backend milvus needs the Milvus extra: pip install -e '.[milvus]'") from exc
    _quiet()  # after the import: pymilvus configures its loggers when imported
    if is_lite_file(uri):
        path = Path(uri).expanduser()
        if not _LITE_NAME.match(path.name):
            raise BackendError(f"Milvus Lite file name {path.name!r} must be at most 36 letters, digits, '.', '-' or '_'")
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path)
    try:
        with milvus_errors(uri, "cannot reach Milvus at"):
            return MilvusClient(uri=uri, token=token, timeout=timeout, grpc_options=_KEEPALIVE)
    except BackendError as exc:
        # Milvus Lite serves one process per file; its own words for a file in use are these.
        if is_lite_file(uri) and "open local milvus failed" in str(exc).lower():
            raise BackendError(
                f"the Milvus Lite file {uri} is open in another process: Milvus Lite serves one process "
                "at a time; close the other one, or share the index through a Milvus server (--uri http://...)"
            ) from exc
        raise


@contextlib.contextmanager
def milvus_errors(uri: str, doing: str = "Milvus at"):
    """Re-raise a Milvus or gRPC failure as a ``BackendError`` whose one line names ``uri``."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except BackendError:
        raise
    except MilvusException as exc:
        raise BackendError(f"{doing} {uri}: {_one_line(getattr(exc, 'message', '') or str(exc))}") from exc
    except Exception as exc:  # grpc errors have no common base class worth importing here
        if type(exc).__module__.startswith(("grpc", "pymilvus")):
            raise BackendError(f"{doing} {uri}: {_one_line(str(exc))}") from exc
        raise


def _one_line(message: str) -> str:
    message = " ".join(message.split())
    return (message[:300] + "...") if len(message) > 300 else (message or "no answer")


def _quiet() -> None:
    # pymilvus logs every failed RPC with a traceback, and Milvus Lite's text index logs at INFO
    # on stderr; our own message says what went wrong, once.
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    os.environ.setdefault("RUST_LOG", "error")
    # milvus_lite 2.5 imports pkg_resources, which warns that it is deprecated.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
