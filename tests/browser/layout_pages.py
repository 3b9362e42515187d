"""Every console page a person can reach, found as they would find it (the menu, then each link of the
pages it opens, one page per kind of address), and checked at a laptop's and a phone's width by
layout_checks.js. CENTREX_LAYOUT_SHOTS=<folder> also keeps a full-page screenshot of each."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CHECKS = (Path(__file__).parent / "layout_checks.js").read_text()


@dataclass(frozen=True)
class Width:
    name: str
    width: int
    height: int
    mobile: bool


LAPTOP = Width("1366", 1366, 768, False)
PHONE = Width("390", 390, 844, True)

CONSOLE = re.compile(r"^/(me|operator|t)(/|$)")
# Addresses that are one kind of page whatever the number in them (/t/3/users/12 = /t/N/users/N).
NUMBER = re.compile(r"\d+")
MAX_PAGES = 150

# Errors the page's scripts raise, and resources that fail to load, kept for layout_checks.js.
CATCH_ERRORS = """
window.__layoutErrors = [];
window.addEventListener("error", function (event) {
  var what = event.target && event.target !== window ? "could not load " + (event.target.src || event.target.href)
    : event.message + " (" + event.filename + ":" + event.lineno + ")";
  window.__layoutErrors.push(what);
}, true);
window.addEventListener("unhandledrejection", function (event) {
  window.__layoutErrors.push("unhandled rejection: " + event.reason);
});
"""

LINKS = """
return Array.from(document.querySelectorAll("nav.sidebar a[href], main a[href]"))
  .filter((a) => a.origin === location.origin && !a.hasAttribute("download"))
  .map((a) => a.pathname + a.search);
"""

# The content type of an address, asked without opening it (downloads, sounds, PDFs are not pages).
CONTENT_TYPE = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: "same-origin"})
  .then((r) => done([r.status, r.headers.get("content-type") || "", new URL(r.url).pathname]))
  .catch((e) => done([0, String(e), ""]));
"""


def watch_errors(driver) -> None:
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_ERRORS})


def set_width(driver, width: Width) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width.width, "height": width.height, "deviceScaleFactor": 1, "mobile": width.mobile})
    driver.execute_script("return window.innerWidth")


def kind_of(path: str) -> str:
    return NUMBER.sub("N", urlsplit(path).path)


def is_page(driver, path: str) -> bool:
    status, content_type, final = driver.execute_async_script(CONTENT_TYPE, path)
    return status == 200 and content_type.startswith("text/html") and bool(CONSOLE.match(final))


def reachable_pages(driver, base: str, start: str) -> list[str]:
    """The addresses of every kind of console page reachable by links from `start` (menu first)."""
    driver.get(base + start)
    seen = {kind_of(urlsplit(driver.current_url).path)}
    pages = [urlsplit(driver.current_url).path]
    queue = list(pages)
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if driver.current_url != base + path:
            driver.get(base + path)
        for link in driver.execute_script(LINKS):
            kind = kind_of(link)
            if kind in seen or not CONSOLE.match(link):
                continue
            seen.add(kind)
            if is_page(driver, link):
                pages.append(link)
                queue.append(link)
    return pages


def problems_on(driver, base: str, path: str, width: Width, shots: str | None, who: str) -> list[str]:
    """Open `path` at `width`: what layout_checks.js finds wrong, each naming the page and width."""
    driver.get(base + path)
    found = driver.execute_script(CHECKS, width.width, not width.mobile)
    if shots:
        name = kind_of(path).strip("/").replace("/", "_") or "home"
        screenshot(driver, Path(shots) / f"{who}-{width.name}-{name}.png", width)
    counted = {problem: found.count(problem) for problem in found}  # the same button on every row: once
    return [f"{path} at {width.name} px: {problem}" + (f" (×{n})" if n > 1 else "") for problem, n in counted.items()]


def screenshot(driver, target: Path, width: Width) -> None:
    """The page beyond the screen, down to about two screens' worth (what one looks at)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), 2 * width.height)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width.width, "height": height, "scale": 1}})
    target.write_bytes(base64.b64decode(shot["data"]))


def screenshots_folder() -> str | None:
    return os.environ.get("CENTREX_LAYOUT_SHOTS") or None
