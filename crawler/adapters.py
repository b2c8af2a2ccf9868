"""Site adapters: turn a loaded site into raw rows, one list page at a time.

Two shapes cover the five sources: a blog list that grows as you scroll
(clubs) and a list of items over pages (the four activity sources). Each adapter
is a generator of PageResult, so the runner writes rows as they come and a
failure later in the run costs nothing already collected.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from crawler.errors import PageLoadError, RobotsDisallowed
from crawler.loader import PageLoader
from crawler.options import CrawlOptions
from crawler.sites import ActivityListSite, ClubBlogSite, NextLinkPaging, QueryParamPaging, Site
from crawler.text import extract_club_name, multi_line, single_line, unique

log = logging.getLogger(__name__)

Row = dict[str, str]
OnStep = Callable[[], None]

# A list site that fails this many pages in a row is down or blocking us.
MAX_CONSECUTIVE_FAILURES = 3
_POLL_SECONDS = 0.05

_PAGE_HEIGHT_JS = "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);"
_SCROLL_TO_BOTTOM_JS = "window.scrollTo(0, Math.max(document.body.scrollHeight, document.documentElement.scrollHeight));"
# One round trip for all matches instead of one per element.
_TEXTS_JS = "return Array.from(document.querySelectorAll(arguments[0]), element => element.innerText);"
_ITEMS_JS = """
const [itemSelector, fieldSelectors] = arguments;
return Array.from(document.querySelectorAll(itemSelector), item => {
  const values = {};
  for (const [name, selector] of Object.entries(fieldSelectors)) {
    const element = item.querySelector(selector);
    values[name] = element ? element.innerText : "";
  }
  return values;
});
"""
_NEXT_LINK_JS = "const link = document.querySelector(arguments[0]); return link ? link.href : null;"


@dataclass
class PageResult:
    """What one list page gave: rows, or the reason it was skipped."""

    url: str
    rows: list[Row] = field(default_factory=list)
    error: str | None = None
    scrolls: int = 0


def site_pages(site: Site, start_url: str, loader: PageLoader, driver: WebDriver,
               options: CrawlOptions, on_step: OnStep) -> Iterator[PageResult]:
    """The adapter for this kind of site."""
    if isinstance(site, ClubBlogSite):
        return club_blog_pages(site, start_url, loader, driver, options, on_step)
    return activity_list_pages(site, start_url, loader, driver, options, on_step)


# --- clubs: an infinitely scrolling blog list -------------------------------------------


def club_blog_pages(site: ClubBlogSite, start_url: str, loader: PageLoader, driver: WebDriver,
                    options: CrawlOptions, on_step: OnStep) -> Iterator[PageResult]:
    try:
        loader.load(start_url)
    except (PageLoadError, RobotsDisallowed) as error:
        log.warning("skipped %s: %s", start_url, error)
        yield PageResult(start_url, error=str(error))
        return
    scrolls = scroll_until_stable(driver, max_scrolls=options.max_scrolls, wait=options.scroll_wait,
                                  on_scroll=on_step)
    titles = driver.execute_script(_TEXTS_JS, site.title_selector)
    names = unique(name for name in map(extract_club_name, titles) if name)
    rows = [{"club_title": name, "category_name": ""} for name in names]
    yield PageResult(start_url, rows, scrolls=scrolls)


def scroll_until_stable(driver: WebDriver, *, max_scrolls: int, wait: float,
                        on_scroll: OnStep = lambda: None) -> int:
    """Scroll to the bottom until the page stops growing; return the scrolls made.

    After each scroll we wait up to ``wait`` seconds for the height to grow and
    move on as soon as it does, instead of always sleeping the full pause.
    """
    height = driver.execute_script(_PAGE_HEIGHT_JS)
    for scroll in range(1, max_scrolls + 1):
        driver.execute_script(_SCROLL_TO_BOTTOM_JS)
        grown_height = _wait_for_growth(driver, height, wait)
        on_scroll()
        if grown_height is None:
            return scroll
        height = grown_height
    log.info("stopped after --max-scrolls=%d; the list may go on", max_scrolls)
    return max_scrolls


def _wait_for_growth(driver: WebDriver, height: int, wait: float) -> int | None:
    deadline = time.monotonic() + wait
    while True:
        new_height = driver.execute_script(_PAGE_HEIGHT_JS)
        if new_height > height:
            return new_height
        if time.monotonic() >= deadline:
            return None
        time.sleep(_POLL_SECONDS)


# --- activities: a list of items over pages -------------------------------------------


def activity_list_pages(site: ActivityListSite, start_url: str, loader: PageLoader, driver: WebDriver,
                        options: CrawlOptions, on_step: OnStep) -> Iterator[PageResult]:
    """Walk the list's pages under the site's paging rule, yielding each page's rows."""
    url: str | None = start_url
    visited: set[str] = set()
    previous_rows: list[Row] | None = None
    failures_in_a_row = 0
    for page_index in range(options.max_pages):
        if url is None or url in visited:
            return
        visited.add(url)
        result = _scrape_list_page(site, url, loader, driver, options)
        on_step()
        yield result
        if result.error:
            failures_in_a_row += 1
            if failures_in_a_row >= MAX_CONSECUTIVE_FAILURES:
                log.warning("%s: %d pages in a row failed; stopping", site.name, failures_in_a_row)
                return
        else:
            failures_in_a_row = 0
            if _list_ended(site, result.rows, previous_rows):
                return
            previous_rows = result.rows
        url = _next_page_url(site, start_url, page_index, driver, result)
    if url is not None:
        log.info("%s: stopped after --max-pages=%d; the list may go on", site.name, options.max_pages)


def _scrape_list_page(site: ActivityListSite, url: str, loader: PageLoader, driver: WebDriver,
                      options: CrawlOptions) -> PageResult:
    try:
        loader.load(url)
    except (PageLoadError, RobotsDisallowed) as error:
        log.warning("skipped %s: %s", url, error)
        return PageResult(url, error=str(error))
    _wait_for_items(driver, site.item_selector, options.render_wait)
    items = driver.execute_script(_ITEMS_JS, site.item_selector, _field_selectors(site))
    rows = [row for row in (_activity_row(item, site) for item in items) if row["activity_title"]]
    return PageResult(url, rows)


def _wait_for_items(driver: WebDriver, item_selector: str, wait: float) -> None:
    # Lists drawn by JavaScript after the load event need a moment; a page that
    # really has no items costs one wait and then ends the walk.
    try:
        WebDriverWait(driver, wait, poll_frequency=_POLL_SECONDS).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, item_selector)
        )
    except TimeoutException:
        pass


def _field_selectors(site: ActivityListSite) -> dict[str, str]:
    fields = site.fields
    selectors = {"title": fields.title, "content": fields.content, "intro": fields.intro,
                 "location": fields.location, "category": fields.category}
    return {name: selector for name, selector in selectors.items() if selector}


def _activity_row(item: dict[str, str], site: ActivityListSite) -> Row:
    return {
        "activity_title": single_line(item.get("title")),
        "activity_content": multi_line(item.get("content")),
        "activity_intro": multi_line(item.get("intro")),
        "activity_address_location": single_line(item.get("location")),
        "category_name": single_line(item.get("category")),
        "source": site.source,
    }


def _list_ended(site: ActivityListSite, rows: list[Row], previous_rows: list[Row] | None) -> bool:
    if not rows:
        log.info("%s: a page with no items; end of the list", site.name)
        return True
    if rows == previous_rows:
        log.info("%s: a page repeats the previous one; end of the list", site.name)
        return True
    return False


def _next_page_url(site: ActivityListSite, start_url: str, page_index: int, driver: WebDriver,
                   result: PageResult) -> str | None:
    paging = site.paging
    if isinstance(paging, QueryParamPaging):
        return with_query_param(start_url, paging.param, _first_page_number(start_url, paging) + page_index + 1)
    if isinstance(paging, NextLinkPaging):
        if result.error:
            log.warning("%s: cannot follow the next link of a page that failed; stopping", site.name)
            return None
        return driver.execute_script(_NEXT_LINK_JS, paging.selector)
    return None


def _first_page_number(start_url: str, paging: QueryParamPaging) -> int:
    # --start-url may already point into the list (?page=3): count on from there.
    value = dict(parse_qsl(urlsplit(start_url).query)).get(paging.param, "")
    return int(value) if value.isdigit() else paging.first


def with_query_param(url: str, name: str, value: object) -> str:
    """url with query parameter name set to value (added or replaced)."""
    parts = urlsplit(url)
    query = [(key, val) for key, val in parse_qsl(parts.query, keep_blank_values=True) if key != name]
    query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))
