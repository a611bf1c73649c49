#!/usr/bin/env python
"""Fit the neural reader's retrieval-rank weight on the tuning articles (``qa.training.rank_prior``)."""

import sys

from qa.training.rank_prior import main

if __name__ == "__main__":
    sys.exit(main())
