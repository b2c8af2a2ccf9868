"""The site as a deploy runs it: the Procfile's commands started from the project root with production
settings, stopped as process groups, their memory (PSS) and CPU time, and the bench's own read-only
connection to the served database."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from bench.database import ROOT, admin_connection, connect

BENCH_SECRET_KEY = "http-load-bench-only-not-a-secret"
TEST_ONLY_SETTINGS = ("TASKS_BACKEND", "STATIC_MANIFEST", "RECOMMENDER_EXPERIMENT")  # test-only or experiment settings


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
    for name in TEST_ONLY_SETTINGS:
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



class Monitor:
    """The bench's own read-only connection to the served database (psycopg, autocommit)."""

    def __init__(self, name: str):
        self.connection = connect(name)

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

