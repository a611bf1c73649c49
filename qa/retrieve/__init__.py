"""Ranking passages for a question: ``base`` (the ``Retriever`` protocol every backend implements),
``fusion`` (RRF and weighted fusion), ``hybrid`` (the local BM25 + dense retriever).
"""
