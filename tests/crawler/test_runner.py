"""The runner's guarantees that need no real browser: the browser always quits; site configs are sane."""
import dataclasses

import pytest

import crawler.runner as runner_module
from crawler.formats import ACTIVITY_SOURCES
from crawler.options import CrawlOptions
from crawler.runner import CrawlSummary, crawl
from crawler.sites import SITE_GROUPS, SITES, ActivityListSite, ClubBlogSite, sites_named


class ExplodingDriver:
    def __init__(self):
        self.quit_called = False

    def set_page_load_timeout(self, seconds):
        pass

    def get(self, url):
        raise RuntimeError("the browser crashed")

    def quit(self):
        self.quit_called = True


def test_the_browser_quits_even_when_the_crawl_blows_up(monkeypatch, tmp_path):
    driver = ExplodingDriver()
    monkeypatch.setattr(runner_module, "start_chrome", lambda **kwargs: driver)
    options = CrawlOptions(respect_robots=False, delay=0)

    with pytest.raises(RuntimeError, match="crashed"):
        crawl(SITES["class_market"], out=tmp_path / "a.csv", options=options, show_progress=False)
    assert driver.quit_called


def test_a_borrowed_browser_is_left_open(tmp_path):
    driver = ExplodingDriver()
    options = CrawlOptions(respect_robots=False, delay=0)
    with pytest.raises(RuntimeError):
        crawl(SITES["class_market"], out=tmp_path / "a.csv", options=options, driver=driver, show_progress=False)
    assert not driver.quit_called


def test_summary_line_names_every_count(tmp_path):
    summary = CrawlSummary(site="clubs", out=tmp_path / "c.csv", pages=1, scrolls=7, rows=30, duplicates=4, errors=0)
    assert summary.line() == f"clubs: 1 page, 7 scrolls, 30 rows written, 4 duplicates dropped, 0 errors -> {tmp_path / 'c.csv'}"


def test_every_activity_source_has_one_site_and_the_club_blog_uses_the_seed_selector():
    activity_sites = [site for site in SITES.values() if isinstance(site, ActivityListSite)]
    assert sorted(site.source for site in activity_sites) == sorted(ACTIVITY_SOURCES)
    assert SITES["clubs"] == ClubBlogSite(
        name="clubs", start_url="https://m.blog.naver.com/so_moim?tab=1", title_selector=".title__UUn4H span"
    )
    assert [site.name for site in sites_named("activities")] == list(SITE_GROUPS["activities"])


def test_site_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SITES["clubs"].start_url = "http://elsewhere/"


def test_an_unknown_site_lists_the_known_ones():
    with pytest.raises(KeyError, match="clubs, experience_board"):
        sites_named("nope")


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown activity source"):
        dataclasses.replace(SITES["campaign"], source="blog")


def test_options_are_validated():
    with pytest.raises(ValueError, match="max_pages"):
        CrawlOptions(max_pages=0)
