"""The DB-ready CSVs (``datasets/*.csv``): what the builder writes and the loader reads."""
from __future__ import annotations

from datetime import datetime

# The day the generated dates are relative to; loading shifts every date by whole days so the
# demo always has recruiting, ongoing and past activities (demo.services).
REFERENCE_DATE = datetime(2026, 6, 30, 12, 0, 0)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

CLUB_COLUMNS = (
    "id", "club_name", "club_intro", "club_info", "club_main_category_id", "club_region_id",
    "leader_email", "status", "created_date", "updated_date",
)
CLUB_CATEGORY_COLUMNS = ("club_id", "category_id", "status", "created_date", "updated_date")
ACTIVITY_COLUMNS = (
    "id", "club_id", "category_id", "activity_title", "activity_content", "activity_intro",
    "activity_address_location", "activity_address_detail", "recruit_start", "recruit_end",
    "activity_start", "activity_end", "status", "created_date", "updated_date", "source",
)
OUTPUT_FILES = {"clubs": "clubs.csv", "club_categories": "club_categories.csv", "activities": "activities.csv"}
