#!/usr/bin/env python
"""Train the neural span reader and write the shipped weights (``qa.training.cli``; ``--help``)."""

from qa.training.cli import main

if __name__ == "__main__":
    main()
