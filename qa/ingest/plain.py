"""Plain text files: UTF-8, taken as they are (a leading byte-order mark dropped)."""

from __future__ import annotations

from qa.ingest.layout import Extracted, Unreadable


def extract(data: bytes) -> Extracted:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not valid UTF-8 (byte {exc.start})") from None
    # A BOM is an encoding mark, not text; keeping it would show in answers.
    return Extracted(text[1:] if text.startswith("\ufeff") else text)
