"""Clocks: wall and CPU time of calls, of named timing points in the app, of SQL statements by kind;
and the machine's CPU pressure, waited out before a timed part."""
from __future__ import annotations

import os
import re
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
from tqdm import tqdm


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)  # wall clock (perf_counter)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time (process_time): no waiting on the server
    queries: int | str | None = None

    def add(self, wall: float, cpu: float) -> None:
        self.seconds.append(wall)
        self.cpu.append(cpu)

    @property
    def cpu_median_ms(self) -> float:
        return statistics.median(self.cpu) * 1000 if self.cpu else float("nan")

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000 if self.seconds else float("nan")

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(self.seconds, 95)) * 1000 if self.seconds else float("nan")

    def cell(self) -> str:
        if not self.seconds:
            return "n/a"
        return f"{self.median_ms:.2f} / {self.p95_ms:.2f}"


class Clock:
    """Wall and CPU seconds of one stretch: `clock = Clock()` ... `wall, cpu = clock.read()`."""

    def __init__(self):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.start, time.process_time() - self.cpu_start


@contextmanager
def clocked(timing: Timing, *, count: bool = True) -> Iterator[None]:
    """Add the block's wall and CPU seconds to `timing` (unless `count` is false: a warm-up)."""
    clock = Clock()
    yield
    if count:
        timing.add(*clock.read())


def time_calls(calls: list, warmup: int) -> Timing:
    """Time each zero-argument callable; the first `warmup` are run untimed."""
    timing = Timing()
    for i, call in enumerate(calls):
        with clocked(timing, count=i >= warmup):
            call()
    return timing


class TimedBlock:
    """A listener for `teenplay.instrumentation.listening`: the wall and CPU seconds of the last block
    timed under `name` (`with timed(name):` in the app), None until one ran."""

    def __init__(self, name: str):
        self.name = name
        self.last: tuple[float, float] | None = None

    def __call__(self, name: str, wall: float, cpu: float) -> None:
        if name == self.name:
            self.last = (wall, cpu)


def count_queries(calls: list) -> str:
    """Queries per call over a few calls, as "5" or "5–6" (a member with a region costs one more)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            call()
        counts.append(len(captured.captured_queries))
    return query_range(counts)


def query_range(counts: list[int]) -> str:
    return f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"


class StatementTimes:
    """Wall time of each SQL statement, grouped by what it does (a connection execute_wrapper).
    BEGIN and COMMIT do not pass through it."""

    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.calls = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.setdefault(summarize_sql(sql), []).append(time.perf_counter() - start)

    @contextmanager
    def call(self) -> Iterator[None]:
        """Time the statements of one call on Django's default connection."""
        from django.db import connection

        with connection.execute_wrapper(self):
            yield
        self.calls += 1

    def rows(self) -> list[tuple[str, float, float]]:
        """(statement, median ms, statements per call), slowest first."""
        rows = [(sql, statistics.median(times) * 1000, len(times) / max(self.calls, 1)) for sql, times in self.times.items()]
        return sorted(rows, key=lambda row: -row[1] * row[2])


def summarize_sql(sql: str) -> str:
    """"SELECT … FROM activity_activity (window, FOR UPDATE)": the verb, the tables and what stands out."""
    verb = sql.split(None, 1)[0].upper()
    tables = list(dict.fromkeys(re.findall(r'(?:FROM|JOIN|INTO|UPDATE) "(\w+)"', sql)))
    traits = [name for name, pattern in (("window", "ROW_NUMBER"), ("COUNT", "COUNT("), ("EXISTS", "EXISTS("),
                                         ("FOR UPDATE", "FOR UPDATE"), ("LIMIT 1", "LIMIT 1")) if pattern in sql]
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    return f"{verb} {', '.join(tables)}" + (f" ({', '.join(traits)})" if traits else "")


# --- the machine ------------------------------------------------------------------------------


def cpu_pressure(window: str = "avg10") -> float | None:
    """The share (%) of the last 10 s (or avg60: 60 s) in which some task waited for a CPU (Linux PSI)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return float(dict(item.split("=") for item in line.split()[1:])[window])


def wait_for_quiet(limit_seconds: float, threshold: float = 5.0) -> str:
    """Wait (at most `limit_seconds`) until other work on the machine leaves the CPUs alone, so
    wall times measure this code rather than a queue for the CPU. Returns what it found."""
    started = time.monotonic()
    pressure = cpu_pressure()
    if pressure is None:
        return f"load {os.getloadavg()[0]:.1f}"
    with tqdm(desc=f"waiting for CPU pressure < {threshold:g}%", unit="s", leave=False, disable=pressure < threshold) as bar:
        while pressure >= threshold and time.monotonic() - started < limit_seconds:
            time.sleep(2)
            bar.update(2)
            pressure = cpu_pressure()
    return f"{pressure:.0f}%" + ("" if pressure < threshold else f" after waiting {limit_seconds:.0f} s")


def python_speed_ms() -> float:
    """CPU ms this Python takes to sum range(10**6), best of 5: how fast the host runs Python now."""
    runs = []
    for _ in range(5):
        start = time.process_time()
        sum(range(10**6))
        runs.append(time.process_time() - start)
    return min(runs) * 1000
