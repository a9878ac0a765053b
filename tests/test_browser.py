"""A real headless Chromium opens the report and the live UI, clicks, and looks."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLE, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/ensure-chromium.sh)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

HOSTILE = """<html><head><title>Hostile <script>window.__pwned=1</script></title>
<meta property="og:site_name" content="Evil &lt;img src=x onerror=window.__pwned=2&gt;"></head><body><article>
<h1>Hostile headline</h1>
<p>Officials said on Tuesday that the talks in Prague would go on. <script>window.__pwned=3</script></p>
<p>Click <a href="javascript:window.__pwned=4">here</a> or see <img src="x" onerror="window.__pwned=5"> now.</p>
<p style="background:url(http://203.0.113.9/track.png)">“We will not be moved,” the minister <b onmouseover="window.__pwned=6">said</b>.</p>
<p>&lt;script&gt;window.__pwned=7&lt;/script&gt; and &lt;img src=x onerror=window.__pwned=8&gt; are just text here.</p>
</article></body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    res = run_cli("analyze", str(EXAMPLE), "--db", str(tmp / "b.db"), "--out", str(tmp / "out"), "--quiet")
    assert res.returncode == 0, res.stderr
    return tmp / "out"


def _page(browser: object, requests: list[str]) -> object:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.on("request", lambda r: requests.append(r.url))
    return page


def test_report_click_claim_highlights_spans(browser: object, example_out: Path, tmp_path: Path) -> None:
    requests: list[str] = []
    page = _page(browser, requests)
    page.goto((example_out / "report.html").as_uri())
    page.screenshot(path=str(tmp_path / "report-top.png"))
    data = json.loads((example_out / "analysis.json").read_text())
    assert data["claims"], "the example yields claims"
    claim = next(c for c in data["claims"] if c["status"] == "corroborated")
    button = page.locator(f'button.claim-btn[data-ref="c:{claim["id"]}"]')
    button.scroll_into_view_if_needed()
    button.click()
    highlighted = page.locator(".hl")
    assert highlighted.count() >= len({(s["article"], s["start"]) for s in claim["support"]})
    shown = "".join(highlighted.all_inner_texts())  # adjacent pieces of one span join exactly
    for ev in claim["support"]:
        text = next(a["text"] for a in data["articles"] if a["id"] == ev["article"])
        assert text[ev["start"] : ev["end"]][:40] in shown.replace("\n", "\n")
    assert page.locator(f"#evidence-{claim['id']}").is_visible()
    page.screenshot(path=str(tmp_path / "report-claim.png"))
    # Hiding boilerplate hides captions and credits.
    page.locator("#toggle-boiler").check()
    assert page.locator(".seg-credit").first.is_hidden()
    # Offline: nothing but the file itself was requested.
    assert all(u.startswith("file://") for u in requests), requests


def test_summary_timeline_and_entities_highlight_their_spans(browser: object, example_out: Path) -> None:
    requests: list[str] = []
    page = _page(browser, requests)
    page.goto((example_out / "report.html").as_uri())
    data = json.loads((example_out / "analysis.json").read_text())
    texts = {a["id"]: a["text"] for a in data["articles"]}

    def click_and_read(selector: str) -> str:
        button = page.locator(selector).first
        button.scroll_into_view_if_needed()
        button.click()
        assert page.locator(".hl").count() >= 1, selector
        return "".join(page.locator(".hl").all_inner_texts())

    (summary,) = data["summaries"]
    first = summary["sentences"][0]
    shown = click_and_read(f'button.sum-btn[data-ref="m:{summary["story"]}-0"]')
    for c in first["citations"]:
        assert texts[c["article"]][c["start"] : c["end"]][:30] in shown
    assert data["timeline"], "the example yields dated events"
    shown = click_and_read('button.tl-btn[data-ref="t:0"]')
    t0 = data["timeline"][0]
    assert texts[t0["article"]][t0["start"] : t0["end"]][:30] in shown
    person = next(e for e in data["entities"] if e["type"] == "PERSON" and len(e["mentions"]) >= 2)
    shown = click_and_read(f'button.ent-btn[data-ref="e:{person["id"]}"]')
    assert page.locator(".hl").count() >= len(person["mentions"])
    assert all(texts[m["article"]][m["start"] : m["end"]] in shown for m in person["mentions"])
    assert all(u.startswith("file://") for u in requests), requests


def test_hostile_article_is_inert(browser: object, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "hostile.html").write_text(HOSTILE)
    (d / "evil<img src=x onerror=alert(1)>.txt").write_text(
        "Headline <script>window.__pwned=9</script>\nBody text that says <b>nothing</b> much at all, really, today.\n"
    )
    res = run_cli("analyze", str(d), "--db", str(tmp_path / "h.db"), "--out", str(tmp_path / "out"), "--quiet")
    assert res.returncode in (0, 3), res.stderr
    requests: list[str] = []
    page = _page(browser, requests)
    dialogs: list[str] = []
    page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    page.goto((tmp_path / "out" / "report.html").as_uri())
    for el in page.locator("span.seg, a, td, h3").all()[:200]:
        with contextlib.suppress(Exception):
            el.hover(timeout=200)
    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    assert all(u.startswith("file://") for u in requests), requests
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator("img").count() == 0
    # The hostile markup is on the page as text.
    assert "window.__pwned=7" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "hostile.png"))


def test_live_ui_story_page(browser: object, example_out: Path, tmp_path: Path) -> None:
    from test_api import start_server

    db = example_out.parent / "b.db"
    proc, base = start_server(db)
    try:
        requests: list[str] = []
        page = _page(browser, requests)
        page.goto(base + "/")
        link = page.locator("table a").first
        link.click()
        page.wait_for_load_state()
        assert "/stories/" in page.url
        assert page.locator("#claims").count() == 1
        page.locator("button.claim-btn").first.click()
        # The live story page is the report: same highlighting behaviour.
        assert page.locator(".hl, .hl-x").count() >= 1
        page.screenshot(path=str(tmp_path / "live.png"))
        assert all(u.startswith(base) for u in requests), requests
    finally:
        proc.terminate()
        proc.wait(timeout=20)
