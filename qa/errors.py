"""Errors a person can act on. The CLI prints them on one line and exits with code 2."""


class QAError(Exception):
    """A user-facing problem: bad input, a missing corpus folder, an unusable index."""


class CorpusError(QAError):
    """The corpus folder is missing or holds no usable document."""


class QuestionError(QAError):
    """The question is empty, blank or too long."""


class IndexDamagedError(QAError):
    """An index on disk is damaged or unreadable."""


class IndexBusyError(QAError):
    """Another process is building the same index (and the caller chose not to wait)."""


class IndexWriteError(QAError):
    """The index folder cannot be written (read-only disk, full disk, a file in its place)."""


class BackendError(QAError):
    """The retrieval backend cannot be used: unreachable, not installed, or refused a request."""
