"""Errors a person can act on, and the reason codes for rejected inputs."""

from __future__ import annotations


class NewsprismError(Exception):
    """Misuse or an unusable environment: raised at once, with how to fix it."""


class InputRejected(Exception):
    """One input cannot become an article.  Caught by ingest and stored as ``rejected``.

    ``code`` is a stable machine code (see ``REJECT_CODES``); ``reason`` is for people.
    """

    def __init__(self, code: str, reason: str) -> None:
        if code not in REJECT_CODES:
            raise ValueError(f"unknown reject code {code!r}")
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


# Stable reason codes: stored in SQLite and exported, so never rename one.
REJECT_CODES: dict[str, str] = {
    "empty": "the input holds no text",
    "binary": "the input is binary data, not text",
    "too_large": "the input is larger than the configured limit",
    "decode_error": "the bytes cannot be decoded as text",
    "bad_gzip": "the gzip stream is corrupt or truncated",
    "gzip_bomb": "the gzip stream expands past the size limit",
    "bad_json": "a JSON record cannot be parsed",
    "bad_record": "a JSON record lacks the fields an article needs",
    "bad_feed": "the feed cannot be parsed",
    "bad_html": "the HTML holds no extractable article text",
    "unreadable": "the file cannot be read (permissions, a broken link, a loop)",
    "unsupported": "the input's format is not one newsprism reads",
    "no_content": "after extraction nothing of the article's own text remains",
}
