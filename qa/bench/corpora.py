"""Benchmark text as corpus folders the ordinary pipeline can index, cached under ``indexes/bench``.

SQuAD and BEIR ship their text inside JSON; the pipeline reads folders of ``.txt`` files. Each
benchmark corpus gets its own folder ``indexes/bench/<name>/corpus`` with its index beside it in
``.../index``, so ``QA(corpus, index_dir)`` reuses the index on the next run. Files are written
only when their content changed: rewriting an unchanged file would only cost a re-hash, but a
stray or missing file would make the index stale, so the folder is kept exactly in sync.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from qa.bench.datasets import BeirSet, SquadSet

#: SQuAD paragraphs of one article are joined with a blank line, which the index-time sentence
#: splitter treats as a hard break, so no sentence spans two paragraphs.
PARAGRAPH_SEPARATOR = "\n\n"


@dataclass
class BenchCorpus:
    """A materialized corpus folder and where each SQuAD paragraph landed in it.

    Attributes:
        folder: the cache folder (``corpus/`` and ``index/`` live in it).
        places: SQuAD only: (article, paragraph) -> (doc id, offset of the context in that document).
    """

    folder: Path
    places: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)

    @property
    def corpus(self) -> Path:
        return self.folder / "corpus"

    @property
    def index_dir(self) -> Path:
        return self.folder / "index"


def cache_root() -> Path:
    """``<index root>/bench``: beside the ordinary indexes, so ``QA_INDEX_ROOT`` moves both."""
    from qa.config import index_root

    return index_root() / "bench"


def file_digest(path: Path) -> str:
    """A short content hash: a changed benchmark file gets a fresh cache folder."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:10]


def safe_name(name: str) -> str:
    """A file name for an article title or BEIR id; reversible with :func:`unquote`.

    ``/`` and other unsafe characters are %-escaped, and so is a leading dot, which the corpus
    reader would take for a hidden file.
    """
    out = quote(name, safe=" ()[],;'!+=@_-.~")
    return "%2E" + out[1:] if out.startswith(".") else out


def doc_id_to_name(doc_id: str) -> str:
    """The article title or BEIR id a document id (``<safe name>.txt``) stands for."""
    return unquote(doc_id.rsplit("/", 1)[-1].removesuffix(".txt"))


def sync_folder(folder: Path, files: dict[str, str]) -> int:
    """Make ``folder`` hold exactly ``files`` (relative path -> text) among its text files.

    Returns:
        How many files were written (0 when the folder was already in sync).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, text in files.items():
        path = folder / rel
        data = text.encode("utf-8")
        # Comparing bytes costs a read; rewriting would change mtimes and force a re-hash.
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    wanted = {Path(rel) for rel in files}
    for path in list(folder.rglob("*")):
        if path.is_file() and path.suffix in (".txt", ".md") and path.relative_to(folder) not in wanted:
            path.unlink()
    return written


def squad_articles(squad: SquadSet, articles: list[int], name: str) -> BenchCorpus:
    """One document per article (paragraphs joined by a blank line), for document and corpus modes.

    Args:
        squad: the SQuAD file.
        articles: positions of the articles to include.
        name: the cache folder's name under the file's cache folder (e.g. ``articles-all``).
    """
    bench = BenchCorpus(_squad_folder(squad) / name)
    files: dict[str, str] = {}
    for a in articles:
        article = squad.data["data"][a]
        doc_id = safe_name(squad.titles[a]) + ".txt"
        parts, offset = [], 0
        for p, para in enumerate(article["paragraphs"]):
            bench.places[(a, p)] = (doc_id, offset)
            parts.append(para["context"])
            offset += len(para["context"]) + len(PARAGRAPH_SEPARATOR)
        files[doc_id] = PARAGRAPH_SEPARATOR.join(parts)
    sync_folder(bench.corpus, files)
    return bench


def squad_paragraphs(squad: SquadSet, articles: list[int], name: str) -> BenchCorpus:
    """One document per paragraph, ``<article>/<nnnn>.txt``, for reading mode."""
    bench = BenchCorpus(_squad_folder(squad) / name)
    files: dict[str, str] = {}
    for a in articles:
        folder = safe_name(squad.titles[a])
        for p, para in enumerate(squad.data["data"][a]["paragraphs"]):
            doc_id = f"{folder}/{p:04d}.txt"
            bench.places[(a, p)] = (doc_id, 0)
            files[doc_id] = para["context"]
    sync_folder(bench.corpus, files)
    return bench


def beir_documents(beir: BeirSet) -> BenchCorpus:
    """One document per BEIR record: title, a blank line, then the text (BEIR's own concatenation)."""
    bench = BenchCorpus(cache_root() / f"beir-{beir.path.name}-{file_digest(beir.path / 'corpus.jsonl')}")
    files = {
        safe_name(doc_id) + ".txt": f"{title}{PARAGRAPH_SEPARATOR}{text}" if title.strip() else text
        for doc_id, (title, text) in beir.corpus.items()
    }
    sync_folder(bench.corpus, files)
    return bench


def _squad_folder(squad: SquadSet) -> Path:
    return cache_root() / f"squad-{squad.path.stem}-{file_digest(squad.path)}"
