"""A local web server for the site copies in tests/fixtures/sites, and a shared browser."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from crawler.options import CrawlOptions
from tests.browser import start_browser

SITES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sites"

# Small waits keep the browser tests fast; the fixture pages answer in milliseconds.
FAST_OPTIONS = CrawlOptions(
    delay=0,
    scroll_wait=0.4,
    render_wait=1.0,
    page_timeout=5,
    retries=1,
    backoff=0,
    window_size=(1280, 900),
)


@dataclass
class SiteServer:
    """What the tests can see and steer of the fixture server."""

    base_url: str
    requests: list[str] = field(default_factory=list)  # request paths (with query), in order
    slow_paths: dict[str, float] = field(default_factory=dict)  # path with query -> seconds to stall

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def reset(self) -> None:
        self.requests.clear()
        self.slow_paths.clear()


class _FixtureSiteHandler(SimpleHTTPRequestHandler):
    state: SiteServer  # set on a subclass per server

    def do_GET(self) -> None:
        self.state.requests.append(self.path)
        stall = self.state.slow_paths.get(self.path)
        if stall:
            time.sleep(stall)  # longer than the page timeout: the browser gives up first
        try:
            super().do_GET()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser stopped waiting for the slow page

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # every crawl really fetches
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="session")
def _site_server() -> Iterator[SiteServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    state = SiteServer(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    handler = type("FixtureSiteHandler", (_FixtureSiteHandler,), {"state": state})
    server.RequestHandlerClass = partial(handler, directory=str(SITES_DIR))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fixture-sites", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site_server(_site_server: SiteServer) -> Iterator[SiteServer]:
    """The fixture sites on http://127.0.0.1:<ephemeral port>, with a fresh request log."""
    _site_server.reset()
    yield _site_server
    _site_server.reset()


@pytest.fixture(scope="session")
def shared_browser() -> Iterator[WebDriver]:
    """One headless Chromium for the adapter tests (starting one per test costs ~1 s)."""
    driver = start_browser(window_size=FAST_OPTIONS.window_size, user_agent=FAST_OPTIONS.user_agent)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(shared_browser: WebDriver) -> WebDriver:
    # No state carried between tests: a test's short page timeout (test_crawl's timed-out page
    # sets 0.5 s) would make this very load fail on a busy machine.
    shared_browser.set_page_load_timeout(FAST_OPTIONS.page_timeout)
    shared_browser.get("about:blank")  # no page state carried between tests
    return shared_browser
