"""The raw CSV formats the crawler writes (``datasets/raw/*.csv``).

Cleaning and enrichment read these, so the column names are a contract.
"""
from __future__ import annotations

from dataclasses import dataclass

EXPERIENCE_BOARD = "experience_board"
CLASS_MARKET = "class_market"
ACTIVITY_MARKET = "activity_market"
CAMPAIGN = "campaign"
ACTIVITY_SOURCES: tuple[str, ...] = (EXPERIENCE_BOARD, CLASS_MARKET, ACTIVITY_MARKET, CAMPAIGN)


@dataclass(frozen=True)
class RawFormat:
    """Columns of one raw CSV and the columns that identify a row (for de-duplication)."""

    name: str
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]

    def key(self, row: dict[str, str]) -> tuple[str, ...]:
        # Compare keys whitespace-insensitively: the same title scraped from two
        # layouts may differ only in line breaks or doubled spaces.
        return tuple(" ".join((row.get(column) or "").split()) for column in self.key_columns)


CLUBS = RawFormat(
    name="clubs",
    columns=("club_title", "category_name"),
    key_columns=("club_title",),
)

ACTIVITIES = RawFormat(
    name="activities",
    columns=(
        "activity_title",
        "activity_content",
        "activity_intro",
        "activity_address_location",
        "category_name",
        "source",
    ),
    key_columns=("activity_title", "source"),
)
