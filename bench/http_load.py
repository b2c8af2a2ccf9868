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
   a tiny WSGI app (`original_app` in bench/original.py) and timed the same way: each request
   `joblib.load`s the member's pickle (a whitespace CountVectorizer + MultinomialNB trained on 850
   listings of datasets/raw/activities.csv, ≈1 MB, as the original kept per member) and calls
   `predict_proba` on the member's interests.

It prints one markdown table (scenario, p50 / p95 / p99 ms, req/s, server CPU ms per request, errors,
429s, goal, met) and the other figures; --json writes them too; --py-spy DIR adds where the web
workers' time goes in the member tab and activity page scenarios. bench/README.md shows results.
"""
from __future__ import annotations
from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project (and package `bench`) importable
    sys.path.insert(0, str(ROOT))

from bench.database import database_url  # noqa: E402
from bench.load import Login, PhaseResult, Request, run_phase, settle, timed_get, wait_until_learned  # noqa: E402
from bench.original import ORIGINAL_PATH, build_original_models  # noqa: E402
from bench.population import prepare_fixtures, prepare_population  # noqa: E402
from bench.profiling import profile_summary, py_spy_recorder  # noqa: E402
from bench.reporting import report_http_load  # noqa: E402
from bench.serving import (  # noqa: E402
    TEST_ONLY_SETTINGS, CpuMeter, Monitor, ServedProcess, gunicorn_processes, port_is_free, procfile_commands,
    pss_mib, serving_environment, wait_for_port,
)
from bench.timing import python_speed_ms  # noqa: E402

TAB_PATH = "/api/recommendations/activities/"
LIKE_BUDGET_PER_MINUTE = 60  # RECOMMENDER_EVENTS_PER_MINUTE's default; a client spreads its likes to stay below it


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
    for name in TEST_ONLY_SETTINGS:
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
    fixtures = prepare_fixtures(sessions=args.sessions, seed=args.seed)
    logins = fixtures.logins
    print(f"{fixtures.counts['members']:,} members, {fixtures.counts['activities']:,} activities, "
          f"{fixtures.counts['learning events']:,} learning events; {len(logins):,} members logged in", flush=True)

    started: list[ServedProcess] = []
    monitor = Monitor(args.database)
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
            workers = lambda: gunicorn_processes(web)[1:]  # noqa: E731  the master only supervises
            profile = (py_spy_recorder(py_spy, workers, args.py_spy, label)
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
            original_command = (f"gunicorn bench.original:original_app --config gunicorn.conf.py "
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
    report_http_load(results, phases, database=args.database, threads=args.threads, duration=args.duration,
                     warmup=args.warmup, json_path=args.json)
    if args.keep_logs:
        print(f"\nlogs: {log_dir}")
    else:
        shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
