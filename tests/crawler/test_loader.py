"""PageLoader's politeness and retry rules, with a stand-in driver (no browser)."""
import logging

import pytest
from selenium.common.exceptions import TimeoutException

from crawler.errors import PageLoadError, RobotsDisallowed
from crawler.loader import PageLoader
from crawler.options import CrawlOptions


class FakeDriver:
    """Answers driver.get() from a script: per URL, a list of outcomes ("ok", "timeout", or a status)."""

    def __init__(self, outcomes):
        self.outcomes = {url: list(results) for url, results in outcomes.items()}
        self.visits = []
        self.page_load_timeout = None
        self._status = 200

    def set_page_load_timeout(self, seconds):
        self.page_load_timeout = seconds

    def get(self, url):
        self.visits.append(url)
        outcome = self.outcomes[url].pop(0)
        if outcome == "timeout":
            raise TimeoutException("timed out")
        self._status = 200 if outcome == "ok" else outcome

    def execute_script(self, script, *args):
        return None if "stop" in script else self._status


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def __call__(self):
        return self.now


class FakeRobots:
    def __init__(self, disallowed=(), crawl_delay=None):
        self.disallowed = set(disallowed)
        self.delay = crawl_delay

    def can_fetch(self, url):
        return url not in self.disallowed

    def crawl_delay(self, url):
        return self.delay

    def refusal_message(self, url):
        return f"robots.txt disallows {url}"


def loader_for(driver, clock, robots=None, **options):
    return PageLoader(driver, CrawlOptions(**options), robots, sleep=clock.sleep, clock=clock)


def test_sets_the_page_load_timeout():
    driver = FakeDriver({})
    loader_for(driver, FakeClock(), page_timeout=7)
    assert driver.page_load_timeout == 7


def test_waits_the_delay_between_loads_but_not_before_the_first():
    driver, clock = FakeDriver({"http://a/1": ["ok"], "http://a/2": ["ok"]}), FakeClock()
    loader = loader_for(driver, clock, delay=1.5)
    loader.load("http://a/1")
    clock.now += 0.5  # reading the page took half a second
    loader.load("http://a/2")
    assert clock.sleeps == [1.0]


def test_a_robots_crawl_delay_longer_than_ours_wins():
    driver, clock = FakeDriver({"http://a/1": ["ok"], "http://a/2": ["ok"]}), FakeClock()
    loader = loader_for(driver, clock, FakeRobots(crawl_delay=4), delay=1)
    loader.load("http://a/1")
    loader.load("http://a/2")
    assert clock.sleeps == [4.0]


def test_retries_a_timeout_with_doubling_backoff(caplog):
    driver, clock = FakeDriver({"http://a/1": ["timeout", "timeout", "ok"]}), FakeClock()
    loader = loader_for(driver, clock, delay=0, retries=2, backoff=2)
    with caplog.at_level(logging.WARNING, logger="crawler"):
        loader.load("http://a/1")
    assert driver.visits == ["http://a/1"] * 3
    assert clock.sleeps == [2.0, 4.0]
    assert "retrying" in caplog.text


def test_gives_up_after_the_last_retry():
    driver, clock = FakeDriver({"http://a/1": ["timeout", "timeout"]}), FakeClock()
    loader = loader_for(driver, clock, delay=0, retries=1, backoff=0, page_timeout=3)
    with pytest.raises(PageLoadError, match=r"timed out after 3 s \(gave up after 2 attempts\)"):
        loader.load("http://a/1")


def test_server_errors_are_retried_but_not_found_is_not():
    driver, clock = FakeDriver({"http://a/1": [503, "ok"], "http://a/2": [404]}), FakeClock()
    loader = loader_for(driver, clock, delay=0, retries=2, backoff=0)
    loader.load("http://a/1")
    with pytest.raises(PageLoadError, match="HTTP 404"):
        loader.load("http://a/2")
    assert driver.visits == ["http://a/1", "http://a/1", "http://a/2"]


def test_a_disallowed_url_is_never_requested():
    driver, clock = FakeDriver({"http://a/private": ["ok"]}), FakeClock()
    loader = loader_for(driver, clock, FakeRobots(disallowed={"http://a/private"}))
    with pytest.raises(RobotsDisallowed, match="robots.txt disallows http://a/private"):
        loader.load("http://a/private")
    assert driver.visits == []
