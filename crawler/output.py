"""Raw CSV output: UTF-8 with BOM (Excel opens it), csv-module quoting, resumable.

Appending to an existing file first reads the keys already there, so crawling
again (after an interruption, or to pick up new posts) adds only new rows.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from crawler.errors import OutputFormatError
from crawler.formats import RawFormat


@dataclass(frozen=True)
class WriteCounts:
    written: int
    duplicates: int


class CsvSink:
    """Writes rows of one RawFormat to a CSV file, each key at most once across runs.

    Use as a context manager; rows are flushed after every write() so an
    interrupted crawl keeps what it wrote.
    """

    def __init__(self, path: Path | str, raw_format: RawFormat) -> None:
        self.path = Path(path)
        self.format = raw_format
        self._seen: set[tuple[str, ...]] = set()
        self._file = None
        self._writer: csv.DictWriter | None = None

    @property
    def existing_rows(self) -> int:
        return len(self._seen)

    def __enter__(self) -> CsvSink:
        is_new = not self.path.exists() or self.path.stat().st_size == 0
        if is_new:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # utf-8-sig writes the BOM that makes Excel read the file as UTF-8.
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
        else:
            self._seen = self._read_existing_keys()
            self._end_with_newline()
            self._file = self.path.open("a", encoding="utf-8", newline="")
        self._writer = csv.DictWriter(
            self._file, fieldnames=self.format.columns, quoting=csv.QUOTE_MINIMAL, extrasaction="raise"
        )
        if is_new:
            self._writer.writeheader()
            self._file.flush()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, rows: Iterable[dict[str, str]]) -> WriteCounts:
        """Append the rows not seen before (in the file or earlier in this run)."""
        if self._writer is None:
            raise RuntimeError("CsvSink.write() outside its with-block")
        written = duplicates = 0
        for row in rows:
            key = self.format.key(row)
            if key in self._seen:
                duplicates += 1
                continue
            self._seen.add(key)
            self._writer.writerow({column: row.get(column, "") for column in self.format.columns})
            written += 1
        self._file.flush()
        return WriteCounts(written, duplicates)

    def _read_existing_keys(self) -> set[tuple[str, ...]]:
        # utf-8-sig also reads files without a BOM.
        with self.path.open(encoding="utf-8-sig", newline="") as existing:
            reader = csv.DictReader(existing)
            found = tuple(reader.fieldnames or ())
            if found != self.format.columns:
                raise OutputFormatError(
                    f"{self.path} has columns {', '.join(found) or '(none)'}; this crawl writes "
                    f"{', '.join(self.format.columns)}. Choose another --out file."
                )
            return {self.format.key(row) for row in reader}

    def _end_with_newline(self) -> None:
        # A hand-edited file may lack the final line break; without it our first
        # row would be glued onto its last one.
        with self.path.open("rb+") as existing:
            existing.seek(-1, 2)
            if existing.read(1) not in (b"\n", b"\r"):
                existing.write(b"\r\n")
