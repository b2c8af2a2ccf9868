"""Run one site's crawl end to end: robots gate, browser, adapter, CSV, summary."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from selenium.webdriver.remote.webdriver import WebDriver
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from crawler.adapters import PageResult, site_pages
from crawler.driver import start_chrome
from crawler.errors import RobotsDisallowed
from crawler.formats import ACTIVITIES, CLUBS, RawFormat
from crawler.loader import PageLoader
from crawler.options import CrawlOptions
from crawler.output import CsvSink
from crawler.robots import RobotsRules
from crawler.sites import ActivityListSite, ClubBlogSite, Site

log = logging.getLogger(__name__)


@dataclass
class CrawlSummary:
    """Counts for the one-line report at the end of a crawl."""

    site: str
    out: Path
    pages: int = 0  # pages loaded and read
    scrolls: int = 0
    rows: int = 0  # new rows written
    duplicates: int = 0  # rows dropped: already in the file or seen earlier in this run
    errors: int = 0  # pages skipped after failing to load
    item_limit_reached: bool = False

    def line(self) -> str:
        parts = [f"{self.pages} page{'s' if self.pages != 1 else ''}"]
        if self.scrolls:
            parts.append(f"{self.scrolls} scrolls")
        parts += [f"{self.rows} rows written", f"{self.duplicates} duplicates dropped", f"{self.errors} errors"]
        limit_note = " (stopped at --max-items)" if self.item_limit_reached else ""
        return f"{self.site}: {', '.join(parts)}{limit_note} -> {self.out}"


def raw_format_for(site: Site) -> RawFormat:
    return CLUBS if isinstance(site, ClubBlogSite) else ACTIVITIES


def crawl(
    site: Site,
    *,
    out: Path | str,
    options: CrawlOptions = CrawlOptions(),
    start_url: str | None = None,
    driver: WebDriver | None = None,
    show_progress: bool = True,
) -> CrawlSummary:
    """Crawl site into the CSV at out (appending new rows) and return the counts.

    Pass ``driver`` to reuse an open browser (it is left open); otherwise one is
    started and always quit. Raises RobotsDisallowed before any browser starts
    when robots.txt forbids the start URL.
    """
    url = start_url or site.start_url
    robots = RobotsRules(user_agent=options.user_agent) if options.respect_robots else None
    if robots is not None and not robots.can_fetch(url):
        raise RobotsDisallowed(robots.refusal_message(url))
    summary = CrawlSummary(site=site.name, out=Path(out))
    # The browser first: if it cannot start, no empty output file is left behind.
    with (
        _browser(driver, options) as browser,
        CsvSink(out, raw_format_for(site)) as sink,
        _progress_bar(site, options, enabled=show_progress) as bar,
        logging_redirect_tqdm(),
    ):
        loader = PageLoader(browser, options, robots)
        for page in site_pages(site, url, loader, browser, options, on_step=bar.update):
            _record(page, sink, summary, options)
            if summary.item_limit_reached:
                break
    log.debug(summary.line())
    return summary


def _record(page: PageResult, sink: CsvSink, summary: CrawlSummary, options: CrawlOptions) -> None:
    summary.scrolls += page.scrolls
    if page.error:
        summary.errors += 1
        return
    summary.pages += 1
    # Row by row, so that duplicates never count against --max-items.
    for row in page.rows:
        if _item_limit_reached(summary, options):
            break
        counts = sink.write([row])
        summary.rows += counts.written
        summary.duplicates += counts.duplicates
    summary.item_limit_reached = _item_limit_reached(summary, options)


def _item_limit_reached(summary: CrawlSummary, options: CrawlOptions) -> bool:
    return options.max_items is not None and summary.rows >= options.max_items


@contextmanager
def _browser(driver: WebDriver | None, options: CrawlOptions) -> Iterator[WebDriver]:
    if driver is not None:
        yield driver  # the caller's browser: theirs to quit
        return
    own = start_chrome(window_size=options.window_size, user_agent=options.user_agent)
    try:
        yield own
    finally:
        own.quit()


def _progress_bar(site: Site, options: CrawlOptions, *, enabled: bool):
    if isinstance(site, ClubBlogSite):
        total, unit = options.max_scrolls, "scroll"
    else:
        total, unit = (options.max_pages if isinstance(site, ActivityListSite) and site.paging else 1), "page"
    if not enabled:
        return nullcontext(_SilentBar())
    return tqdm(total=total, unit=unit, desc=site.name, leave=False)


class _SilentBar:
    def update(self, n: int = 1) -> None:
        pass
