"""Headless Chromium through Selenium, set up to run in a container as root.

Reusable outside the crawler (end-to-end page tests import it)::

    with open_chrome(window_size=(1280, 800)) as driver:
        driver.get(url)

Lookup order for chromedriver: ``CHROMEDRIVER`` env var, ``chromedriver`` on
PATH (Debian: /usr/bin/chromedriver), then webdriver-manager (downloads one, so
only where the internet is reachable). Browser: ``CHROME_BIN`` env var, else
chromium / google-chrome on PATH. When nothing works, BrowserUnavailable says
what to install.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

from crawler.errors import BrowserUnavailable

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "Install Chromium and its driver (Debian/Ubuntu: apt-get install chromium chromium-driver), "
    "or point CHROME_BIN and CHROMEDRIVER at a matching browser and chromedriver."
)
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_WINDOW_SIZE = (1366, 900)

# Flags for a headless browser as root in a container, quiet on the network
# except for the pages we ask for.
LAUNCH_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # the sandbox cannot start as root
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-quic",
)


def find_browser_binary() -> str:
    """Path of the Chromium/Chrome executable to drive."""
    configured = os.environ.get("CHROME_BIN")
    if configured:
        if _is_executable(configured):
            return configured
        raise BrowserUnavailable(f"CHROME_BIN={configured} is not an executable file. {INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(f"No Chromium or Chrome browser found on PATH. {INSTALL_HINT}")


def find_chromedriver(browser_binary: str | None = None) -> str:
    """Path of a chromedriver: CHROMEDRIVER, then PATH, then webdriver-manager."""
    configured = os.environ.get("CHROMEDRIVER")
    if configured:
        if _is_executable(configured):
            return configured
        raise BrowserUnavailable(f"CHROMEDRIVER={configured} is not an executable file. {INSTALL_HINT}")
    found = shutil.which("chromedriver")
    if found:
        return found
    try:
        return download_chromedriver(browser_binary)
    except Exception as error:  # webdriver-manager raises many kinds (network, parsing, OS)
        raise BrowserUnavailable(
            f"No chromedriver on PATH, and webdriver-manager could not download one ({error}). {INSTALL_HINT}"
        ) from error


def download_chromedriver(browser_binary: str | None) -> str:
    """Fetch a chromedriver matching the browser with webdriver-manager (needs the internet)."""
    from webdriver_manager.chrome import ChromeDriverManager
    from webdriver_manager.core.os_manager import ChromeType

    is_chromium = browser_binary is not None and "chromium" in os.path.basename(browser_binary)
    chrome_type = ChromeType.CHROMIUM if is_chromium else ChromeType.GOOGLE
    return ChromeDriverManager(chrome_type=chrome_type).install()


def chrome_options(
    *,
    browser_binary: str,
    profile_dir: str,
    window_size: tuple[int, int] = DEFAULT_WINDOW_SIZE,
    user_agent: str | None = None,
) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = browser_binary
    for flag in LAUNCH_FLAGS:
        options.add_argument(flag)
    width, height = window_size
    options.add_argument(f"--window-size={width},{height}")
    # A fresh profile per browser: no state leaks between runs or parallel tests.
    options.add_argument(f"--user-data-dir={profile_dir}")
    if user_agent:
        options.add_argument(f"--user-agent={user_agent}")
    return options


class ChromeWithTemporaryProfile(webdriver.Chrome):
    """A Chrome driver that deletes its throw-away profile directory when it quits."""

    def __init__(self, *, profile_dir: str, **kwargs) -> None:
        self.profile_dir = profile_dir
        super().__init__(**kwargs)

    def quit(self) -> None:
        try:
            super().quit()
        finally:
            shutil.rmtree(self.profile_dir, ignore_errors=True)


def start_chrome(
    *,
    window_size: tuple[int, int] = DEFAULT_WINDOW_SIZE,
    user_agent: str | None = None,
    page_load_timeout: float | None = None,
    capabilities: dict | None = None,
) -> webdriver.Chrome:
    """Launch headless Chromium. The caller must ``quit()`` it (or use open_chrome).
    `capabilities` are added as they are (e.g. ``goog:loggingPrefs`` for browser tests)."""
    browser_binary = find_browser_binary()
    driver_path = find_chromedriver(browser_binary)
    profile_dir = tempfile.mkdtemp(prefix="teenplay-chrome-")
    options = chrome_options(
        browser_binary=browser_binary, profile_dir=profile_dir, window_size=window_size, user_agent=user_agent
    )
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    try:
        driver = ChromeWithTemporaryProfile(
            profile_dir=profile_dir, service=Service(executable_path=driver_path), options=options
        )
    except WebDriverException as error:
        shutil.rmtree(profile_dir, ignore_errors=True)
        raise BrowserUnavailable(
            f"Could not start {browser_binary} with {driver_path}: {error.msg or error}. {INSTALL_HINT}"
        ) from error
    except BaseException:
        shutil.rmtree(profile_dir, ignore_errors=True)
        raise
    if page_load_timeout is not None:
        driver.set_page_load_timeout(page_load_timeout)
    log.debug("started %s with %s (profile %s)", browser_binary, driver_path, profile_dir)
    return driver


@contextmanager
def open_chrome(**kwargs) -> Iterator[webdriver.Chrome]:
    """start_chrome() as a context manager: the browser always quits."""
    driver = start_chrome(**kwargs)
    try:
        yield driver
    finally:
        driver.quit()


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
