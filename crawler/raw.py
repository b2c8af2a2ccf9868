"""Reading the raw CSVs the crawler writes (``datasets/raw/*.csv``), checked in full: a bad
row stops the run with the file, the line and the problem. No Django: the dataset builder,
the classifier's training command and the notebooks read raw files through this."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from crawler.formats import ACTIVITIES, ACTIVITY_SOURCES, CLUBS
from reference import CATEGORY_ID_BY_NAME, CATEGORY_NAMES

RAW_CLUB_COLUMNS = CLUBS.columns
RAW_ACTIVITY_COLUMNS = ACTIVITIES.columns
SOURCES = ACTIVITY_SOURCES


class RawDataError(ValueError):
    """A raw file is malformed; the message names the file, the line and the problem."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}, line {line}" if line else self.path
        super().__init__(f"{where}: {problem}")


def read_raw_csv(path: Path | str, required_columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a crawl CSV (UTF-8, BOM optional) keeping each record's starting line number
    in `source_line`, so errors can point at the line a person would open."""
    path = Path(path)
    if not path.exists():
        raise RawDataError(path, None, "file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required_columns if column not in header]
        if missing:
            raise RawDataError(path, 1, f"missing column(s): {', '.join(missing)}")
        records, lines = [], []
        start_line = reader.line_num + 1
        for record in reader:
            if None in record:
                raise RawDataError(path, start_line, "more fields than the header has")
            records.append({column: (record.get(column) or "").strip() for column in required_columns})
            lines.append(start_line)
            start_line = reader.line_num + 1
    frame = pd.DataFrame(records, columns=list(required_columns))
    frame["source_line"] = lines
    return frame


def _check_rows(frame: pd.DataFrame, path: Path | str, title_column: str) -> None:
    for title, category_name, line in zip(frame[title_column], frame["category_name"], frame["source_line"]):
        if not title:
            raise RawDataError(path, line, f"empty {title_column}")
        if not category_name:
            raise RawDataError(path, line, "empty category_name (assign the main category by hand)")
        if category_name not in CATEGORY_ID_BY_NAME:
            raise RawDataError(
                path, line, f"unknown category_name {category_name!r} (expected one of: {', '.join(CATEGORY_NAMES)})"
            )


def validate_raw_clubs(frame: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    _check_rows(frame, path, "club_title")
    duplicated = frame["club_title"].duplicated()
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise RawDataError(path, int(first["source_line"]), f"duplicate club_title {first['club_title']!r}")
    return frame


def validate_raw_activities(frame: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    _check_rows(frame, path, "activity_title")
    for row in frame.itertuples(index=False):
        if row.source and row.source not in SOURCES:
            raise RawDataError(path, row.source_line, f"unknown source {row.source!r} (expected one of: {', '.join(SOURCES)})")
    return frame


def read_raw_clubs(path: Path | str) -> pd.DataFrame:
    return validate_raw_clubs(read_raw_csv(path, RAW_CLUB_COLUMNS), path)


def read_raw_activities(path: Path | str) -> pd.DataFrame:
    return validate_raw_activities(read_raw_csv(path, RAW_ACTIVITY_COLUMNS), path)


def raw_activity_paths(raw_dir: Path | str) -> list[Path]:
    """The crawl's activities.csv, then the listings written for the project in other voices
    (activities_<voice>.csv, one file per writer), in name order."""
    raw_dir = Path(raw_dir)
    return [raw_dir / "activities.csv", *sorted(raw_dir.glob("activities_*.csv"))]


def read_raw_activity_files(paths: list[Path]) -> pd.DataFrame:
    """All raw activity files as one frame; `raw_path` and `source_line` point at each row's
    origin. A listing (title and source) may appear only once across the files."""
    frames = []
    for path in paths:
        frame = read_raw_activities(path)
        frame["raw_path"] = str(path)
        frames.append(frame)
    activities = pd.concat(frames, ignore_index=True)
    duplicated = activities.duplicated(subset=["activity_title", "source"])
    if duplicated.any():
        row = activities[duplicated].iloc[0]
        raise RawDataError(row["raw_path"], int(row["source_line"]),
                           f"duplicate listing {row['activity_title']!r} ({row['source'] or 'no source'})")
    return activities
