"""Benchmark scoring utilities (SQuAD answer metrics and retrieval metrics)."""
