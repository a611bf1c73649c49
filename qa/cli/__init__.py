"""The ``qa`` command: ``commands`` (parsing and the ask/index/show/prompt/bench entry points),
``prompt`` (the interactive loop), ``render`` (answers as text), ``show`` (stored text of a
document), ``terminal`` (what is safe to print). Importing it is cheap: no model, no index.
"""

from qa.cli.commands import build_parser, main

__all__ = ["build_parser", "main"]
