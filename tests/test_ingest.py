"""Ingest: decoding, every reader, discovery, sidecars, inference — on real files in tmp dirs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsprism.config import Config, parse_field_map
from newsprism.errors import InputRejected, NewsprismError
from newsprism.ingest import ingest_all
from newsprism.ingest.decode import decode_text, gunzip_bounded
from newsprism.ingest.infer import date_from_url, normalize_date, outlet_from_text, outlet_from_url

ARTICLE = (
    "Ministers meet in Prague to discuss aid\n"
    "Foreign ministers of the alliance gathered in Prague on Thursday to discuss military aid.\n"
    "“We will continue to support Ukraine,” the secretary general told reporters at the meeting.\n"
    "The talks are expected to end on Friday with a joint statement on long-term commitments.\n"
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


# -- decoding ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "encoded, expected_enc",
    [
        ("“Quote” café\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "“Quote” café\n".encode(), "utf-8"),
        ("“Quote” café\n".encode("utf-16"), "utf-16-le"),
        ("“Quote” café\n".encode("utf-16-be"), "utf-16-be"),
        ("“Quote” café\n".encode("cp1252"), "cp1252"),
    ],
)
def test_decode_keeps_text_exactly(encoded: bytes, expected_enc: str) -> None:
    text, enc = decode_text(encoded)
    assert text == "“Quote” café\n"
    assert enc == expected_enc


def test_decode_normalizes_only_newlines() -> None:
    text, _ = decode_text(b"a\r\nb\rc\n\"d\" 'e'")
    assert text == "a\nb\nc\n\"d\" 'e'"


@pytest.mark.parametrize(
    "data, code",
    [(b"", "empty"), (b"  \n\t ", "empty"), (PNG, "binary"), (b"abc\x00\x01\x02def" * 10, "binary")],
)
def test_decode_rejects(data: bytes, code: str) -> None:
    with pytest.raises(InputRejected) as exc:
        decode_text(data)
    assert exc.value.code == code


def test_gunzip_limits_and_truncation() -> None:
    payload = b"x" * 100_000
    assert gunzip_bounded(gzip.compress(payload), 200_000) == payload
    with pytest.raises(InputRejected) as bomb:
        gunzip_bounded(gzip.compress(b"0" * 5_000_000), 1_000_000)
    assert bomb.value.code == "gzip_bomb"
    with pytest.raises(InputRejected) as trunc:
        gunzip_bounded(gzip.compress(payload)[:-12], 200_000)
    assert trunc.value.code == "bad_gzip"


# -- inference -----------------------------------------------------------------------------
def test_infer_outlet_and_date() -> None:
    assert outlet_from_url("https://www.reuters.com/world/2024/05/30/nato-x/")[0] == "reuters.com"
    assert date_from_url("https://www.reuters.com/world/2024/05/30/nato-x/")[0] == "2024-05-30"
    assert date_from_url("https://example.com/news/20240531/story")[0] == "2024-05-31"
    assert date_from_url("https://example.com/2024/13/45/x")[0] is None
    name, how = outlet_from_text("Body.\nAdvertise with The Western Journal and reach millions of readers.")
    assert name == "The Western Journal" and how and "self-reference" in how
    assert outlet_from_text("Copyright 2024 The Associated Press. All rights reserved.")[0] == "The Associated Press"
    assert outlet_from_text("No self reference here at all.")[0] is None
    assert normalize_date("Fri, 31 May 2024 10:00:00 GMT") == "2024-05-31"
    assert normalize_date("2024-05-30T08:00:00+02:00") == "2024-05-30"
    assert normalize_date("not a date") is None


def test_field_map_parsing() -> None:
    assert parse_field_map("text=body, published=date") == {"text": "body", "published": "date"}
    with pytest.raises(NewsprismError, match="not one of"):
        parse_field_map("bogus=x")
    with pytest.raises(NewsprismError, match="ours=theirs"):
        parse_field_map("text")


# -- readers -------------------------------------------------------------------------------
def test_plain_text_article_keeps_text_and_labels_lines(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(ARTICLE.replace("\n", "\r\n").encode())
    arts, rej = ingest_all([str(f)])
    assert rej == []
    (a,) = arts
    assert a.text == ARTICLE  # CRLF → LF and nothing else
    assert a.input_format == "text" and a.language == "en" and a.inferred["language"] == "langid"
    # Every non-blank line is covered by exactly one segment whose offsets slice the line.
    lines = [ln for ln in ARTICLE.split("\n") if ln.strip()]
    assert [a.text[s.start : s.end] for s in a.segments] == lines
    assert any(s.kind == "body" for s in a.segments)


def test_reingest_gives_same_ids(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "b.txt").write_text(ARTICLE)
    first, _ = ingest_all([str(tmp_path / "a.txt")])
    second, _ = ingest_all([str(tmp_path / "copy" / "b.txt")])
    assert first[0].id == second[0].id  # content hash, not path


def test_jsonl_good_and_bad_records(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"body": ARTICLE, "headline": "Ministers meet", "url": "https://www.dw.com/en/2024/05/31/x",
                    "date": "2024-05-31T10:00:00Z"}),
        "{not json",
        json.dumps({"headline": "no text at all"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"body": ARTICLE + "More.\n", "site": "Example Times"}),
    ]  # fmt: skip
    f.write_text("\n".join(lines))
    config = Config(field_map=parse_field_map("text=body,title=headline,published=date,outlet=site"))
    arts, rej = ingest_all([str(f)], config)
    assert len(arts) == 2 and len(rej) == 3
    assert {r.source_path for r in rej} == {f"{f}:2", f"{f}:3", f"{f}:4"}
    assert {r.code for r in rej} == {"bad_json", "bad_record"}
    a = arts[0]
    assert a.title == "Ministers meet" and a.published == "2024-05-31" and a.outlet == "dw.com"
    assert a.inferred["outlet"] == "url-domain"
    assert arts[1].outlet == "Example Times" and "outlet" not in arts[1].inferred


def test_json_array_and_wrapped(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"text": ARTICLE, "outlet": "A"}, {"text": ARTICLE, "outlet": "B"}]))
    (tmp_path / "b.json").write_text(json.dumps({"articles": [{"text": ARTICLE + "x\n", "outlet": "C"}]}))
    (tmp_path / "c.json").write_text('{"text": "unterminated')
    arts, rej = ingest_all([str(tmp_path)])
    assert sorted(a.outlet or "" for a in arts) == ["A", "B", "C"]
    assert [r.code for r in rej] == ["bad_json"]
    assert len({a.id for a in arts}) == 3  # same text, different outlets: different articles


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Wire</title>
<item><title>First story</title><link>https://example.org/2024/05/30/first</link>
<pubDate>Thu, 30 May 2024 09:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>Ministers met in Prague on Thursday.</p><figure><img src="x.jpg"><figcaption>The ministers in Prague</figcaption></figure><p>They agreed on aid &amp; more.</p><script>alert(1)</script>]]></content:encoded></item>
<item><title>Second story</title><link>https://example.org/second</link><description>Only a summary here.</description></item>
<item><title>Empty</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Daily</title>
<entry><title>An atom entry</title><link rel="alternate" href="https://atom.example/a"/>
<published>2024-05-29T12:00:00Z</published><author><name>Jane Doe</name></author>
<content type="html">&lt;p&gt;Body of the atom entry, long enough to be an article.&lt;/p&gt;</content></entry>
</feed>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><title>&lol2;</title></channel></rss>"""


def test_rss_and_atom_feeds(tmp_path: Path) -> None:
    (tmp_path / "news.rss").write_text(RSS)
    (tmp_path / "atom.xml").write_text(ATOM)
    arts, rej = ingest_all([str(tmp_path)])
    by_title = {a.title: a for a in arts}
    assert set(by_title) == {"First story", "Second story", "An atom entry"}
    first = by_title["First story"]
    assert first.published == "2024-05-30" and first.outlet == "Example Wire"
    assert "alert(1)" not in first.text
    kinds = [(s.kind, first.text[s.start : s.end]) for s in first.segments]
    assert kinds == [
        ("headline", "First story"),
        ("body", "Ministers met in Prague on Thursday."),
        ("caption", "The ministers in Prague"),
        ("body", "They agreed on aid & more."),
    ]
    atom = by_title["An atom entry"]
    assert atom.author == "Jane Doe" and atom.published == "2024-05-29" and atom.outlet == "Atom Daily"
    assert [r.code for r in rej] == ["no_content"]
    assert rej[0].source_path.endswith("news.rss#entry3")


def test_feed_entity_bomb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bomb.xml").write_text(BOMB)
    arts, rej = ingest_all([str(tmp_path / "bomb.xml")])
    assert arts == [] and [r.code for r in rej] == ["bad_feed"]


def test_sidecar_fills_metadata(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(ARTICLE)
    (tmp_path / "metadata.csv").write_text(
        "path,outlet,url,published,title\none.txt,Prague Post,https://pp.example/x,2024-05-31,\n"
    )
    arts, rej = ingest_all([str(tmp_path)])
    assert rej == [] and len(arts) == 1  # the sidecar itself is not an article
    a = arts[0]
    assert (a.outlet, a.url, a.published) == ("Prague Post", "https://pp.example/x", "2024-05-31")
    assert a.inferred["outlet"] == "sidecar"


def test_bad_sidecar_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "meta.csv"
    bad.write_text("path,outlet\n,Nobody\n")
    with pytest.raises(NewsprismError, match=r"meta\.csv: line 2 has no path"):
        ingest_all([str(tmp_path)], Config(sidecar=bad))


def test_discovery_globs_missing_and_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "x.txt").write_text(ARTICLE)
    (tmp_path / "d" / ".hidden.txt").write_text(ARTICLE)
    (tmp_path / "d" / "sub" / "loop").symlink_to(tmp_path / "d", target_is_directory=True)
    (tmp_path / "d" / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    arts, rej = ingest_all([str(tmp_path / "d"), str(tmp_path / "missing.txt"), str(tmp_path / "d" / "**" / "*.txt")])
    assert len(arts) == 1  # x.txt once, though named twice; the symlinked folder is not entered
    codes = sorted((Path(r.source_path).name, r.code) for r in rej)
    assert codes == [("dangling.txt", "unreadable"), ("missing.txt", "unreadable")]


def test_content_sniffing_overrides_extension(tmp_path: Path) -> None:
    (tmp_path / "photo.html").write_bytes(PNG)
    (tmp_path / "data.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "empty.txt").write_bytes(b"")
    arts, rej = ingest_all([str(tmp_path)])
    assert arts == []
    got = {Path(r.source_path).name: (r.code, r.reason) for r in rej}
    assert got["photo.html"][0] == "binary" and "PNG" in got["photo.html"][1]
    assert got["data.bin"][0] == "binary"
    assert got["empty.txt"][0] == "empty"


def test_gzipped_text_and_truncated_gzip(tmp_path: Path) -> None:
    (tmp_path / "good.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    (tmp_path / "bad.txt.gz").write_bytes(gzip.compress(ARTICLE.encode() * 50)[:200])
    arts, rej = ingest_all([str(tmp_path)])
    assert [a.text for a in arts] == [ARTICLE]
    assert [(Path(r.source_path).name, r.code) for r in rej] == [("bad.txt.gz", "bad_gzip")]


def test_size_limit_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(12 * 1024 * 1024)  # sparse: 12 MB of NULs, never read
    arts, rej = ingest_all([str(big)])
    assert arts == [] and rej[0].code == "too_large" and "limit" in rej[0].reason


def test_feed_from_a_loopback_url_and_remote_refused(tmp_path: Path) -> None:
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                body = RSS.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(302)
                self.send_header("Location", "http://203.0.113.9/elsewhere")
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        arts, rej = ingest_all([f"{base}/feed.xml", f"{base}/redirect.xml", "http://203.0.113.9/feed.xml",
                                "file:///etc/passwd"])
    finally:
        server.shutdown()
    assert sorted(a.title or "" for a in arts) == ["First story", "Second story"]
    reasons = {r.source_path: (r.code, r.reason) for r in rej if "#entry" not in r.source_path}
    assert reasons[f"{base}/redirect.xml"][0] == "unreadable"  # redirects are not followed
    assert reasons["http://203.0.113.9/feed.xml"][0] == "unsupported"
    assert "loopback" in reasons["http://203.0.113.9/feed.xml"][1]
    assert reasons["file:///etc/passwd"][0] == "unsupported"


def test_pipes_and_devices_are_refused_not_read(tmp_path: Path) -> None:
    import os

    (tmp_path / "ok.txt").write_text(ARTICLE)
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    arts, rej = ingest_all([str(tmp_path), "/dev/zero"])
    assert len(arts) == 1
    got = {Path(r.source_path).name: r.code for r in rej}
    assert got == {"pipe.txt": "unsupported", "zero": "unsupported"}


def test_own_database_inside_an_input_folder_is_not_an_input(tmp_path: Path) -> None:
    from newsprism.config import Config
    from newsprism.pipeline import ingest
    from newsprism.store.db import Store

    (tmp_path / "a.txt").write_text("Port strike ends\nDockworkers ended a three-day strike on Tuesday after a pay deal.\n")
    db = tmp_path / "here.db"
    with Store(db) as store:
        first = ingest([str(tmp_path)], store, Config(db_path=db))
        again = ingest([str(tmp_path)], store, Config(db_path=db))  # the WAL file exists by now
    assert (len(first.articles), first.rejected) == (1, [])
    assert (len(again.articles), again.rejected) == (1, [])
    # Named explicitly, the file is read (and refused for what it is).
    arts, rej = ingest_all([str(db)])
    assert not arts and rej[0].code == "binary"


def test_reingest_takes_stored_articles_and_labels_only_new_ones(tmp_path: Path) -> None:
    """A re-run does not label a stored article again: the store's copy stands in for it
    (shown by a mark put on the stored copy); a new article beside it is labelled exactly
    as in a fresh store."""
    import sqlite3

    from newsprism.pipeline import ingest
    from newsprism.store.db import Store

    (tmp_path / "in").mkdir()
    old, new = tmp_path / "in" / "old.txt", tmp_path / "new.txt"
    old.write_text(ARTICLE)
    new.write_text(ARTICLE.replace("Prague", "Brno"))
    with Store(tmp_path / "fresh.db") as fresh:
        want = {a.id: a for a in ingest([str(old), str(new)], fresh, Config()).articles}
    db = tmp_path / "rerun.db"
    with Store(db) as store:
        [stored] = ingest([str(old)], store, Config()).articles
    with sqlite3.connect(db) as c:
        c.execute("UPDATE articles SET title = 'marked in the store' WHERE id = ?", (stored.id,))
    with Store(db) as store:
        report = ingest([str(old), str(new)], store, Config())
    assert report.new_articles == 1 and len(report.articles) == 2
    by_id = {a.id: a for a in report.articles}
    assert by_id[stored.id].title == "marked in the store"
    [fresh_new] = [a for i, a in want.items() if i != stored.id]
    assert by_id[fresh_new.id].to_json() == fresh_new.to_json()
