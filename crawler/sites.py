"""One declarative config per source site: start URL, selectors and paging rule.

When a site changes its markup, the fix is a selector here. ``--start-url``
points a config at another URL with the same markup (a local copy, a second
category of the same marketplace).

The club blog's selector matches its post titles. The four activity sources'
selectors describe the list structure the adapters rely on (and the test copies
in tests/fixtures/sites/ reproduce); check them against the live site before a
real run, since these sites restyle often.
"""
from __future__ import annotations

from dataclasses import dataclass

from crawler.formats import (
    ACTIVITY_MARKET,
    ACTIVITY_SOURCES,
    CAMPAIGN,
    CLASS_MARKET,
    EXPERIENCE_BOARD,
)


@dataclass(frozen=True)
class NextLinkPaging:
    """Follow the page's own "next" link until a page has none."""

    selector: str


@dataclass(frozen=True)
class QueryParamPaging:
    """Ask for page N by setting a query parameter (``?page=N``) on the start URL.

    Stops at the first page with no items, or one that repeats the previous page
    (some sites answer an out-of-range page number with the last page).
    """

    param: str = "page"
    first: int = 1


Paging = NextLinkPaging | QueryParamPaging | None  # None: the list is one page


@dataclass(frozen=True)
class ClubBlogSite:
    """A blog whose post list grows as you scroll; club names sit in the post titles."""

    name: str
    start_url: str
    title_selector: str


@dataclass(frozen=True)
class ActivityFields:
    """CSS selectors, relative to one list item, for the raw activity columns.

    Only the title is required; a missing selector leaves the column empty to be
    filled by hand later (content, intro and category usually are).
    ``":scope"`` selects the item element itself.
    """

    title: str
    content: str | None = None
    intro: str | None = None
    location: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class ActivityListSite:
    """A list of activities (board rows, cards in a grid), possibly over several pages."""

    name: str
    source: str
    start_url: str
    item_selector: str
    fields: ActivityFields
    paging: Paging = None

    def __post_init__(self) -> None:
        if self.source not in ACTIVITY_SOURCES:
            raise ValueError(f"unknown activity source {self.source!r}; expected one of {ACTIVITY_SOURCES}")


Site = ClubBlogSite | ActivityListSite


CLUB_BLOG = ClubBlogSite(
    name="clubs",
    start_url="https://m.blog.naver.com/so_moim?tab=1",
    title_selector=".title__UUn4H span",
)

EXPERIENCE_BOARD_SITE = ActivityListSite(
    name=EXPERIENCE_BOARD,
    source=EXPERIENCE_BOARD,
    start_url="https://www.ppomppu.co.kr/zboard/zboard.php?id=experience",
    item_selector="tr.baseList",
    fields=ActivityFields(title="a.baseList-title"),
    paging=NextLinkPaging(selector="#page_list a.next, a[rel='next']"),
)

CLASS_MARKET_SITE = ActivityListSite(
    name=CLASS_MARKET,
    source=CLASS_MARKET,
    start_url="https://kmong.com/category/24001",
    item_selector="article.gig-card",
    fields=ActivityFields(title=".gig-card__title", intro=".gig-card__subtitle"),
)

ACTIVITY_MARKET_SITE = ActivityListSite(
    name=ACTIVITY_MARKET,
    source=ACTIVITY_MARKET,
    start_url="https://www.frip.co.kr/category/beauty/all",
    item_selector="a[href^='/products/']",
    fields=ActivityFields(title="[data-role='title']", location="[data-role='region']"),
    paging=QueryParamPaging(param="page"),
)

CAMPAIGN_SITE = ActivityListSite(
    name=CAMPAIGN,
    source=CAMPAIGN,
    start_url="https://meta-chehumdan.com/campaign_list.php?category_id=001A",
    item_selector=".campaign_list .campaign_item",
    fields=ActivityFields(
        title=".campaign_item__subject",
        content=".campaign_item__offer",
        location=".campaign_item__area",
        category=".campaign_item__category",
    ),
    paging=NextLinkPaging(selector=".paging a.next"),
)

SITES: dict[str, Site] = {
    site.name: site
    for site in (CLUB_BLOG, EXPERIENCE_BOARD_SITE, CLASS_MARKET_SITE, ACTIVITY_MARKET_SITE, CAMPAIGN_SITE)
}

# Names that stand for several sites crawled one after another into one file.
SITE_GROUPS: dict[str, tuple[str, ...]] = {
    "activities": (EXPERIENCE_BOARD, CLASS_MARKET, ACTIVITY_MARKET, CAMPAIGN),
}


def sites_named(name: str) -> tuple[Site, ...]:
    """The site(s) a command-line SITE argument stands for."""
    if name in SITES:
        return (SITES[name],)
    if name in SITE_GROUPS:
        return tuple(SITES[member] for member in SITE_GROUPS[name])
    known = ", ".join([*SITES, *SITE_GROUPS])
    raise KeyError(f"unknown site {name!r}; choose one of: {known}")
