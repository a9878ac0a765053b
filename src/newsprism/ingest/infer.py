"""Infer missing metadata (outlet, date) from what the input itself carries.

Each function returns ``(value, how)`` or ``(None, None)``; ``how`` is recorded in
``Article.inferred`` so a user can tell a given fact from a guessed one.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import date

# Self-references outlets print in their own pages: "Advertise with The Western Journal",
# "© 2024 Reuters", "Copyright 2024 The Associated Press", "Subscribe to The Daily X".
_NAME = r"(?P<name>(?:[A-Z][\w&'’.-]*)(?:\s+(?:of|the|and|&|[A-Z][\w&'’.-]*)){0,5})"
_SELF_REFERENCE = [
    re.compile(r"\bAdvertise (?:with|on|in) " + _NAME),
    re.compile(r"(?:©|\(c\)|Copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?" + _NAME),
    re.compile(
        r"\b(?:Subscribe|Sign up) (?:to|for) (?P<name>(?:The\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,4})"
        r"(?:'s)? newsletter"
    ),
]
_STOP_TAIL = re.compile(r"\s+(?:and|the|of|&|All|Rights|Reserved|Inc|Ltd|LLC)\.?$")
_GENERIC = {"All", "The", "This", "Our", "Us", "Advertise", "Today", "Rights"}

_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>0?[1-9]|1[0-2])[/-](?P<d>0?[1-9]|[12]\d|3[01])(?:/|-|\b)")
_URL_DATE_COMPACT = re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])/")


def outlet_from_text(text: str) -> tuple[str | None, str | None]:
    """An outlet name from a self-reference near the end of the text (ads, copyright lines)."""
    tail = text[-3000:]
    for pattern in _SELF_REFERENCE:
        for m in pattern.finditer(tail):
            name = m.group("name").strip(" .,;:")
            while True:
                cut = _STOP_TAIL.sub("", name)
                if cut == name:
                    break
                name = cut.strip(" .,;:")
            # "Advertise with Us", "© All rights…": generic words, not a name.
            generic = name in _GENERIC or (name.split()[0] in _GENERIC and not name.startswith("The "))
            if len(name) >= 3 and not generic:
                return name, f"self-reference: {m.group(0).strip()[:80]!r}"
    return None, None


def outlet_from_url(url: str | None) -> tuple[str | None, str | None]:
    """The site's domain (without www.) from a URL, e.g. 'reuters.com'."""
    if not url:
        return None, None
    host = (urllib.parse.urlparse(url).hostname or "").lower()
    if not host or host in ("localhost",) or re.fullmatch(r"[\d.:]+", host):
        return None, None
    for prefix in ("www.", "m.", "amp.", "edition.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host, "url-domain"


def date_from_url(url: str | None) -> tuple[str | None, str | None]:
    """A YYYY-MM-DD date embedded in a URL path (/2024/05/30/ or /20240530/)."""
    if not url:
        return None, None
    path = urllib.parse.urlparse(url).path
    for pattern in (_URL_DATE, _URL_DATE_COMPACT):
        m = pattern.search(path)
        if m:
            try:
                d = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            return d.isoformat(), "url-path"
    return None, None


def normalize_date(value: object) -> str | None:
    """Any common date/datetime string → YYYY-MM-DD, or None when it is not a date."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    m = re.match(r"^((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})", s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        import dateparser

        dt = dateparser.parse(s, settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"})
    except Exception:  # dateparser raises a zoo of types on odd input
        return None
    return dt.date().isoformat() if dt else None
