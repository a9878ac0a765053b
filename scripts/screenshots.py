"""Regenerate the report screenshots in docs/ from the bundled example (needs Debian's chromium).

    .venv/bin/python scripts/screenshots.py            # runs `newsprism analyze` into out/ first
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> int:
    from playwright.sync_api import sync_playwright

    out = ROOT / "out" / "screenshots"
    exe = Path(sys.executable).parent / "newsprism"
    subprocess.run([str(exe), "analyze", str(ROOT / "examples" / "prague-2024"), "--db", str(out / "s.db"),
                    "--out", str(out), "--quiet"], check=True)  # fmt: skip
    data = json.loads((out / "analysis.json").read_text())
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed: apt-get install chromium", file=sys.stderr)
        return 1
    docs = ROOT / "docs"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.goto((out / "report.html").as_uri())
        page.screenshot(path=str(docs / "report-overview.png"))
        shots = (("#summary", "report-summary.png"), ("#claims", "report-claims.png"),
                 ("#quotes", "report-quotes.png"), ("#framing", "report-framing.png"),
                 ("#timeline", "report-timeline.png"))
        for section, name in shots:
            if page.locator(section).count():
                page.locator(section).scroll_into_view_if_needed()
                page.evaluate(f"document.querySelector('{section}').scrollIntoView()")
                if section == "#claims" and data["claims"]:
                    page.locator("button.claim-btn").first.click()
                page.screenshot(path=str(docs / name))
        page.evaluate("document.querySelector('#articles').scrollIntoView()")
        page.screenshot(path=str(docs / "report-articles.png"))
        browser.close()
    print("wrote docs/report-*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
