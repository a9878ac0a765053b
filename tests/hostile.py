"""A generator of hostile inputs: what the web hands an analyst, at its worst.

``write_corpus(folder, n, seed)`` writes ``n`` files of many kinds (binary, truncated,
oversized, odd encodings, BOMs, NULs, malformed HTML, deep nesting, bad JSON/JSONL,
entity bombs in feeds, gzip bombs, symlink loops, pipes) plus good articles, and returns
what it wrote so a test can check that every input is accounted for.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WORDS = ["minister", "talks", "aid", "Prague", "alliance", "weapons", "border", "spokesman", "said", "Thursday", "report", "government", "officials", "city", "war", "troops", "statement", "missile", "allies", "meeting", "election", "court", "police"]  # fmt: skip


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def article_text(rng: random.Random) -> str:
    head = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 9)))
    paras = [" ".join(sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(3, 7))]
    return head + "\n" + "\n".join(paras) + "\n"


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 300 MB of zeros in about 300 KB: past every decompression limit."""
    return gzip.compress(b"\0" * (300 * 1024 * 1024), compresslevel=9)


@dataclass
class Written:
    path: Path
    kind: str
    good_articles: int  # articles it holds that must be stored (0 for pure junk)


def _good_txt(rng: random.Random, d: Path, i: int) -> Written:
    p = d / f"good_{i}.txt"
    p.write_text(article_text(rng), encoding="utf-8")
    return Written(p, "good_txt", 1)


def _random_bytes(rng: random.Random, d: Path, i: int) -> Written:
    p = d / f"rand_{i}.{rng.choice(['txt', 'html', 'json', 'jsonl', 'xml', 'bin', 'gz', 'dat'])}"
    p.write_bytes(rng.randbytes(rng.randint(0, 4000)))
    return Written(p, "random_bytes", 0)


def _encodings(rng: random.Random, d: Path, i: int) -> Written:
    text = article_text(rng).replace("said", "said “indeed” — déjà vu")
    enc = rng.choice(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])
    data = text.encode(enc, errors="replace")
    if rng.random() < 0.3:  # a mixed-encoding file: UTF-8 with a cp1252 tail
        data = text.encode("utf-8") + "café “x”\n".encode("cp1252")
    p = d / f"enc_{i}.txt"
    p.write_bytes(data)
    return Written(p, "encoding", 1)


def _nul_bytes(rng: random.Random, d: Path, i: int) -> Written:
    t = article_text(rng).encode()
    cut = rng.randint(0, len(t))
    p = d / f"nul_{i}.txt"
    p.write_bytes(t[:cut] + b"\0" * rng.randint(1, 50) + t[cut:])
    return Written(p, "nul", 0)


def _long_line(rng: random.Random, d: Path, i: int) -> Written:
    p = d / f"longline_{i}.txt"
    p.write_text(sentence(rng) * rng.randint(2000, 20000), encoding="utf-8")  # one line, 0.1–2 MB
    return Written(p, "long_line", 1)


def _malformed_html(rng: random.Random, d: Path, i: int) -> Written:
    body = "".join(f"<p>{sentence(rng)}" for _ in range(rng.randint(1, 8)))
    junk = rng.choice(["<div><span><b>", "</html></body>", "<!--", "<![CDATA[", "<script>", "<p <p <p", "&#x110000;"])
    p = d / f"bad_{i}.html"
    p.write_text(f"<html><head><title>T{i}</title></head><body>{junk}{body}{junk}", encoding="utf-8")
    return Written(p, "malformed_html", 0)  # may or may not yield an article: either is fine


def _deep_html(rng: random.Random, d: Path, i: int) -> Written:
    depth = rng.choice([1000, 5000, 50000])
    p = d / f"deep_{i}.html"
    p.write_text("<html><body>" + "<div>" * depth + sentence(rng) + "</div>" * depth + "</body></html>")
    return Written(p, "deep_html", 0)


def _bad_jsonl(rng: random.Random, d: Path, i: int) -> Written:
    lines, good = [], 0
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.4:
            lines.append(json.dumps({"text": article_text(rng), "outlet": f"Outlet {rng.randint(1, 5)}"}))
            good += 1
        elif r < 0.6:
            lines.append('{"text": "unterminated')
        elif r < 0.7:
            lines.append("[" * 100_000)  # nesting bomb
        elif r < 0.8:
            lines.append(json.dumps({"text": 12345}))
        else:
            lines.append(json.dumps([1, 2, 3]))
    p = d / f"records_{i}.jsonl"
    p.write_text("\n".join(lines), encoding="utf-8")
    return Written(p, "jsonl", good)


def _feed_bomb(rng: random.Random, d: Path, i: int) -> Written:
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    kind = rng.choice(["billion", "external", "truncated"])
    if kind == "billion":
        xml = f'<?xml version="1.0"?><!DOCTYPE r [{ents}]><rss><channel><title>&i;</title></channel></rss>'
    elif kind == "external":
        xml = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><title>&x;</title></channel></rss>'
    else:
        xml = "<?xml version='1.0'?><rss><channel><title>Cut</title><item><title>x</title><description>abc"
    p = d / f"feed_{i}.xml"
    p.write_text(xml, encoding="utf-8")
    return Written(p, "feed_bomb", 0)


def _truncated_gzip(rng: random.Random, d: Path, i: int) -> Written:
    data = gzip.compress(article_text(rng).encode() * 5)
    p = d / f"trunc_{i}.txt.gz"
    p.write_bytes(data[: rng.randint(1, max(1, len(data) - 9))])
    return Written(p, "truncated_gzip", 0)


KINDS: list[tuple[float, Callable[[random.Random, Path, int], Written]]] = [
    (0.25, _good_txt), (0.2, _random_bytes), (0.1, _encodings), (0.07, _nul_bytes), (0.03, _long_line),
    (0.1, _malformed_html), (0.01, _deep_html), (0.1, _bad_jsonl), (0.07, _feed_bomb), (0.07, _truncated_gzip),
]  # fmt: skip


def write_corpus(folder: Path, n: int, seed: int = 0) -> list[Written]:
    """``n`` generated inputs plus one of each special case (bomb, 100 MB file, loops, pipe)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    weights = [w for w, _ in KINDS]
    out: list[Written] = []
    for i in range(n):
        (_, make) = rng.choices(KINDS, weights=weights)[0]
        out.append(make(rng, folder, i))
    special = folder / "special"
    special.mkdir()
    (special / "bomb.txt.gz").write_bytes(gzip_bomb())
    out.append(Written(special / "bomb.txt.gz", "gzip_bomb", 0))
    with (special / "huge.txt").open("wb") as fh:  # 100 MB, sparse: never read whole
        fh.truncate(100 * 1024 * 1024)
    out.append(Written(special / "huge.txt", "huge", 0))
    (special / "loop").symlink_to(special, target_is_directory=True)
    (special / "selfloop.txt").symlink_to(special / "selfloop.txt")
    out.append(Written(special / "selfloop.txt", "symlink_loop", 0))
    os.mkfifo(special / "pipe.txt")
    out.append(Written(special / "pipe.txt", "fifo", 0))
    (special / "empty.txt").write_bytes(b"")
    out.append(Written(special / "empty.txt", "empty", 0))
    return out
