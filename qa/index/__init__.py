"""The index of one corpus folder, one stage of the data flow per module.

``manifest`` (format, naming, staleness, checksums), ``corpus_index`` (the loaded index: tables,
BM25, embeddings; the reader's ``DocumentLookup`` and the export a backend is filled from),
``store`` (open, lock, build into a new folder, atomic swap, clean-up), ``writer`` (the streamed
build), ``lexical`` (BM25), ``dense`` (exact and HNSW search), ``documents`` (the text blob),
``lock`` (one build at a time), ``ray_embedding`` (embeddings on a Ray cluster).

Importing the package imports none of them.
"""
