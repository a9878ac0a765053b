"""Bytes → text, safely: size limits, gzip (bomb-proof), binary sniffing, encoding detection.

Contract: ``decode_text(data)`` returns the decoded text with only CRLF/CR → LF and a
leading BOM removed; quote characters and everything else are kept exactly.  Anything
that is not text raises ``InputRejected`` with a code from ``errors.REJECT_CODES``.
"""

from __future__ import annotations

import codecs
import zlib

from newsprism.errors import InputRejected

# Signatures of common binary formats, so the reason can name what the file really is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress gzip ``data`` without ever holding more than ``limit`` bytes of output.

    Raises ``InputRejected('gzip_bomb')`` past the limit and ``InputRejected('bad_gzip')``
    for a corrupt or truncated stream.
    """
    out = bytearray()
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = data
    try:
        while True:
            # max_length bounds each step, so a bomb never expands past limit + 1 MiB.
            chunk = d.decompress(pending, 1 << 20)
            out += chunk
            if len(out) > limit:
                raise InputRejected("gzip_bomb", f"decompresses to more than {limit:,} bytes")
            pending = d.unconsumed_tail
            if d.eof:
                break
            if not pending and not chunk:
                raise InputRejected("bad_gzip", "the gzip stream is truncated (no end-of-stream marker)")
    except zlib.error as exc:
        raise InputRejected("bad_gzip", f"corrupt gzip stream ({exc})") from None
    return bytes(out)


def sniff_binary(data: bytes) -> str | None:
    """A description of the binary format ``data`` is in, or None when it may be text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:8192]
    if any(head.startswith(b) for b, _ in _BOMS):
        return None
    if b"\x00" in head:
        if _looks_like_bomless_utf16(head):
            return None
        return "binary data (NUL bytes)"
    if not head:
        return None
    # Control characters other than tab, LF, CR, FF and ESC are rare in any text encoding.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls / len(head) > 0.05:
        return "binary data (control bytes)"
    return None


def _looks_like_bomless_utf16(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when ``head`` is mostly ASCII in UTF-16 without a BOM."""
    n = len(head) // 2 * 2
    if n < 4:
        return None
    even_nuls = head[0:n:2].count(0)
    odd_nuls = head[1:n:2].count(0)
    half = n // 2
    if odd_nuls > 0.6 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> tuple[str, int]:
    """(codec, bytes of BOM to skip): BOM, else strict UTF-8, else UTF-16 by shape, else cp1252/latin-1."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, len(bom)
    if b"\x00" in data[:8192]:
        utf16 = _looks_like_bomless_utf16(data[:8192])
        if utf16:
            return utf16, 0
    try:
        data.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252", 0
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 decodes everything.
        return "latin-1", 0


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR → LF; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) for text bytes; raises InputRejected for empty or binary input."""
    if not data.strip():
        raise InputRejected("empty", "the file is empty or holds only whitespace")
    what = sniff_binary(data)
    if what:
        raise InputRejected("binary", f"this is {what}, not text")
    enc, skip = detect_encoding(data)
    try:
        text = data[skip:].decode(enc)
    except UnicodeDecodeError as exc:
        raise InputRejected("decode_error", f"cannot decode as {enc}: {exc.reason}") from None
    if "\x00" in text:
        raise InputRejected("binary", f"decoded as {enc} but holds NUL characters")
    text = normalize_newlines(text)
    if not text.strip():
        raise InputRejected("empty", "the text holds only whitespace")
    return text, enc
