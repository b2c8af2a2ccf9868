"""Command-line interface shared by ``python -m crawler`` and ``manage.py crawl``.

Both build the same arguments with add_crawl_arguments() and run run_crawls();
only the way they report (exit code vs. CommandError) differs.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import CrawlError, RobotsDisallowed
from crawler.options import DEFAULT_USER_AGENT, CrawlOptions
from crawler.runner import CrawlSummary, crawl, raw_format_for
from crawler.sites import SITE_GROUPS, SITES, sites_named

DEFAULT_OUT_DIR = Path("datasets") / "raw"


@dataclass
class CrawlReport:
    summaries: list[CrawlSummary] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # sites of a group that could not be crawled


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = CrawlOptions()
    parser.add_argument("site", choices=[*SITES, *SITE_GROUPS],
                        help="source to crawl; 'activities' crawls the four activity sources into one file")
    parser.add_argument("--out", metavar="PATH",
                        help=f"CSV to write or extend (default: {DEFAULT_OUT_DIR}/clubs.csv or activities.csv)")
    parser.add_argument("--start-url", metavar="URL",
                        help="crawl this URL instead of the site's own (same markup, e.g. a local copy)")
    parser.add_argument("--max-pages", type=_positive_int, default=defaults.max_pages, metavar="N")
    parser.add_argument("--max-items", type=_positive_int, default=None, metavar="N",
                        help="stop after writing N new rows")
    parser.add_argument("--max-scrolls", type=_positive_int, default=defaults.max_scrolls, metavar="N")
    parser.add_argument("--scroll-wait", type=_seconds, default=defaults.scroll_wait, metavar="SECONDS",
                        help="how long a scroll may take to load more posts (default: %(default)s)")
    parser.add_argument("--render-wait", type=_seconds, default=defaults.render_wait, metavar="SECONDS",
                        help="how long to wait for list items drawn by JavaScript (default: %(default)s)")
    parser.add_argument("--delay", type=_seconds, default=_default_delay(defaults), metavar="SECONDS",
                        help="pause between page loads (default: $CRAWL_DELAY or %(default)s)")
    parser.add_argument("--page-timeout", type=_seconds, default=defaults.page_timeout, metavar="SECONDS")
    parser.add_argument("--retries", type=_non_negative_int, default=defaults.retries, metavar="N")
    parser.add_argument("--backoff", type=_seconds, default=defaults.backoff, metavar="SECONDS",
                        help="first pause before a retry, doubled each time (default: %(default)s)")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="do not honour robots.txt (only with the site's permission)")
    parser.add_argument("--user-agent", default=DEFAULT_USER_AGENT, metavar="STRING")
    parser.add_argument("--window-size", type=_window_size, default=defaults.window_size, metavar="WIDTHxHEIGHT")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def options_from_arguments(arguments: Mapping[str, Any]) -> CrawlOptions:
    try:
        return CrawlOptions(
            delay=arguments["delay"],
            max_pages=arguments["max_pages"],
            max_items=arguments["max_items"],
            max_scrolls=arguments["max_scrolls"],
            scroll_wait=arguments["scroll_wait"],
            render_wait=arguments["render_wait"],
            page_timeout=arguments["page_timeout"],
            retries=arguments["retries"],
            backoff=arguments["backoff"],
            respect_robots=not arguments["ignore_robots"],
            user_agent=arguments["user_agent"],
            window_size=arguments["window_size"],
        )
    except ValueError as error:
        raise CrawlError(f"invalid option: {error}") from error


def run_crawls(arguments: Mapping[str, Any], *, out_dir: Path = DEFAULT_OUT_DIR) -> CrawlReport:
    """Crawl the site(s) the arguments name. Raises CrawlError when a single site cannot be crawled."""
    name = arguments["site"]
    sites = sites_named(name)
    start_url = arguments.get("start_url")
    if start_url and len(sites) > 1:
        raise CrawlError(f"--start-url applies to one site, and {name!r} stands for {len(sites)}; name one of them")
    options = options_from_arguments(arguments)
    # Every activity source shares one file (its key includes the source), as
    # the cleaning step expects: datasets/raw/clubs.csv and activities.csv.
    out = Path(arguments.get("out") or out_dir / f"{raw_format_for(sites[0]).name}.csv")
    show_progress = not arguments.get("no_progress", False)
    report = CrawlReport()
    for site in sites:
        try:
            report.summaries.append(
                crawl(site, out=out, options=options, start_url=start_url, show_progress=show_progress)
            )
        except RobotsDisallowed as error:
            if len(sites) == 1:
                raise
            report.failures.append(f"{site.name}: {error}")  # the group's other sites still run
    return report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crawler",
        description="Crawl club or activity listings into a raw CSV (UTF-8 with BOM), in headless Chromium.",
    )
    add_crawl_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        report = run_crawls(vars(arguments))
    except CrawlError as error:
        print(f"crawl: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crawl: interrupted; the rows written so far are kept", file=sys.stderr)
        return 130
    for summary in report.summaries:
        print(summary.line())
    for failure in report.failures:
        print(f"crawl: error: {failure}", file=sys.stderr)
    return 1 if report.failures else 0


def _default_delay(defaults: CrawlOptions) -> str:
    # A string default goes through the argument's type, so a bad CRAWL_DELAY
    # gets argparse's usual error message rather than a traceback.
    return os.environ.get("CRAWL_DELAY") or str(defaults.delay)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, got {text}")
    return value


def _window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1366x900, got {text!r}") from None
    return width, height
