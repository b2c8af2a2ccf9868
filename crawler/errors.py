"""Errors the crawler reports to its user as one clear message."""


class CrawlError(Exception):
    """A crawl could not start or finish; the message says why and what to do."""


class BrowserUnavailable(CrawlError):
    """No usable headless Chromium and chromedriver were found."""


class RobotsDisallowed(CrawlError):
    """robots.txt forbids fetching a URL."""


class OutputFormatError(CrawlError):
    """The output file exists but holds another format than this crawl writes."""


class PageLoadError(CrawlError):
    """A page could not be loaded, even after retries."""


class TransientLoadError(PageLoadError):
    """A load failure worth retrying (timeout, network error, 5xx)."""
