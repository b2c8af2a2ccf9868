"""The Procfile's production steps, run as written against real gunicorn (issue 14, items 3, 8, 9):
pages and hashed static files with DEBUG off, a clear stop when the static manifest is missing,
slow clients that cannot starve the workers, and a short 503 when the database never answers."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)
SECRET = "production-test-secret-" + "s" * 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp_path: Path, **overrides) -> dict:
    """The environment a deploy sets, with DEBUG off (unset) and nothing from the test run."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                          "STATIC_MANIFEST", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        SECRET_KEY=SECRET, ALLOWED_HOSTS="127.0.0.1,localhost", TRUST_PROXY_HEADERS="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}", STATIC_ROOT=str(tmp_path / "staticfiles"),
        WEB_CONCURRENCY="1", GUNICORN_THREADS="8",
    )
    env.update(overrides)
    return env


def run(line: str, env: dict, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", line], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


class Web:
    """The Procfile's web line, started on a free port."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(["bash", "-c", "exec " + PROCFILE["web"]], cwd=ROOT, env={**env, "PORT": str(self.port)},
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.log_path = log

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("web exited:\n" + self.log_path.read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError("web did not start:\n" + self.log_path.read_text())

    def get(self, path, method="GET", timeout=20):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         headers={"X-Forwarded-Proto": "https"})  # as the proxy in front sends it
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The release step as written in the Procfile: migrate and collectstatic, DEBUG off."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    result = run(PROCFILE["release"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
    return env, tmp_path


@pytest.fixture(scope="module")
def production_web(released, tmp_path_factory):
    """The web line as deployed (the release's environment, nothing overridden), started once for
    the tests here that only read from it: each start loads the model and tokenizer anew."""
    env, _ = released
    server = Web(env, tmp_path_factory.mktemp("production-web") / "web.log")
    try:
        yield server.wait_until_up()
    finally:
        server.stop()


@pytest.fixture
def web(released, tmp_path):
    env, _ = released
    started = []

    def start(**overrides):
        server = Web({**env, **overrides}, tmp_path / f"web{len(started)}.log")
        started.append(server)
        return server.wait_until_up()

    yield start
    for server in started:
        server.stop()


def test_the_production_steps_serve_pages_and_hashed_static_files(production_web):
    server = production_web
    status, headers, body = server.get("/")
    assert status == 200, body[:2000]
    stylesheet = re.search(rb'href="(/static/css/teenplay\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, body[:2000]
    status, headers, _ = server.get(stylesheet.group(1).decode())
    assert status == 200 and "immutable" in headers.get("Cache-Control", "")
    # HEAD, as an uptime monitor sends it, over real HTTP: the status and headers, no body.
    status, headers, body = server.get("/", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Security-Policy"]


def test_the_web_processes_answer_recommendations_without_loading_pandas(production_web):
    """scikit-learn imports pandas whenever it is installed; teenplay.wsgi keeps it out of the web
    processes (it is ~30 MiB in each), and the model still predicts there."""
    server = production_web
    status, _, body = server.get("/api/recommendations/activities/")
    assert status == 200, body[:2000]
    assert len(json.loads(body)["categories"]) == 2
    master = psutil.Process(server.process.pid)
    processes = [master, *master.children()]
    assert len(processes) >= 2  # the master and its workers
    for process in processes:
        loaded = {mapping.path for mapping in process.memory_maps()}
        assert not [path for path in loaded if "/pandas/" in path], process
        assert [path for path in loaded if "/sklearn/" in path], process  # the model is loaded there


def test_collectstatic_run_with_debug_on_still_serves_a_debug_off_site(released, web, tmp_path):
    env, _ = released
    static_root = tmp_path / "collected-with-debug"
    result = run("python manage.py collectstatic --noinput", {**env, "DEBUG": "true", "STATIC_ROOT": str(static_root)})
    assert result.returncode == 0, result.stderr
    server = web(STATIC_ROOT=str(static_root))
    status, _, body = server.get("/")
    assert status == 200, body[:2000]


def test_a_missing_manifest_stops_the_start_with_a_clear_message(released, tmp_path):
    env, _ = released
    empty = tmp_path / "never-collected"
    server = Web({**env, "STATIC_ROOT": str(empty)}, tmp_path / "web.log")
    try:
        assert server.process.wait(timeout=60) != 0
    finally:
        server.stop()
    log = (tmp_path / "web.log").read_text()
    assert "staticfiles.json is missing" in log and "collectstatic" in log


def test_slow_and_idle_clients_do_not_starve_the_site(production_web):
    server = production_web
    slow = []
    for number in range(6):
        sock = socket.create_connection(("127.0.0.1", server.port))
        if number % 2:
            sock.sendall(b"GET / HT")  # half a request line, then nothing
        slow.append(sock)  # the others: connected and idle
    try:
        started = time.monotonic()
        status, _, _ = server.get("/activities/", timeout=15)
        assert status == 200
        assert time.monotonic() - started < 10  # not gunicorn's timeout: served while they hang
    finally:
        for sock in slow:
            sock.close()


@pytest.fixture
def unanswering_database():
    """A PostgreSQL address that accepts connections and never answers (a listening socket
    nobody reads), like a database host behind a dropped route."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"postgres://postgres@127.0.0.1:{listener.getsockname()[1]}/teenplay"


def test_an_unreachable_database_answers_a_short_503_quickly(web, unanswering_database):
    server = web(DATABASE_URL=unanswering_database, DB_CONNECT_TIMEOUT="2")
    started = time.monotonic()
    # A page and the API asked at the same moment, as two visitors would during the outage.
    with ThreadPoolExecutor(max_workers=2) as visitors:
        page, api = visitors.map(lambda path: server.get(path, timeout=15), ["/", "/api/recommendations/activities/"])
    status, headers, body = page
    assert status == 503 and headers["Retry-After"]
    assert "잠시 후 다시 시도해 주세요" in body.decode()
    status, headers, body = api
    assert status == 503 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["code"] == "service_unavailable"
    assert time.monotonic() - started < 12  # the 2 s connect timeout, not a 30 s hang
