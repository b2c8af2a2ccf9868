"""Headless Chromium for browser tests, or a clear skip when it is not installed.

Every browser test gets its driver here. Without Chromium/chromedriver a test is
skipped with the reason; on CI (``CI=true``) it fails instead, so a CI machine
missing the browser cannot pass by skipping everything.

    from tests.browser import start_browser

    driver = start_browser(window_size=(1280, 800))
    try: ...
    finally: driver.quit()

``logging_prefs`` turns on Chrome's logs for ``driver.get_log(kind)``, e.g.
``start_browser(logging_prefs={"browser": "ALL", "performance": "ALL"})``.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from crawler.driver import find_browser_binary, find_chromedriver, start_chrome
from crawler.errors import BrowserUnavailable


def start_browser(*, logging_prefs: dict[str, str] | None = None, **kwargs) -> WebDriver:
    """A started headless Chromium (see crawler.driver.start_chrome for kwargs); the caller quits it.

    logging_prefs: Chrome's ``goog:loggingPrefs`` capability (log kind -> level)."""
    try:
        capabilities = {"goog:loggingPrefs": dict(logging_prefs)} if logging_prefs else None
        return start_chrome(capabilities=capabilities, **kwargs)
    except BrowserUnavailable as error:
        browser_unavailable(str(error))


@contextmanager
def browser(**kwargs) -> Iterator[WebDriver]:
    """start_browser() that always quits."""
    driver = start_browser(**kwargs)
    try:
        yield driver
    finally:
        driver.quit()


def require_browser() -> None:
    """For tests whose code starts its own browser (a command, a subprocess): skip/fail up front."""
    try:
        find_chromedriver(find_browser_binary())
    except BrowserUnavailable as error:
        browser_unavailable(str(error))


def browser_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"headless Chromium is required on CI: {reason}", pytrace=False)
    pytest.skip(f"headless Chromium not available: {reason}")
