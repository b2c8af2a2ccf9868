"""Pure text helpers: club-name extraction and whitespace tidying (no browser needed)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# A complete <...> pair with no bracket inside it: for nested or repeated brackets
# this finds the innermost pairs, and an unclosed "<" never swallows the rest.
_BRACKETED = re.compile(r"<([^<>]*)>")
# Straight and typographic quotes: club names never need them, so they are dropped.
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")


def single_line(text: str | None) -> str:
    """Collapse every run of whitespace (line breaks included) into one space."""
    return " ".join((text or "").split())


def multi_line(text: str | None) -> str:
    """Tidy each line but keep the line breaks, dropping blank lines."""
    lines = (single_line(line) for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def extract_club_name(title: str | None) -> str | None:
    """The club name a post title carries in ``<...>``, or None when it carries none.

    The last bracketed part wins and text after ``>`` is ignored; unclosed or nested
    brackets, quotes and odd whitespace inside the brackets are tolerated.
    """
    for candidate in reversed(_BRACKETED.findall(title or "")):
        name = single_line(_QUOTES.sub("", candidate))
        if name:
            return name
    return None


def unique(values: Iterable[str]) -> Iterator[str]:
    """Values in first-seen order, each once."""
    seen: set[str] = set()
    for value in values:
        if value not in seen:
            seen.add(value)
            yield value
