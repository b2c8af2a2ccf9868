"""robots.txt rules per site origin, read with urllib.robotparser.

robots.txt is fetched with urllib (not the browser), so a disallowed site gets
no request but that one. Status handling follows RFC 9309: a missing robots.txt
(4xx) allows everything; an unreachable one (5xx, network error) disallows
everything, since we cannot know what the site wants.
"""
from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from crawler.options import ROBOTS_AGENT

log = logging.getLogger(__name__)


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


class RobotsRules:
    """Answers "may we fetch this URL?" for any number of origins, reading each robots.txt once."""

    def __init__(self, *, user_agent: str, robots_agent: str = ROBOTS_AGENT, timeout: float = 10.0) -> None:
        self._user_agent = user_agent  # sent when fetching robots.txt
        self._robots_agent = robots_agent  # matched against its User-agent lines
        self._timeout = timeout
        self._parsers: dict[str, RobotFileParser] = {}

    def can_fetch(self, url: str) -> bool:
        if urlsplit(url).scheme not in ("http", "https"):
            return True  # file:, data: and the like have no robots.txt
        return self._parser_for(url).can_fetch(self._robots_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        if urlsplit(url).scheme not in ("http", "https"):
            return None
        delay = self._parser_for(url).crawl_delay(self._robots_agent)
        return float(delay) if delay is not None else None

    def refusal_message(self, url: str) -> str:
        return (
            f"robots.txt ({robots_url(url)}) disallows {url} for crawlers; nothing was fetched. "
            "Pass --ignore-robots only if you have the site's permission."
        )

    def _parser_for(self, url: str) -> RobotFileParser:
        location = robots_url(url)
        if location not in self._parsers:
            self._parsers[location] = self._read(location)
        return self._parsers[location]

    def _read(self, location: str) -> RobotFileParser:
        parser = RobotFileParser(location)
        request = urllib.request.Request(location, headers={"User-Agent": self._user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:
                parser.allow_all = True
            else:
                log.warning("robots.txt at %s answered HTTP %s; treating the site as disallowed", location, error.code)
                parser.disallow_all = True
            return parser
        except (urllib.error.URLError, OSError) as error:
            log.warning("robots.txt at %s unreachable (%s); treating the site as disallowed", location, error)
            parser.disallow_all = True
            return parser
        parser.parse(body.splitlines())
        return parser
