#!/usr/bin/env python
"""Train the neural span reader and write the shipped weights (``qa.training.cli``; ``--help``)."""

import sys

from qa.training.cli import main

if __name__ == "__main__":
    try:
        main()
    except ValueError as exc:  # a wrong encoder, model file or setting: one line, not a traceback
        print(f"train_reader: {exc}", file=sys.stderr)
        sys.exit(2)
