"""End-to-end fixtures: a headless Chromium that records its console and network logs, on
pytest-django's live server (or, in tests/e2e/demo, a live server on the demo data).

pytest-django's ``live_server`` needs transactional database access, and a transactional test
ends with a flush of every table. The tests here are marked with ``serialized_rollback`` so the
rows the migrations create (categories, regions, season keywords) are back before every test; a
module fixture puts them back for whatever runs after.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import start_browser

REPO_ROOT = Path(__file__).resolve().parents[2]
# axe-core from the npm registry (pinned; see tests/e2e/vendor/README.md), injected into each checked page.
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DATASETS_DIR = REPO_ROOT / "datasets"
DESKTOP = (1366, 900)
MOBILE = (390, 844)
MIN_WINDOW_WIDTH = 500  # Chrome's narrowest window
WAIT_SECONDS = 15
# How often a wait looks again (Selenium's default, 0.5 s, adds up to half a second to every wait).
WAIT_POLL_SECONDS = 0.05
LOGGING_PREFS = {"browser": "ALL", "performance": "ALL"}


@pytest.fixture(scope="module", autouse=True)
def _reference_rows_back_afterwards(django_db_setup, django_db_blocker):
    """After this module's last flush, put back what the migrations wrote (the same rows
    serialized_rollback restores before each test here), so the tests that run later find
    the categories, regions and season keywords a fresh test database has."""
    yield
    with django_db_blocker.unblock():
        put_back_migration_rows(flush_first=False)


def put_back_migration_rows(*, flush_first: bool) -> None:
    """Put back the rows the migrations wrote (serialized when the test databases were made),
    after emptying every table first when asked, as a transactional test with
    serialized_rollback does. The flush keeps the sequences where they are, as Django's does:
    the rows come back with their own ids, and on PostgreSQL a sequence reset to 1 would hand
    out those ids again (IntegrityError in the next test that adds a category)."""
    from django.core.management import call_command
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if flush_first:
            call_command("flush", database=connection.alias, interactive=False, verbosity=0,
                         reset_sequences=False, inhibit_post_migrate=bool(contents))
        if contents:
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def site_url(live_server) -> str:
    """Where the browser goes: pytest-django's live server (tests/e2e/demo overrides it with the
    server on the demo data)."""
    return live_server.url


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """SCREENSHOT_DIR (relative to the repository root) or a pytest temporary directory."""
    configured = os.environ.get("SCREENSHOT_DIR", "").strip()
    if configured:
        directory = Path(configured)
        if not directory.is_absolute():
            directory = REPO_ROOT / directory
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    return tmp_path_factory.mktemp("screenshots")


@dataclass
class Response:
    url: str
    status: int
    kind: str  # Chrome's resource type: Document, Script, Fetch, ...


@dataclass
class Browser:
    """One headless Chromium on the live server, with the checks every page gets:
    no console error and no 5xx response (both read from Chrome's logs)."""

    driver: WebDriver
    base_url: str
    screenshot_dir: Path
    screenshot_prefix: str = ""
    responses: list[Response] = field(default_factory=list)
    checked_pages: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def path(self) -> str:
        current = self.driver.current_url
        return current[len(self.base_url.rstrip("/")):] if current.startswith(self.base_url) else current

    def open(self, path: str) -> Response:
        """Load a page and return the response of its document."""
        self.drain_logs()
        self.driver.get(self.url(path))
        return self.document_response()

    def reload(self) -> Response:
        self.drain_logs()
        self.driver.refresh()
        return self.document_response()

    def document_response(self) -> Response:
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the page to load")
        documents = [response for response in self.drain_logs() if response.kind == "Document"]
        assert documents, f"no document response in the network log for {self.driver.current_url}"
        return documents[-1]

    def wait(self, condition, what: str, timeout: float = WAIT_SECONDS):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=WAIT_POLL_SECONDS).until(condition)
        except TimeoutException:
            pass
        pytest.fail(f"timed out after {timeout}s waiting for {what} on {self.driver.current_url}", pytrace=False)

    def find(self, selector: str):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def find_all(self, selector: str, root=None):
        return (root or self.driver).find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector: str, what: str | None = None):
        def shown(driver):
            elements = [element for element in driver.find_elements(By.CSS_SELECTOR, selector) if element.is_displayed()]
            return elements[0] if elements else False

        return self.wait(shown, what or selector)

    def fetch_json(self, path: str) -> dict:
        """GET a JSON API from the page itself (its cookies and origin), as the page's scripts do."""
        result = self.driver.execute_async_script(
            """
            const [path, done] = arguments;
            fetch(path, {credentials: "same-origin", headers: {Accept: "application/json"}})
              .then(async (response) => done({status: response.status, body: await response.json()}))
              .catch((error) => done({status: 0, body: String(error)}));
            """,
            path,
        )
        assert result["status"] == 200, f"GET {path} from the page: {result}"
        return result["body"]

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """A PNG of the window (or of the whole page) named after the step."""
        target = self.screenshot_dir / f"{self.screenshot_prefix}{name}.png"
        # Let fonts and layout settle for a frame before the capture.
        self.driver.execute_async_script("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))")
        if full_page:
            size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            image = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
            )
            target.write_bytes(base64.b64decode(image["data"]))
        else:
            assert self.driver.save_screenshot(str(target)), f"could not write {target}"
        return target

    def drain_logs(self) -> list[Response]:
        """Read (and empty) Chrome's network log; fail on any 5xx response and any console error."""
        responses = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.responseReceived":
                continue
            params = message["params"]
            response = params["response"]
            responses.append(Response(url=response["url"], status=int(response["status"]), kind=params.get("type", "")))
        self.responses.extend(responses)
        server_errors = [f"{r.status} {r.url}" for r in responses if r.status >= 500]
        assert not server_errors, f"5xx responses on {self.driver.current_url}: {server_errors}"
        console_errors = [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not console_errors, f"browser console errors on {self.driver.current_url}: {console_errors}"
        return responses

    def accessibility_violations(self) -> list[dict]:
        """axe-core's violations on the current page (WCAG 2.x A/AA and best practices)."""
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(_axe_source())
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            window.axe.run(document, {resultTypes: ["violations"]})
              .then((results) => done({violations: results.violations.map((v) => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary}))}))}))
              .catch((error) => done({error: String(error)}));
            """
        )
        assert "error" not in result, f"axe-core failed on {self.driver.current_url}: {result}"
        return result["violations"]

    def check_page(self, label: str) -> None:
        """End of a page's step: nothing went wrong in the console or the network, and axe-core
        finds no accessibility violation."""
        self.drain_logs()
        violations = self.accessibility_violations()
        assert not violations, f"axe-core violations on {label} ({self.driver.current_url}): " + json.dumps(
            violations, ensure_ascii=False, indent=1)
        self.checked_pages.append(label)


_axe_cache: dict[str, str] = {}


def _axe_source() -> str:
    if "source" not in _axe_cache:
        _axe_cache["source"] = AXE_SOURCE.read_text(encoding="utf-8")
    return _axe_cache["source"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_browser(request, site_url, screenshot_dir):
    """Start a browser at a window size: ``open_browser(MOBILE, screenshot_prefix="mobile-")``.
    When the test fails, each browser's last page is saved as failed-<test>.png."""
    started: list[Browser] = []

    def start(window_size=DESKTOP, screenshot_prefix: str = "") -> Browser:
        driver = start_browser(window_size=window_size, logging_prefs=LOGGING_PREFS, page_load_timeout=30)
        width, height = window_size
        if width < MIN_WINDOW_WIDTH:
            # Chrome will not make a window this narrow; a phone's viewport is emulated instead.
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
            )
        browser = Browser(driver, site_url, screenshot_dir, screenshot_prefix)
        started.append(browser)
        return browser

    yield start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for number, browser in enumerate(started):
        try:
            if failed:
                browser.screenshot(f"failed-{request.node.name}-{number}")
        except Exception:  # the browser may be what broke; the test's own error is the one to read
            pass
        finally:
            browser.driver.quit()
