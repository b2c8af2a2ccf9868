"""HTTP load on loopback: keep-alive clients in threads, phases of requests counted after a warm-up,
per-row latencies, statuses and rates."""
from __future__ import annotations

import http.client
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from bench.timing import wait_for_quiet

if TYPE_CHECKING:
    from bench.serving import Monitor


class KeepAliveClient:
    """One keep-alive connection (http.client); a request on a connection the server closed
    while idle is sent again once on a new one."""

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in range(2):
            fresh = self.connection is None
            if fresh:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                if response.will_close:
                    self.close()
                return response.status, body
            except (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionResetError, BrokenPipeError):
                self.close()
                if fresh or attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Login:
    member_id: int
    session_key: str
    csrf_secret: str

    def headers(self, *, csrf: bool = False) -> dict[str, str]:
        headers = {"Cookie": f"sessionid={self.session_key}; csrftoken={self.csrf_secret}"}
        if csrf:
            headers["X-CSRFToken"] = self.csrf_secret
        return headers


@dataclass
class Request:
    row: str  # the table row it counts in
    method: str
    path: str
    headers: dict[str, str]
    expect: bytes | None = None  # a byte string the body must contain


@dataclass
class RowTimes:
    seconds: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # status (or exception, or "wrong body") -> count
    limited: int = 0  # 429: the member's event budget, not a failure of serving

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != "200")

    def percentile_ms(self, q: float) -> float:
        if not self.seconds:
            return float("nan")
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


@dataclass
class PhaseResult:
    name: str
    duration: float
    rows: dict[str, RowTimes]
    load_before: float
    seconds: float = 0.0  # wall time of the whole phase, warm-up included
    quiet: str = ""  # CPU pressure found before the phase (bench.timing.wait_for_quiet)
    server_cpu: float | None = None  # CPU seconds of the serving processes while counting (CpuMeter)
    server_cpu_parts: dict[str, float] = field(default_factory=dict)
    client_cpu: float = 0.0  # this process's CPU seconds while counting (the client threads)


def run_phase(name: str, port: int, *, threads: int, warmup: float, duration: float,
              next_requests: Callable[[int, random.Random], list[Request]], seed: int,
              quiet_wait: float = 0, hooks: list[Callable[[], Callable[[], None]]] = ()) -> PhaseResult:
    """`threads` clients, each on its own keep-alive connection, send requests back to back for
    `warmup + duration` seconds; requests started in the last `duration` seconds are counted.
    `next_requests(thread, rng)` gives the next step's requests (sent in order). First, at most
    `quiet_wait` seconds for other work on the machine to leave the CPUs (CPU pressure < 5%).
    Each of `hooks` is called when counting starts and returns what is called when the phase ends."""
    quiet = ""
    if quiet_wait:
        quiet = wait_for_quiet(quiet_wait)
    rows: dict[str, RowTimes] = {}
    lock = threading.Lock()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    count_from = started + warmup
    stop_at = count_from + duration

    def client(thread: int) -> None:
        rng = random.Random(seed * 1000 + thread)
        http_client = KeepAliveClient(port)
        local: dict[str, RowTimes] = {}
        try:
            while time.perf_counter() < stop_at:
                for request in next_requests(thread, rng):
                    begin = time.perf_counter()
                    try:
                        status, body = http_client.request(request.method, request.path, request.headers)
                        outcome = str(status)
                        if status == 200 and request.expect is not None and request.expect not in body:
                            outcome = "wrong body"
                    except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the phase
                        outcome, status = type(error).__name__, 0
                        http_client.close()
                    elapsed = time.perf_counter() - begin
                    if begin < count_from:
                        continue
                    times = local.setdefault(request.row, RowTimes())
                    if status == 429:
                        times.limited += 1
                        continue
                    times.statuses[outcome] = times.statuses.get(outcome, 0) + 1
                    if outcome == "200":
                        times.seconds.append(elapsed)
        finally:
            http_client.close()
            with lock:
                for row, times in local.items():
                    merged = rows.setdefault(row, RowTimes())
                    merged.seconds.extend(times.seconds)
                    merged.limited += times.limited
                    for outcome, count in times.statuses.items():
                        merged.statuses[outcome] = merged.statuses.get(outcome, 0) + count

    stoppers = []
    client_cpu = []

    def client_clock() -> Callable[[], None]:
        begin = time.process_time()
        return lambda: client_cpu.append(time.process_time() - begin)

    hooks = [client_clock, *hooks]
    timer = threading.Timer(warmup, lambda: stoppers.extend(hook() for hook in hooks))
    workers = [threading.Thread(target=client, args=(n,), name=f"client-{n}") for n in range(threads)]
    for worker in workers:
        worker.start()
    timer.start()
    for worker in workers:
        worker.join()
    timer.join()
    for stop in stoppers:
        stop()
    result = PhaseResult(name, duration, rows, load_before, time.perf_counter() - started, quiet)
    result.client_cpu = client_cpu[0] if client_cpu else 0.0
    return result


def wait_until_learned(monitor: Monitor, limit: float = 180) -> float:
    """Poll until no learning event is pending; the seconds it took."""
    started = time.perf_counter()
    while monitor.pending_events() and time.perf_counter() - started < limit:
        time.sleep(0.05)
    return time.perf_counter() - started


def settle(port: int, next_requests: Callable[[int, random.Random], list[Request]], *, threads: int, seed: int,
           at_least: float, window: float = 2.0, slow: float = 1.0, limit: float = 300) -> float:
    """Untimed load until the server answers steadily: at least `at_least` seconds, then until a
    `window` in which every request answered 200 within `slow` seconds (every worker has loaded
    what it loads on its first requests). Returns the seconds it took."""
    def on_new_connections(thread: int, rng: random.Random) -> list[Request]:
        # A new connection per request, so that every web worker gets some (a worker keeps the
        # keep-alive connections it accepted).
        return [Request(r.row, r.method, r.path, {**r.headers, "Connection": "close"}, r.expect)
                for r in next_requests(thread, rng)]

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        result = run_phase("settle", port, threads=threads, warmup=0, duration=window, seed=seed,
                           next_requests=on_new_connections)
        seed += 1
        answered = [second for times in result.rows.values() for second in times.seconds]
        failed = sum(times.errors for times in result.rows.values())
        if time.perf_counter() - started >= at_least and answered and not failed and max(answered) < slow:
            break
    return time.perf_counter() - started


def timed_get(port: int, path: str, headers: dict[str, str]) -> tuple[float, int]:
    client = KeepAliveClient(port)
    begin = time.perf_counter()
    try:
        status, _body = client.request("GET", path, headers)
    finally:
        client.close()
    return time.perf_counter() - begin, status
