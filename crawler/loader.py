"""Polite page loading: robots.txt, a pause between loads, retries with backoff."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from crawler.errors import PageLoadError, RobotsDisallowed, TransientLoadError
from crawler.options import CrawlOptions
from crawler.robots import RobotsRules

log = logging.getLogger(__name__)

# HTTP status of the current document (Chrome 109+); 0 when the load failed at
# the network level and Chrome shows its own error page.
_NAVIGATION_STATUS_JS = (
    "const entry = performance.getEntriesByType('navigation')[0];"
    "return entry && 'responseStatus' in entry ? entry.responseStatus : null;"
)


class PageLoader:
    """Loads URLs in one browser tab, the way a considerate visitor would."""

    def __init__(
        self,
        driver: WebDriver,
        options: CrawlOptions,
        robots: RobotsRules | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._driver = driver
        self._options = options
        self._robots = robots
        self._sleep = sleep
        self._clock = clock
        self._last_load_at: float | None = None
        driver.set_page_load_timeout(options.page_timeout)

    def load(self, url: str) -> None:
        """Navigate to url, or raise RobotsDisallowed / PageLoadError (after retries)."""
        if self._robots is not None and not self._robots.can_fetch(url):
            raise RobotsDisallowed(self._robots.refusal_message(url))
        attempts = self._options.retries + 1
        for attempt in range(attempts):
            self._pause_before_load(url)
            try:
                self._navigate(url)
                return
            except TransientLoadError as error:
                if attempt + 1 == attempts:
                    raise PageLoadError(f"{url}: {error} (gave up after {attempts} attempts)") from error
                pause = self._options.backoff * 2**attempt
                log.warning("%s: %s; retrying in %.1f s", url, error, pause)
                self._sleep(pause)

    def _pause_before_load(self, url: str) -> None:
        if self._last_load_at is None:
            return
        delay = self._options.delay
        if self._robots is not None:
            delay = max(delay, self._robots.crawl_delay(url) or 0.0)
        remaining = delay - (self._clock() - self._last_load_at)
        if remaining > 0:
            self._sleep(remaining)

    def _navigate(self, url: str) -> None:
        try:
            self._driver.get(url)
        except TimeoutException as error:
            self._stop_loading()
            raise TransientLoadError(f"timed out after {self._options.page_timeout:g} s") from error
        except WebDriverException as error:
            # Some chromedriver versions raise for DNS/connection failures instead
            # of showing an error page; those are worth a retry, anything else is not.
            if "net::ERR_" in (error.msg or ""):
                raise TransientLoadError(error.msg.strip()) from error
            raise
        finally:
            self._last_load_at = self._clock()
        self._check_status(url)

    def _check_status(self, url: str) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            return
        status = self._driver.execute_script(_NAVIGATION_STATUS_JS)
        if status is None:
            return  # the browser does not report it; trust the load
        if status == 0:
            raise TransientLoadError("network error (the browser shows its error page)")
        if status >= 500 or status == 429:
            raise TransientLoadError(f"HTTP {status}")
        if status >= 400:
            raise PageLoadError(f"{url}: HTTP {status}")

    def _stop_loading(self) -> None:
        # Chrome keeps loading after the driver's timeout; stop it so the next
        # navigation starts clean.
        try:
            self._driver.execute_script("window.stop();")
        except WebDriverException:
            pass
