"""Benchmarks: ``qa bench`` and the pieces it is made of.

* ``metrics``: official SQuAD EM/F1 and retrieval metrics (recall@k, MRR, nDCG).
* ``datasets``: detect and load a JSONL question set, SQuAD file or BEIR folder; split; sample.
* ``corpora``: write benchmark text as cached corpus folders the pipeline can index.
* ``runner``: ask questions (retrieve, then read) and keep one record per question.
* ``beir``: rank BEIR documents by their best chunk; nDCG@10 and Recall@100.
* ``summary``: aggregate records into EM/F1, abstention, retrieval and latency figures.
* ``peers``: leaderboard predictions on the same questions; plain rank-bm25 speed.
* ``report``: terminal tables, the JSON report and the plot.
* ``cli``: the ``qa bench`` subcommand.
"""
