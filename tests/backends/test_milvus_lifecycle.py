"""A Milvus collection's life: stale when its corpus or settings change, rebuilt into a new
collection and switched atomically, so a build that dies half-way leaves the old one answering;
and an unreachable server is one clear error, exit code 2.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from support import REPO, write_corpus

from qa.backends.milvus import collection as milvus_collection
from qa.backends.milvus.collection import MilvusCollections, collection_base
from qa.backends.milvus.connection import connect
from qa.pipeline import QA

DOCS = {
    "volcanoes.txt": "Mount Etna is an active volcano on the east coast of Sicily. It erupted in 2021.\n",
    "rivers.txt": "The Danube flows through ten countries. It ends in the Black Sea, in Romania.\n",
}
QUESTION = "Where does the Danube end?"


def _collections(qa: QA) -> MilvusCollections:
    return MilvusCollections(connect(qa.backend.uri), qa.backend.uri, collection_base(qa.index_dir))


def _builds(qa: QA) -> list[str]:
    base = collection_base(qa.index_dir)
    return sorted(c for c in connect(qa.backend.uri).list_collections() if c.startswith(base + "_b"))


def test_collection_built_with_other_settings_or_corpus_is_stale(milvus_uri, tmp_path, caplog):
    corpus = write_corpus(tmp_path / "corpus", DOCS)
    opts = dict(corpus=corpus, index_dir=tmp_path / "index", backend="milvus", uri=milvus_uri, progress=False)
    first = QA(**opts, dense_index="FLAT")
    first.ensure_index()
    assert QA(**opts, dense_index="FLAT").ensure_index() and _builds(first) == [first.collection]

    caplog.clear()
    other = QA(**opts, dense_index="IVF_FLAT")  # another dense index type: the collection is stale
    other.ensure_index()
    assert "dense_index changed ('FLAT' -> 'IVF_FLAT')" in caplog.text
    assert other.collection != first.collection and _builds(other) == [other.collection]  # old one dropped
    assert _collections(other).dense_index_type(other.collection) == "IVF_FLAT"

    caplog.clear()
    (corpus / "rivers.txt").write_text(DOCS["rivers.txt"].replace("Black Sea", "Caspian Sea"))
    changed = QA(**opts, dense_index="IVF_FLAT")
    best = changed.ask(QUESTION)[0]
    assert "the corpus changed" in caplog.text and changed.collection != other.collection
    assert "Caspian Sea" in best.sentence

    # What staleness is judged by travels with the collection, in its description.
    meta = _collections(changed).metadata(changed.collection)
    assert meta["fingerprint"] == changed.index.manifest["fingerprint"] and meta["analyzer"] == "english"


def test_interrupted_build_leaves_the_old_collection_answering(milvus_uri, tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", DOCS)
    opts = dict(corpus=corpus, index_dir=tmp_path / "index", backend="milvus", uri=milvus_uri, progress=False)
    qa = QA(**opts)
    before = qa.ask(QUESTION)[0]
    live = qa.collection

    real_insert = MilvusCollections._insert

    def dies_half_way(self, name, index, progress=None):
        monkeypatch.setattr(milvus_collection, "INSERT_BATCH", 1)
        calls = []
        real = self.client.insert

        def insert(*a, **k):
            calls.append(1)
            if len(calls) > 1:
                raise KeyboardInterrupt  # the person pressed Ctrl-C (or the machine went down)
            return real(*a, **k)

        self.client.insert = insert
        try:
            return real_insert(self, name, index, progress)
        finally:
            self.client.insert = real

    monkeypatch.setattr(MilvusCollections, "_insert", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        QA(**opts).ensure_index(force=True)
    monkeypatch.undo()

    assert len(_builds(qa)) == 2  # the half-built one is left behind ...
    again = QA(**opts)
    assert again.ask(QUESTION)[0].text == before.text and again.collection == live  # ... unused
    again.ensure_index(force=True)
    assert _builds(again) == [again.collection] != [live]  # the next build clears it


KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    from qa.backends.milvus import collection as milvus_collection
    from qa.cli import main

    milvus_collection.INSERT_BATCH = 1
    real = milvus_collection.MilvusCollections._insert

    def slow_insert(self, name, index, progress=None):
        insert = self.client.insert
        def one_row(*a, **k):
            time.sleep(1.0)  # slow enough to be killed half-way
            return insert(*a, **k)
        self.client.insert = one_row
        return real(self, name, index, progress)

    milvus_collection.MilvusCollections._insert = slow_insert
    sys.exit(main(sys.argv[1:]))
    """
)


def test_index_process_killed_half_way_leaves_the_old_collection_answering(milvus_server, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", DOCS)
    opts = dict(corpus=corpus, index_dir=tmp_path / "index", backend="milvus", uri=milvus_server, progress=False)
    qa = QA(**opts)
    before = qa.ask(QUESTION)[0]
    live = qa.collection
    argv = ["index", "--force", "--no-progress", "--corpus", str(corpus), "--index-dir", str(tmp_path / "index"),
            "--backend", "milvus", "--uri", milvus_server]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, *argv], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while len(_builds(qa)) < 2:  # wait until the new collection exists and is being filled
            assert proc.poll() is None and time.monotonic() < deadline, "the build ended before it was killed"
            time.sleep(0.5)
        time.sleep(1.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert len(_builds(qa)) == 2
    again = QA(**opts)
    assert again.ask(QUESTION)[0].text == before.text and again.collection == live


@pytest.mark.parametrize("command", [["ask", QUESTION], ["index"], ["bench", "SEED"]])
def test_unreachable_uri_is_one_line_naming_it_and_exit_2(command, tmp_path, benchmarks):
    uri = "http://127.0.0.1:1"
    command = [str(benchmarks / "seed_dev.jsonl") if c == "SEED" else c for c in command]
    args = [sys.executable, "-m", "qa", *command, "--backend", "milvus", "--uri", uri, "--no-progress",
            "--index-dir", str(tmp_path / "never-built")]
    t0 = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                       timeout=120)
    assert r.returncode == 2, r.stderr
    assert uri in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert time.monotonic() - t0 < 60
    assert not (tmp_path / "never-built").exists()  # nothing was built for a server that is not there


def test_backend_options_are_checked(tmp_path):
    from qa.cli import main

    assert main(["ask", QUESTION, "--backend", "milvus"]) == 2
    assert main(["ask", QUESTION, "--uri", str(tmp_path / "x.db")]) == 2
    assert main(["ask", QUESTION, "--backend", "milvus", "--uri", str(tmp_path / ("x" * 40 + ".db"))]) == 2


def test_server_connection_outlives_an_idle_spell(milvus_server):
    """A prompt left idle for minutes still answers, and so does the next client on that address.

    pymilvus's default keepalive pings an idle channel every 10 s; Milvus Lite's gRPC server
    answers with GOAWAY "too_many_pings" and the next connect then failed ("Fail connecting to
    server"). 100 s of idling reproduced that reliably before the fix; 60 s did not.
    """
    first = connect(milvus_server)
    before = first.list_collections()
    time.sleep(100)
    assert connect(milvus_server).list_collections() == before
    assert first.list_collections() == before


def test_lite_file_open_in_another_process_says_so(tmp_path):
    """Milvus Lite serves one process per file: a second one is told that, not 'cannot reach'."""
    import sys

    from qa.backends import BackendError
    from qa.backends.milvus.connection import connect

    db = tmp_path / "shared.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pymilvus import MilvusClient; MilvusClient(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(120)", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(BackendError, match="open in another process.*Milvus server"):
            connect(str(db))
    finally:
        holder.kill()
        holder.wait()
