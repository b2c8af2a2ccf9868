"""The site over HTTP: the Procfile's `web` and `worker` on a populated PostgreSQL database, timed over
loopback, against the original's request (a per-member pickle loaded and asked on every request).

    python bench/http_load.py                                        # 3,000 members on the demo data
    python bench/http_load.py --members 100000 --activities 20000    # the member-model bench's population

Steps, in one run:

1. The database (default `teenplay_bench_http_<members>_<activities or demo>`, on 127.0.0.1) is built
   once and kept: demo data (`manage.py bootstrap_demo`) plus members up to --members with the
   member-model bench's `populate` (10% of them with 20 learned events), or, with --activities,
   that bench's whole population; then the similar-activities index. A finished population is
   marked in the database's comment, so later runs reuse it (--rebuild drops it). The Procfile's
   `release` line runs every time. Sessions for --sessions members are written directly
   (Django's session store, as a login would), with a CSRF cookie for the like API.
2. The Procfile's `web` line is started alone; the TCP port is polled until it accepts, then the
   first member AI-tab GET and the first logged-out one are timed. Then the `worker` line starts,
   and untimed mixed load runs (on new connections, so every web worker gets some) until every
   request answers within 1 s for 2 s: the workers load their model and tokenizer on first use.
3. Each scenario runs alone with --threads client threads (keep-alive connections) for --warmup +
   --duration seconds, only the last --duration counted: logged-out AI tab, member AI tab,
   activity page (a member's view: an event queued for the worker), like / unlike (POST and DELETE
   of the like API, alternately, for random members). While each counts, the CPU time of the web
   workers, the task worker and the database's PostgreSQL backends is summed (server CPU per
   request: steadier than req/s on a machine shared with other work). Then: seconds until no
   learning event is pending, with the worker running; PSS of the gunicorn master and workers.
4. Rows written by member AI-tab GETs: the worker is stopped, members open activity pages (their
   events stay pending), and those members' AI tabs are fetched between two readings of
   `pg_stat_user_tables` (inserted + updated + deleted rows, all tables); the worker is restarted
   and the seconds until their events are learned are noted.
5. The web and worker stop; the original's request is served by the same gunicorn and config with
   a tiny WSGI app (`original_app` below) and timed the same way: each request `joblib.load`s the
   member's pickle (a whitespace CountVectorizer + MultinomialNB trained on 850 listings of
   datasets/raw/activities.csv, ≈1 MB, as the original kept per member) and calls `predict_proba`
   on the member's interests.

It prints one markdown table (scenario, p50 / p95 / p99 ms, req/s, server CPU ms per request, errors,
429s, goal, met) and the other figures; --json writes them too; --py-spy DIR adds where the web
workers' time goes in the member tab and activity page scenarios. bench/README.md shows results.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project (and package `bench`) importable
    sys.path.insert(0, str(ROOT))

# Only the standard library above: gunicorn imports this module for `original_app`.

BENCH_SECRET_KEY = "http-load-bench-only-not-a-secret"
POPULATION_MARK = "http_load population"
TAB_PATH = "/api/recommendations/activities/"
ORIGINAL_PATH = "/original/ai-tab/"
ORIGINAL_TRAINING_LISTINGS = 850
LIKE_BUDGET_PER_MINUTE = 60  # RECOMMENDER_EVENTS_PER_MINUTE's default; a client spreads its likes to stay below it

GOAL_ORIGINAL_FACTOR = 2.0  # member AI tab req/s ≥ 2 × the original's
GOAL_PAGE_FACTOR = 1.3  # detail page and like p50 ≤ 1.3 × member AI tab p50
GOAL_FIRST_REQUEST_S = 0.5
GOAL_PSS_MIB = 600
GOAL_LEARN_S = 10.0


# --- the Procfile and the processes it names ---------------------------------------------


def procfile_commands(path: Path = ROOT / "Procfile") -> dict[str, str]:
    """{process type: command} from a Procfile (`name: command` lines)."""
    commands = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line.strip())
        if match:
            commands[match.group(1)] = match.group(2)
    return commands


def serving_environment(database_url: str, port: int) -> dict[str, str]:
    """What a deploy sets: production settings over plain HTTP on loopback, the venv's bin first on PATH."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url, DEBUG="false", SECRET_KEY=BENCH_SECRET_KEY, SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false", ALLOWED_HOSTS="127.0.0.1,localhost",
        HOST="127.0.0.1", PORT=str(port), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    for name in ("TASKS_BACKEND", "STATIC_MANIFEST", "RECOMMENDER_EXPERIMENT"):  # test-only or experiment settings
        env.pop(name, None)
    return env


class ServedProcess:
    """A Procfile command run with `sh -c` from the project root, in its own process group (stopped as a group)."""

    def __init__(self, name: str, command: str, env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.started = time.perf_counter()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(["sh", "-c", command], cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def _group_alive(self) -> bool:
        """Whether a process of the group still runs (a zombie waiting to be reaped does not count)."""
        import psutil

        for candidate in psutil.process_iter(["status"]):
            try:
                if os.getpgid(candidate.pid) == self.process.pid and candidate.info["status"] != psutil.STATUS_ZOMBIE:
                    return True
            except (ProcessLookupError, psutil.NoSuchProcess):
                pass
        return False

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the process group (this process leads it: start_new_session), then wait until every
        process of the group has exited (gunicorn's workers outlive the `sh` that started them), SIGKILL after
        `timeout` seconds."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.perf_counter() + timeout
        while self._group_alive() and time.perf_counter() < deadline:
            self.process.poll()  # reaps the `sh` once it has exited
            time.sleep(0.05)
        if self._group_alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_for_port(port: int, process: ServedProcess, timeout: float = 120) -> float:
    """Poll until the port accepts a TCP connection; the seconds since the process started."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if not process.running():
            sys.exit(f"{process.name} exited before opening port {port}:\n{process.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return time.perf_counter() - process.started
        except OSError:
            time.sleep(0.005)
    sys.exit(f"{process.name} did not open port {port} within {timeout:.0f} s:\n{process.log_tail()}")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def gunicorn_processes(process: ServedProcess) -> list:
    """The gunicorn master and its workers under a served process (not the `sh` that started them)."""
    import psutil

    root = psutil.Process(process.pid)
    found = []
    for candidate in [root, *root.children(recursive=True)]:
        try:
            command = candidate.cmdline()
            if candidate.name() != "sh" and any(Path(part).name == "gunicorn" for part in command[:2]):
                found.append(candidate)
        except psutil.NoSuchProcess:
            pass
    return found


def pss_mib(processes: list) -> list[float]:
    """Each process's proportional set size (shared pages divided among the processes sharing them), MiB."""
    return [process.memory_full_info().pss / 2**20 for process in processes]


# --- HTTP clients ------------------------------------------------------------------------


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
    quiet: str = ""  # CPU pressure found before the phase (bench_member_models.wait_for_quiet)
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
        from bench.bench_member_models import wait_for_quiet

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


def wait_until_learned(monitor: "Monitor", limit: float = 180) -> float:
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


# --- server CPU per request ---------------------------------------------------------------


class CpuMeter:
    """CPU seconds (user + system) spent by the serving processes while a phase counts: the gunicorn
    workers, the task worker, and the database's client backends (their PostgreSQL processes). On a
    machine shared with other work, CPU per request holds steadier than requests per second."""

    def __init__(self, served: list[ServedProcess], database: str | None):
        self.served = served
        self.database = database
        self.seconds: float | None = None
        self.parts: dict[str, float] = {}  # process name (web, worker, original, postgres) -> CPU seconds

    def _processes(self) -> dict:
        import psutil

        found = {}
        for process in self.served:
            if not process.running():
                continue
            for child in [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]:
                found[child.pid] = (process.name, child)
        if self.database:
            with admin_connection() as conn:
                pids = [row[0] for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
                    "AND pid <> pg_backend_pid()", [self.database])]
            for pid in pids:
                try:
                    found[pid] = ("postgres", psutil.Process(pid))
                except psutil.NoSuchProcess:
                    pass
        return found

    @staticmethod
    def _cpu(processes: dict) -> dict[int, tuple[str, float]]:
        import psutil

        times = {}
        for pid, (name, process) in processes.items():
            try:
                cpu = process.cpu_times()
                times[pid] = (name, cpu.user + cpu.system)
            except psutil.NoSuchProcess:
                pass
        return times

    def __call__(self) -> Callable[[], None]:
        before = self._cpu(self._processes())

        def stop() -> None:
            after = self._cpu(self._processes())
            # A process that ended meanwhile is lost; one that started counts from zero.
            for pid, (name, cpu) in after.items():
                self.parts[name] = self.parts.get(name, 0.0) + cpu - before.get(pid, (name, 0.0))[1]
            self.seconds = sum(self.parts.values())
        return stop


# --- profiles of the web workers (py-spy) -------------------------------------------------

PROJECT_DIRS = ("activity/", "member/", "recommender/", "teenplay/")
WAITING_FRAMES = ("select (selectors.py", "_worker (concurrent/futures/thread.py", "wait (threading.py",
                  "accept (socket.py")


def py_spy_recorder(py_spy: str, web: ServedProcess, directory: Path, label: str) -> Callable[[], Callable[[], None]]:
    """Starts `py-spy record` (raw stacks, 200 Hz) on each web worker; the returned stopper ends them (SIGINT,
    on which py-spy writes its file)."""
    def start() -> Callable[[], None]:
        workers = gunicorn_processes(web)[1:]  # the master only supervises
        spies = [subprocess.Popen([py_spy, "record", "--pid", str(worker.pid), "--rate", "200", "--format", "raw",
                                   "--nonblocking", "--output", str(directory / f"{label}-{worker.pid}.txt")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for worker in workers]

        def stop() -> None:
            for spy in spies:
                spy.send_signal(signal.SIGINT)
            for spy in spies:
                try:
                    spy.wait(30)
                except subprocess.TimeoutExpired:
                    spy.kill()
        return stop
    return start


def profile_summary(files: list[Path], top: int = 18) -> list[tuple[str, float, float]]:
    """(function, inclusive %, own %) of the samples in which a worker thread was busy (not waiting for a
    connection or a request), for the project's functions and the heaviest library ones by own time."""
    from collections import Counter

    inclusive, own, busy = Counter(), Counter(), 0
    for path in files:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
            if any(marker in frames[-1] for marker in WAITING_FRAMES):
                continue
            busy += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                inclusive[frame] += int(count)
    if not busy:
        return []
    project = [(frame, n) for frame, n in inclusive.most_common() if any(d in frame for d in PROJECT_DIRS)][:top]
    rows = [(frame, 100 * n / busy, 100 * own[frame] / busy) for frame, n in project]
    rows += [(frame, 100 * inclusive[frame] / busy, 100 * n / busy) for frame, n in own.most_common(8)
             if frame not in dict(project)]
    return rows


# --- the database ------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def admin_connection():
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True)


def population_mark(database: str) -> str | None:
    with admin_connection() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [database]).fetchone()
    return None if row is None else (row[0] or "")


def set_population_mark(database: str, mark: str) -> None:
    from psycopg import sql

    with admin_connection() as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(database), sql.Literal(mark)))


class Monitor:
    """The bench's own read-only connection to the served database (psycopg, autocommit)."""

    def __init__(self, name: str):
        import psycopg

        self.connection = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=name, autocommit=True)

    def scalar(self, query: str, params=()):
        return self.connection.execute(query, params).fetchone()[0]

    def pending_events(self) -> int:
        return self.scalar("SELECT count(*) FROM recommender_learningevent WHERE state = 0")

    def rows_changed(self) -> int:
        """Rows inserted, updated and deleted in this database's tables, as the statistics have them so far."""
        return int(self.scalar("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"))

    def close(self) -> None:
        self.connection.close()


def run_manage(args: list[str], env: dict[str, str], log_dir: Path, name: str) -> None:
    with open(log_dir / f"{name}.log", "ab") as log:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed; see {log_dir / f'{name}.log'}")


def run_release(env: dict[str, str], log_dir: Path) -> float:
    """The Procfile's `release` line (migrate, collectstatic); its seconds."""
    started = time.perf_counter()
    with open(log_dir / "release.log", "ab") as log:
        result = subprocess.run(["sh", "-c", procfile_commands()["release"]], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    if result.returncode:
        sys.exit(f"the Procfile's release step failed; see {log_dir / 'release.log'}")
    return time.perf_counter() - started


def prepare_population(args, env: dict[str, str], log_dir: Path) -> str:
    """Build the population unless the database already holds this one; returns what was done."""
    import numpy as np

    from bench.bench_member_models import bench_database, populate, recreate_database

    config = bench_database()  # refuses anything but a loopback PostgreSQL database named *bench*
    wanted = (f"{POPULATION_MARK}: members={args.members} "
              f"activities={args.activities if args.activities else 'demo'} seed={args.seed}")
    if not args.rebuild and population_mark(args.database) == wanted:
        run_release(env, log_dir)
        return f"reused ({wanted})"
    started = time.perf_counter()
    print(f"building {args.database}: {wanted} (kept for later runs) ...", flush=True)
    recreate_database(config)
    run_release(env, log_dir)
    if not args.activities:
        run_manage(["bootstrap_demo"], env, log_dir, "bootstrap_demo")  # demo data and the similar index
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from member.models import Member

    existing = Member.objects.count()
    if args.members <= existing:
        sys.exit(f"the demo data already has {existing:,} members; ask for more than that")
    populate(members=max(0, args.members - existing), activities=args.activities or 0, event_share=0.1,
             batch=5000, rng=np.random.default_rng(args.seed))
    if args.activities:
        call_command("rebuild_similar_activities", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    set_population_mark(args.database, wanted)
    return f"built in {time.perf_counter() - started:.0f} s ({wanted})"


@dataclass
class Fixtures:
    logins: list[Login]
    activity_ids: list[int]  # enabled activities of enabled clubs
    counts: dict[str, int]


def prepare_fixtures(args) -> Fixtures:
    """Sessions for a random sample of members (written as a login writes them) and the activities to open."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from activity.models import Activity
    from member.models import Member
    from recommender.models import LearningEvent, MemberModel

    rng = random.Random(args.seed)
    call_command("prune_db_task_results", min_age_days=0, verbosity=0)  # finished tasks of earlier runs
    Session.objects.all().delete()  # a bench database: only earlier runs' sessions
    member_ids = sorted(MemberModel.objects.values_list("member_id", flat=True))
    chosen = rng.sample(member_ids, min(args.sessions, len(member_ids)))
    members = Member.objects.in_bulk(chosen)
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    logins, sessions = [], []
    for member_id in chosen:
        member = members[member_id]
        key = get_random_string(32, string.ascii_lowercase + string.digits)
        data = {SESSION_KEY: str(member.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: member.get_session_auth_hash()}
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        logins.append(Login(member.pk, key, get_random_string(32)))
    Session.objects.bulk_create(sessions, batch_size=2000)
    activity_ids = list(Activity.enabled_objects.filter(club__status=True).values_list("id", flat=True))
    counts = {
        "members": Member.objects.count(),
        "members with learned events": MemberModel.objects.filter(event_count__gt=0).count(),
        "activities": Activity.objects.count(),
        "learning events": LearningEvent.objects.count(),
        "pending events at start": LearningEvent.objects.filter(state=LearningEvent.State.PENDING).count(),
    }
    connection.close()
    return Fixtures(logins, activity_ids, counts)


# --- the original's request --------------------------------------------------------------


def _original_text(*parts: str) -> str:
    """The original's preprocessing: HTML tags out, then everything but Hangul, digits, Latin letters and spaces."""
    text = " ".join(part for part in parts if part)
    text = re.sub(r"<.*?>", "", text).replace('"', "")
    return re.sub(r"[^0-9a-zA-Zㄱ-ㅎ가-힣ㅏ-ㅣ ]", " ", text)


def build_original_models(directory: Path, members: int, seed: int) -> dict:
    """The original's per-member pickles: a CountVectorizer splitting on whitespace + MultinomialNB
    fitted on 850 listings of datasets/raw/activities.csv (category, title, intro, place: the text
    the original learned from), then per member 0–20 `partial_fit` events on other listings, as the
    original's detail page and like did; each member's pipeline `joblib.dump`ed to its own file."""
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline

    from reference import CATEGORY_ID_BY_NAME, CATEGORY_NAMES
    from bench.bench_member_models import KEYWORDS

    frame = pd.read_csv(ROOT / "datasets" / "raw" / "activities.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    texts = [_original_text(row.category_name, row.activity_title, row.activity_intro, row.activity_address_location)
             for row in frame.itertuples(index=False)]
    labels = [CATEGORY_ID_BY_NAME[name] for name in frame["category_name"]]
    train_x, rest_x, train_y, rest_y = train_test_split(texts, labels, train_size=ORIGINAL_TRAINING_LISTINGS,
                                                        stratify=labels, random_state=seed)
    base = Pipeline([("count_v", CountVectorizer(tokenizer=str.split, token_pattern=None)), ("mnnb", MultinomialNB())])
    base.fit(train_x, train_y)
    joblib.dump(base, directory / "base.pkl")  # what the original copied for each new member
    rng = np.random.default_rng(seed)
    classes = sorted(set(labels))
    queries, sizes = [], []
    for member in range(members):
        categories = rng.choice(len(CATEGORY_NAMES), size=int(rng.integers(1, 4)), replace=False) + 1
        query = " ".join([CATEGORY_NAMES[c - 1] for c in categories] + list(KEYWORDS[int(categories[0])]))
        queries.append(_original_text(query))
        events = rng.choice(len(rest_x), size=int(rng.integers(0, 21)), replace=False)
        model = joblib.load(directory / "base.pkl")
        vectorizer, classifier = model.named_steps["count_v"], model.named_steps["mnnb"]
        for event in events:
            classifier.partial_fit(vectorizer.transform([rest_x[event]]), [rest_y[event]], classes=classes)
        path = directory / f"member_{member:05d}.pkl"
        joblib.dump(model, path)
        sizes.append(path.stat().st_size)
    (directory / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
    return {"members": members, "features": len(base.named_steps["count_v"].vocabulary_),
            "pickle_bytes_median": int(statistics.median(sizes)), "training_listings": len(train_x)}


_original_queries: list[str] | None = None


def original_app(environ, start_response):
    """The original's AI tab for a logged-in member, as a WSGI app: load the member's pickle
    (joblib), predict_proba on their interests, answer the two most probable categories as JSON.
    GET /original/ai-tab/?member=N; the files come from $TEENPLAY_ORIGINAL_MODELS."""
    global _original_queries
    import joblib
    from urllib.parse import parse_qs

    directory = Path(os.environ["TEENPLAY_ORIGINAL_MODELS"])
    if _original_queries is None:
        _original_queries = json.loads((directory / "queries.json").read_text())
    try:
        member = int(parse_qs(environ.get("QUERY_STRING", "")).get("member", ["x"])[0])
        query = _original_queries[member]
    except (ValueError, IndexError):
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"no such member"}']
    model = joblib.load(directory / f"member_{member:05d}.pkl")
    probabilities = model.predict_proba([query])[0]
    classes = model.named_steps["mnnb"].classes_
    top = sorted(zip(probabilities.tolist(), classes.tolist()), reverse=True)[:2]
    body = json.dumps({"source": "member", "query": query,
                       "categories": [{"id": int(c), "probability": p} for p, c in top]},
                      ensure_ascii=False, separators=(",", ":")).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# --- the run -----------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=3000, help="members in the database (default 3000)")
    parser.add_argument("--activities", type=int, default=0,
                        help="0 (default): the demo data; N: the member-model bench's population with N activities")
    parser.add_argument("--database", help="default: teenplay_bench_http_<members>_<activities or demo>")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the population even if it is there")
    parser.add_argument("--setup-only", action="store_true", help="build (or check) the population and stop")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--duration", type=float, default=20, help="counted seconds per scenario (default 20)")
    parser.add_argument("--warmup", type=float, default=2, help="uncounted seconds before each (default 2)")
    parser.add_argument("--settle", type=float, default=5,
                        help="untimed mixed load after the first requests (the web workers and the task worker load "
                             "their model and tokenizer) and after the original's server starts: at least this many "
                             "seconds, then until 2 s pass in which every request answers within 1 s (default 5)")
    parser.add_argument("--sessions", type=int, default=2000, help="members logged in for the load (default 2000)")
    parser.add_argument("--pending-members", type=int, default=200,
                        help="members whose events are left pending for the rows-written check (default 200)")
    parser.add_argument("--original-members", type=int, default=200, help="per-member pickles of the original (default 200)")
    parser.add_argument("--port", type=int, default=8071, help="the web process's port (default 8071)")
    parser.add_argument("--original-port", type=int, default=8072, help="the original's port (default 8072)")
    parser.add_argument("--stats-wait", type=float, default=11,
                        help="seconds for idle PostgreSQL backends to report their statistics (PostgreSQL 15: "
                             "up to 10 s; default 11)")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="seconds to wait, before each timed scenario, for other work to leave the CPUs "
                             "(CPU pressure < 5%%; default 30)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the population and the original's models")
    parser.add_argument("--client-seed", type=int, help="random seed of the clients' draws (default: a new one each run)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--py-spy", type=Path, metavar="DIR",
                        help="record the web workers with py-spy (on PATH) during the member tab and activity page "
                             "scenarios: raw stacks in DIR, a summary printed (sampling slows those scenarios a little)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs (their folder is printed)")
    args = parser.parse_args(argv)
    if args.database is None:
        args.database = f"teenplay_bench_http_{args.members}_{args.activities or 'demo'}"
    return args


def login_cycle(logins: list[Login], threads: int) -> Callable[[int, random.Random], Login]:
    """A random member of the logged-in pool per request (each thread draws from its own slice,
    so two threads never send one member's requests at the same moment)."""
    slices = [logins[n::threads] for n in range(threads)]
    return lambda thread, rng: rng.choice(slices[thread])


def main(argv=None) -> None:
    args = parse_args(argv)
    url = database_url(args.database)
    os.environ.update({key: value for key, value in serving_environment(url, args.port).items()
                       if key in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                                  "CSRF_COOKIE_SECURE", "ALLOWED_HOSTS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teenplay.settings")
    for name in ("TASKS_BACKEND", "STATIC_MANIFEST", "RECOMMENDER_EXPERIMENT"):
        os.environ.pop(name, None)
    for port in (args.port, args.original_port):
        if not port_is_free(port):
            sys.exit(f"port {port} is taken; choose another with --port / --original-port")
    log_dir = Path(tempfile.mkdtemp(prefix="teenplay-http-load-"))
    env = serving_environment(url, args.port)
    population = prepare_population(args, env, log_dir)
    print(f"population: {population}", flush=True)
    if args.setup_only:
        shutil.rmtree(log_dir, ignore_errors=True)
        return
    fixtures = prepare_fixtures(args)
    logins = fixtures.logins
    print(f"{fixtures.counts['members']:,} members, {fixtures.counts['activities']:,} activities, "
          f"{fixtures.counts['learning events']:,} learning events; {len(logins):,} members logged in", flush=True)

    started: list[ServedProcess] = []
    monitor = Monitor(args.database)
    from bench.bench_member_models import python_speed_ms

    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "population": population,
                     "counts": fixtures.counts, "cpus": os.cpu_count(), "load_at_start": os.getloadavg()[0],
                     "python_speed_ms_at_start": python_speed_ms()}
    phases: list[PhaseResult] = []
    try:
        commands = procfile_commands()
        # 2. The web process alone; the first requests as soon as the port opens.
        web = ServedProcess("web", commands["web"], env, log_dir)
        started.append(web)
        port_open = wait_for_port(args.port, web)
        first_member, first_member_status = timed_get(args.port, TAB_PATH, logins[0].headers())
        first_anonymous, first_anonymous_status = timed_get(args.port, TAB_PATH, {})
        results["first_request"] = {"port_open_s": port_open, "member_tab_s": first_member,
                                    "member_tab_status": first_member_status, "logged_out_tab_s": first_anonymous,
                                    "logged_out_tab_status": first_anonymous_status}
        print(f"port open {port_open:.2f} s after start; first member AI tab {first_member * 1000:.0f} ms "
              f"({first_member_status}), first logged-out {first_anonymous * 1000:.0f} ms ({first_anonymous_status})",
              flush=True)
        worker = ServedProcess("worker", commands["worker"], env, log_dir)
        started.append(worker)

        # 3. The scenarios, each alone, after untimed load that warms every process.
        pick = login_cycle(logins, args.threads)
        activity_ids = fixtures.activity_ids
        visitor_ids = [uuid.uuid4().hex for _ in range(args.threads)]
        # The clients' draws differ from run to run: a member's second view of an activity within 30 minutes
        # learns nothing, so runs repeated soon after each other would log fewer events.
        client_seed = results["client_seed"] = args.client_seed if args.client_seed is not None else secrets.randbits(31)
        phase = dict(threads=args.threads, warmup=args.warmup, duration=args.duration, seed=client_seed,
                     quiet_wait=args.quiet_wait)

        def logged_out_tab(thread, rng):
            return [Request("AI tab, logged out", "GET", TAB_PATH, {"Cookie": f"tp_visitor={visitor_ids[thread]}"},
                            b'"source":"season"')]

        def member_tab(thread, rng):
            return [Request("AI tab, member", "GET", TAB_PATH, pick(thread, rng).headers(), b'"source":"member"')]

        def detail_page(thread, rng):
            path = f"/activities/{rng.choice(activity_ids)}/"
            return [Request("activity page, member", "GET", path, pick(thread, rng).headers())]

        def like_unlike(thread, rng):
            login, path = pick(thread, rng), f"/api/activities/{rng.choice(activity_ids)}/like/"
            return [Request("like (POST)", "POST", path, login.headers(csrf=True), b'"liked":true'),
                    Request("unlike (DELETE)", "DELETE", path, login.headers(csrf=True), b'"liked":false')]

        def mixed(thread, rng):
            return rng.choice((logged_out_tab, member_tab, detail_page, like_unlike))(thread, rng)

        print("settling (untimed) ...", flush=True)
        results["settled_s"] = settle(args.port, mixed, threads=args.threads, seed=client_seed + 100,
                                      at_least=args.settle)
        results["settle_learned_s"] = wait_until_learned(monitor)
        print(f"steady after {results['settled_s']:.0f} s of untimed load; its events learned "
              f"{results['settle_learned_s']:.1f} s later", flush=True)
        py_spy = shutil.which("py-spy") if args.py_spy else None
        if args.py_spy and not py_spy:
            sys.exit("--py-spy: no py-spy on PATH (pip install py-spy)")
        if py_spy:
            args.py_spy.mkdir(parents=True, exist_ok=True)
        for name, scenario in (("logged-out tab", logged_out_tab), ("member tab", member_tab),
                               ("activity page", detail_page), ("like / unlike", like_unlike)):
            print(f"{name} ...", flush=True)
            label = name.replace(" ", "_").replace("/", "")
            profile = (py_spy_recorder(py_spy, web, args.py_spy, label)
                       if py_spy and name in ("member tab", "activity page") else None)
            meter = CpuMeter([web, worker], args.database)
            phases.append(run_phase(name, args.port, next_requests=scenario,
                                    hooks=[meter] + ([profile] if profile else []), **phase))
            phases[-1].server_cpu, phases[-1].server_cpu_parts = meter.seconds, meter.parts
            if profile:
                results.setdefault("profiles", {})[name] = profile_summary(sorted(args.py_spy.glob(f"{label}-*.txt")))
        load_stopped = time.perf_counter()
        pending_at_stop = monitor.pending_events()
        wait_until_learned(monitor)
        results["learned_after_load"] = {"pending_at_stop": pending_at_stop,
                                         "seconds": time.perf_counter() - load_stopped,
                                         "pending_left": monitor.pending_events()}
        each = pss_mib(gunicorn_processes(web))
        results["pss"] = {"mib": sum(each), "each_mib": each, "processes": len(each)}
        print(f"learned {results['learned_after_load']['seconds']:.1f} s after the load "
              f"({pending_at_stop} pending when it stopped); PSS {sum(each):.0f} MiB "
              f"({' + '.join(f'{mib:.0f}' for mib in each)})", flush=True)

        # 4. Rows written by member AI-tab GETs while their events are pending (worker stopped).
        worker.stop()
        pending_logins = random.Random(client_seed + 1).sample(logins, min(args.pending_members, len(logins)))
        opened = run_phase("open pages (worker stopped)", args.port, threads=args.threads, warmup=0, duration=3,
                           seed=client_seed + 2, next_requests=lambda thread, rng: [Request(
                               "activity page, member (worker stopped: events stay pending)", "GET",
                               f"/activities/{rng.choice(activity_ids)}/",
                               rng.choice(pending_logins[thread::args.threads]).headers())])
        phases.append(opened)
        pending_before = monitor.pending_events()
        time.sleep(args.stats_wait)
        rows_before = monitor.rows_changed()
        meter = CpuMeter([web], args.database)
        pending_phase = run_phase("member tab, events pending", args.port, threads=args.threads, warmup=0,
                                  duration=min(args.duration, 10), seed=client_seed + 3, hooks=[meter],
                                  next_requests=lambda thread, rng: [Request(
                                      "AI tab, member with events pending (worker stopped)", "GET", TAB_PATH,
                                      rng.choice(pending_logins[thread::args.threads]).headers(),
                                      b'"source":"member"')])
        pending_phase.server_cpu, pending_phase.server_cpu_parts = meter.seconds, meter.parts
        time.sleep(args.stats_wait)
        rows_after = monitor.rows_changed()
        pending_after = monitor.pending_events()
        tab_requests = sum(len(times.seconds) for times in pending_phase.rows.values())
        results["rows_written_by_member_tab"] = {
            "rows": rows_after - rows_before, "requests": tab_requests, "pending_before": pending_before,
            "pending_after": pending_after, "pages_opened": sum(len(t.seconds) for t in opened.rows.values())}
        phases.append(pending_phase)
        worker = ServedProcess("worker", commands["worker"], env, log_dir)
        started.append(worker)
        results["learned_after_worker_restart"] = {"pending": pending_after, "seconds": wait_until_learned(monitor)}
        print(f"member AI-tab GETs with {pending_before} events pending: {tab_requests} requests, "
              f"{rows_after - rows_before} rows written; the restarted worker learned them in "
              f"{results['learned_after_worker_restart']['seconds']:.1f} s", flush=True)
        web.stop()
        worker.stop()

        # 5. The original's request, alone, on the same gunicorn config.
        original_dir = Path(tempfile.mkdtemp(prefix="teenplay-original-"))
        try:
            import django

            django.setup()
            print("building the original's per-member pickles ...", flush=True)
            results["original"] = build_original_models(original_dir, args.original_members, args.seed)
            original_env = dict(env, TEENPLAY_ORIGINAL_MODELS=str(original_dir), PORT=str(args.original_port))
            original_command = (f"gunicorn bench.http_load:original_app --config gunicorn.conf.py "
                                f"--bind 127.0.0.1:{args.original_port}")
            original = ServedProcess("original", original_command, original_env, log_dir)
            started.append(original)
            wait_for_port(args.original_port, original)
            members = args.original_members
            timed_get(args.original_port, f"{ORIGINAL_PATH}?member=0", {})  # waits for a booted worker
            results["original_settled_s"] = settle(
                args.original_port, lambda thread, rng: [Request(
                    "settle", "GET", f"{ORIGINAL_PATH}?member={rng.randrange(members)}", {}, b'"source":"member"')],
                threads=args.threads, seed=client_seed + 200, at_least=args.settle)
            meter = CpuMeter([original], None)
            phases.append(run_phase("original", args.original_port, next_requests=lambda thread, rng: [Request(
                "the original's AI tab: joblib.load + predict_proba", "GET",
                f"{ORIGINAL_PATH}?member={rng.randrange(thread, members, args.threads)}", {}, b'"source":"member"')],
                hooks=[meter], **phase))
            phases[-1].server_cpu, phases[-1].server_cpu_parts = meter.seconds, meter.parts
            original.stop()
        finally:
            shutil.rmtree(original_dir, ignore_errors=True)
    finally:
        for process in reversed(started):
            process.stop()
        monitor.close()
    results["load_at_end"] = os.getloadavg()[0]
    results["python_speed_ms_at_end"] = python_speed_ms()
    report(args, results, phases)
    if args.keep_logs:
        print(f"\nlogs: {log_dir}")
    else:
        shutil.rmtree(log_dir, ignore_errors=True)


def _row(phases: list[PhaseResult], name: str) -> RowTimes | None:
    for phase in phases:
        if name in phase.rows:
            return phase.rows[name]
    return None


def report(args, results: dict, phases: list[PhaseResult]) -> None:
    member = _row(phases, "AI tab, member")
    original = _row(phases, "the original's AI tab: joblib.load + predict_proba")
    duration = {row: phase.duration for phase in phases for row in phase.rows}
    rate = {row: len(_row(phases, row).seconds) / duration[row] for row in duration}
    member_p50 = member.percentile_ms(50) if member else float("nan")

    def yes(ok: bool) -> str:
        return "yes" if ok else "**no**"

    goals = {
        "AI tab, logged out": (f"p50 ≤ member tab's ({member_p50:.1f} ms)",
                               lambda t: t.percentile_ms(50) <= member_p50),
        "AI tab, member": (f"req/s ≥ {GOAL_ORIGINAL_FACTOR:g} × the original's",
                           lambda t: original is not None
                           and rate["AI tab, member"] >= GOAL_ORIGINAL_FACTOR * rate[
                               "the original's AI tab: joblib.load + predict_proba"]),
        "activity page, member": (f"p50 ≤ {GOAL_PAGE_FACTOR:g} × member tab's",
                                  lambda t: t.percentile_ms(50) <= GOAL_PAGE_FACTOR * member_p50),
        "like (POST)": (f"p50 ≤ {GOAL_PAGE_FACTOR:g} × member tab's",
                        lambda t: t.percentile_ms(50) <= GOAL_PAGE_FACTOR * member_p50),
    }
    counts = results["counts"]
    print()
    print(f"## http_load.py — {counts['members']:,} members, {counts['activities']:,} activities, "
          f"{counts['learning events']:,} learning events")
    print()
    print(f"Procfile `web` (gunicorn, gunicorn.conf.py: {os.environ.get('WEB_CONCURRENCY', '2')} workers, gthread) "
          f"and `worker` on PostgreSQL {args.database}; {args.threads} client threads, keep-alive, "
          f"{args.duration:g} s per scenario after {args.warmup:g} s warm-up; {results['cpus']} CPUs shared by "
          f"server, database and client. Load average (1 min): {results['load_at_start']:.2f} at the start, "
          + ", ".join(f"{phase.name} {phase.load_before:.2f}" for phase in phases)
          + f", {results['load_at_end']:.2f} at the end. CPU pressure (share of the last 10 s in which some task "
          "waited for a CPU) before each scenario: "
          + ", ".join(f"{phase.name} {phase.quiet}" for phase in phases if phase.quiet) + ". "
          f"For scale, this Python summed range(10**6) in {results['python_speed_ms_at_start']:.0f} ms of CPU at the "
          f"start and {results['python_speed_ms_at_end']:.0f} ms at the end (11 ms on a quiet machine here): CPU "
          "times stretch when the host is busy.")
    print()
    print("| scenario | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | errors | 429 | goal | met |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    all_errors = 0
    for phase in phases:
        answered = sum(len(times.seconds) for times in phase.rows.values())
        cpu = (f"{phase.server_cpu / answered * 1000:.1f}" + ("¹" if len(phase.rows) > 1 else "")
               if phase.server_cpu is not None and answered else "–")
        for row, times in phase.rows.items():
            all_errors += times.errors
            goal, check = goals.get(row, ("–", None))
            met = yes(check(times)) if check else "–"
            errors = str(times.errors) + (f" ({', '.join(f'{k}: {v}' for k, v in times.statuses.items() if k != '200')})"
                                          if times.errors else "")
            print(f"| {row} | {times.percentile_ms(50):.1f} | {times.percentile_ms(95):.1f} | "
                  f"{times.percentile_ms(99):.1f} | {rate[row]:.1f} | {cpu} | {errors} | {times.limited} | {goal} | "
                  f"{met} |")
    first = results["first_request"]
    first_worst = max(first["member_tab_s"], first["logged_out_tab_s"])
    learned = results["learned_after_load"]
    rows = results["rows_written_by_member_tab"]
    pss = results["pss"]
    if original and member and original.seconds:
        ratio = rate["AI tab, member"] / rate["the original's AI tab: joblib.load + predict_proba"]
        print(f"| member AI tab ÷ the original, req/s | | | | {ratio:.2f}× | | | | ≥ {GOAL_ORIGINAL_FACTOR:g}× | "
              f"{yes(ratio >= GOAL_ORIGINAL_FACTOR)} |")
    print(f"| first requests after the port opened (member tab, then logged out), s | "
          f"{first['member_tab_s']:.2f} / {first['logged_out_tab_s']:.2f} | | | | | "
          f"{int(first['member_tab_status'] != 200) + int(first['logged_out_tab_status'] != 200)} | | "
          f"≤ {GOAL_FIRST_REQUEST_S:g} s each | {yes(first_worst <= GOAL_FIRST_REQUEST_S)} |")
    print(f"| PSS of the web processes (gunicorn master + workers: {' + '.join(f'{m:.0f}' for m in pss['each_mib'])})"
          f", MiB, after the load | "
          f"{pss['mib']:.0f} | | | | | | | ≤ {GOAL_PSS_MIB} | {yes(pss['mib'] <= GOAL_PSS_MIB)} |")
    print(f"| seconds until no event pending after the load ({learned['pending_at_stop']} pending when it stopped; "
          f"worker running) | {learned['seconds']:.1f} | | | | | {learned['pending_left']} left | | "
          f"≤ {GOAL_LEARN_S:g} | {yes(learned['seconds'] <= GOAL_LEARN_S and not learned['pending_left'])} |")
    print(f"| rows written by {rows['requests']:,} member AI-tab GETs ({rows['pending_before']} events pending, "
          f"worker stopped) | {rows['rows']} | | | | | | | 0 | {yes(rows['rows'] == 0 and rows['pending_before'] > 0)} |")
    print(f"| errors, all scenarios | {all_errors} | | | | | | | 0 | {yes(all_errors == 0)} |")
    print()
    print("Server CPU ms/req: CPU time of the gunicorn workers, the task worker and the database's PostgreSQL "
          "backends while the scenario counted, divided by the requests answered (¹ per request of the phase: "
          "like and unlike together; the activity page's and like's include the worker's learning done meanwhile). "
          "It depends less on other work on the machine than req/s does.")
    print()
    print("Where that CPU went, ms per request answered (and the client threads' own CPU, this process):")
    print()
    for phase in phases:
        answered = sum(len(times.seconds) for times in phase.rows.values())
        if phase.server_cpu is not None and answered:
            parts = ", ".join(f"{name} {seconds / answered * 1000:.1f}" for name, seconds in phase.server_cpu_parts.items())
            print(f"- {phase.name}: {parts}; client {phase.client_cpu / answered * 1000:.1f}")
    if original and member and original.seconds:
        member_phase = next(phase for phase in phases if "AI tab, member" in phase.rows)
        original_phase = next(phase for phase in phases if phase.name == "original")
        if member_phase.server_cpu and original_phase.server_cpu:
            ours = member_phase.server_cpu / len(member.seconds)
            theirs = original_phase.server_cpu / len(original.seconds)
            results["cpu_per_request_ms"] = {"member_tab": ours * 1000, "original": theirs * 1000}
            print(f"Server CPU per request: member AI tab {ours * 1000:.1f} ms, the original's {theirs * 1000:.1f} ms "
                  f"({theirs / ours:.2f}× the member tab's).")
    print()
    print(f"- first requests: the port opened {first['port_open_s']:.2f} s after `web` started; the member tab "
          f"answered {first['member_tab_status']} in {first['member_tab_s']:.2f} s, then the logged-out tab "
          f"{first['logged_out_tab_status']} in {first['logged_out_tab_s']:.2f} s (each on a new connection). "
          f"Then, with the worker started, untimed mixed load until every request answered within 1 s for 2 s: "
          f"{results['settled_s']:.0f} s (the original's server: {results.get('original_settled_s', float('nan')):.0f} s).")
    restart = results["learned_after_worker_restart"]
    print(f"- the {restart['pending']} events left pending by the rows-written check were learned "
          f"{restart['seconds']:.1f} s after the worker was started again (its start-up included).")
    orig = results.get("original")
    if orig:
        print(f"- the original: {orig['members']} per-member pickles, median {orig['pickle_bytes_median']:,} bytes "
              f"({orig['features']:,} features, {orig['training_listings']} training listings), "
              "each request loads one with joblib and calls predict_proba; no database.")
    for scenario, rows in results.get("profiles", {}).items():
        print()
        print(f"Where the web workers' busy time goes, {scenario} (py-spy, 200 Hz, both workers; a thread waiting "
              "on PostgreSQL counts as busy):")
        print()
        print("| function | inclusive % | own % |")
        print("|---|---:|---:|")
        for frame, inclusive, own in rows:
            print(f"| `{frame}` | {inclusive:.1f} | {own:.1f} |")
    if args.json:
        payload = dict(results, phases=[{
            "name": phase.name, "duration": phase.duration, "load_before": phase.load_before, "cpu_pressure": phase.quiet,
            "server_cpu_s": phase.server_cpu, "server_cpu_parts_s": phase.server_cpu_parts, "client_cpu_s": phase.client_cpu,
            "rows": {row: {"p50_ms": t.percentile_ms(50), "p95_ms": t.percentile_ms(95), "p99_ms": t.percentile_ms(99),
                           "requests_per_s": rate[row], "errors": t.errors, "statuses": t.statuses,
                           "rate_limited": t.limited} for row, t in phase.rows.items()}} for phase in phases])
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
