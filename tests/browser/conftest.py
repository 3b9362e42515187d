"""Real-browser fixtures: the app served by a real HTTP server thread on the test database (committed
data), driven by Debian's headless Chromium through Debian's chromedriver. A failing test leaves a
screenshot and the page's HTML in test-artifacts/; CENTREX_SCREENSHOTS=1 keeps one per step."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.slow


@pytest.fixture
def live_server(app, committed):
    """The whole WSGI app on 127.0.0.1:<free port>, in a thread, with the demo companies committed."""
    from centrex.demo.companies import load_demo

    load_demo()
    committed.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium_profile():
    path = tempfile.mkdtemp(prefix="centrex-chromium-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _chromium(chromium_profile, request, name: str = ""):
    """A headless Chromium of its own (own profile: own cookies), quit when the test ends."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip(
            "Debian's chromium and chromium-driver are needed (scripts/ensure-debian-packages.sh test)"
        )
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
        "--lang=fr-FR",
        f"--user-data-dir={tempfile.mkdtemp(dir=chromium_profile)}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(0)
    driver.snap = lambda shot: _snap(driver, f"{request.node.name}{name}-{shot}", always=False)
    request.addfinalizer(driver.quit)
    return driver


@pytest.fixture
def browser(chromium_profile, request):
    return _chromium(chromium_profile, request)


@pytest.fixture
def second_browser(chromium_profile, request):
    """Another person's browser in the same test (e.g. two colleagues chatting)."""
    return _chromium(chromium_profile, request, "-second")


def _snap(driver, name: str, always: bool) -> None:
    if not (always or os.environ.get("CENTREX_SCREENSHOTS") == "1"):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    driver = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and driver is not None:
        try:
            _snap(driver, f"FAILED-{item.name}", always=True)
            (ARTIFACTS / f"FAILED-{item.name}.html").write_text(driver.page_source)
        except Exception as exc:  # the browser may be what failed
            report.sections.append(("screenshot", f"no screenshot: {exc}"))
