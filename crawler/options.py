"""Run-time knobs of a crawl: politeness, limits and waits (site markup lives in sites.py)."""
from __future__ import annotations

from dataclasses import dataclass

# A current desktop Chrome string: sites serve headless Chrome's default
# ("HeadlessChrome/...") a different page or none at all.
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
# The product token matched against robots.txt "User-agent:" lines (with "*").
ROBOTS_AGENT = "TeenplayCrawler"


@dataclass(frozen=True)
class CrawlOptions:
    """How hard and how long to crawl. Defaults suit a live site; tests shrink the waits."""

    delay: float = 1.0  # seconds between two page loads (robots.txt Crawl-delay can raise it)
    max_pages: int = 20  # list pages per site
    max_items: int | None = None  # new rows per site; None = no limit
    max_scrolls: int = 50  # scrolls of an infinitely scrolling list
    scroll_wait: float = 2.0  # how long a scroll may take to grow the page before we call it the end
    render_wait: float = 5.0  # how long to wait for list items drawn by JavaScript
    page_timeout: float = 30.0  # page load timeout, per attempt
    retries: int = 2  # extra attempts after a timeout / network error / 5xx
    backoff: float = 2.0  # first pause before a retry; doubles each time
    respect_robots: bool = True
    user_agent: str = DEFAULT_USER_AGENT
    window_size: tuple[int, int] = (1366, 900)

    def __post_init__(self) -> None:
        for name in ("delay", "scroll_wait", "render_wait", "backoff"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for name in ("max_pages", "max_scrolls"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.page_timeout <= 0:
            raise ValueError("page_timeout must be > 0")
        if self.retries < 0:
            raise ValueError("retries must be >= 0")
        if self.max_items is not None and self.max_items < 1:
            raise ValueError("max_items must be >= 1")
