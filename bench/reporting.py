"""What the benchmarks print: markdown tables, goals and whether they are met."""
from __future__ import annotations

import json
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

from bench.database import scalar
from bench.learning import TOAST_CHUNK_OVERHEAD, TOAST_TUPLE_THRESHOLD, EventTimings, SeedWay, Storage
from bench.load import PhaseResult, RowTimes
from bench.population import EVENTS_PER_MEMBER, Population
from bench.reads import Similar
from bench.timing import StatementTimes, Timing, python_speed_ms


def yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def met(value: float, goal: float) -> str:
    if value != value:  # nan
        return "n/a"
    return yes(value <= goal)


def print_profile(title: str, rows: list[tuple[str, float, float]], unit: str) -> None:
    print()
    print(title)
    print()
    print(f"| part | ms per {unit} | calls per {unit} |")
    print("|---|---:|---:|")
    for name, ms, calls in rows:
        print(f"| {name} | {ms:.3f} | {'' if calls != calls else f'{calls:.1f}'} |")


# --- bench_member_models.py -------------------------------------------------------------------

ORIGINAL_SEED_PICKLE_BYTES = 1_089_746  # measured on the original project's own model (GUIDE.md)
ORIGINAL_SEED_EVENT_MS = 15

GOAL_STORAGE_BYTES = 8 * 1024
GOAL_EVENT_MS = 2.0
GOAL_TAB_MS = 10.0
GOAL_SIMILAR_MS = 5.0


@dataclass
class Profiles:
    """cProfile breakdowns: (part, ms per call, calls per call) rows."""
    event: list  # a learning event on the request path, by part
    event_top: list  # the functions with the most own time in those events
    take_in: list  # the take-in after each of them, by part
    tab: list  # the AI tab's selector + serializer, by part


@dataclass
class MemberModelsResult:
    """Everything bench_member_models.py prints."""
    database: dict  # the DATABASE_URL config (NAME, HOST, ...)
    counts: dict[str, int]  # members, activities, learning events
    open_count: int  # activities not ended
    population: Population
    model: object  # the active model (version, counts.n_features)
    storage: Storage
    measured: EventTimings  # new activity texts
    warm: EventTimings  # texts tokenized beforehand
    seed: SeedWay
    profiles: Profiles
    profile_members: int  # members whose events ran under cProfile
    tab: dict[str, Timing]  # AI tab scenario -> its timing
    similar: Similar
    quiet: dict[str, str]  # part -> the CPU pressure found before it
    statements: dict[str, StatementTimes]  # view, like, take_in, tab


def report_member_models(result: MemberModelsResult) -> None:
    counts, population, model, storage = result.counts, result.population, result.model, result.storage
    measured, warm, seed, profiles = result.measured, result.warm, result.seed, result.profiles
    similar, statements = result.similar, result.statements
    median = statistics.median
    seed_bytes = median(seed.file_bytes)
    ours = median(storage.totals)
    print()
    print(f"## bench_member_models.py — {counts['members']:,} members, {counts['activities']:,} activities "
          f"({result.open_count:,} not ended), {counts['learning events']:,} learning events")
    print()
    print(f"PostgreSQL {scalar('SHOW server_version').split()[0]} on {result.database['HOST']} "
          f"(synchronous_commit={scalar('SHOW synchronous_commit')}), {os.cpu_count()} CPUs, model {model.version} "
          f"({model.counts.n_features:,} features); population {population.seconds:.0f} s. CPU pressure (share of "
          "the last 10 s some task waited for a CPU) when each part started: "
          + ", ".join(f"{part} {found}" for part, found in result.quiet.items())
          + "; other work on the machine inflates wall times, the CPU column is this process's own CPU time. "
          f"For scale, this Python sums range(10**6) in {python_speed_ms():.0f} ms.")
    print()
    print("| # | figure | ours: median / p95 | ours: client CPU, median | seed way: median / p95 | goal | met |")
    print("|---|---|---:|---:|---:|---|---|")
    print(f"| 1 | storage per member after {EVENTS_PER_MEMBER} events, bytes ({len(storage.totals)} members; "
          f"median / max) | {ours:,.0f} / {max(storage.totals):,} | – | {seed_bytes:,.0f} (original model: "
          f"{ORIGINAL_SEED_PICKLE_BYTES:,}) | ≤ {GOAL_STORAGE_BYTES:,} | {met(ours, GOAL_STORAGE_BYTES)} |")
    seed_cell = f"{seed.event.cell()} ms (original model: ~{ORIGINAL_SEED_EVENT_MS})"
    for label, timing in (("a view: `record_activity_view`", measured.view),
                          ("a like: its learning part (`record_like_learning` inside `like_activity_and_learn`)", measured.like_learning)):
        queries = f", {timing.queries} queries" if timing.queries is not None else ""
        print(f"| 2 | {label}, ms ({len(timing.seconds)} events{queries}) | {timing.cell()} | "
              f"{timing.cpu_median_ms:.2f} | {seed_cell} | ≤ {GOAL_EVENT_MS:g} | {met(timing.median_ms, GOAL_EVENT_MS)} |")
    like_queries = f", {measured.like.queries} queries" if measured.like.queries is not None else ""
    print(f"| 2 | for scale: `like_activity_and_learn` as a whole (the like row and its learning), ms "
          f"({len(measured.like.seconds)} likes{like_queries}) | {measured.like.cell()} | {measured.like.cpu_median_ms:.2f} "
          f"| – | – | – |")
    for label, timing in (("new activity text", measured.take_in), ("text already tokenized", warm.take_in)):
        queries = f", {measured.take_in.queries} queries" if measured.take_in.queries is not None else ""
        print(f"| 2 | in the task worker: taking the event into the member's counts "
              f"(`take_in_member_events`), {label}, ms ({len(timing.seconds)} take-ins{queries}) | {timing.cell()} | "
              f"{timing.cpu_median_ms:.2f} | – | – | – |")
    for label, timing in result.tab.items():
        print(f"| 3 | AI tab, {label}, ms ({timing.queries} queries) | {timing.cell()} | {timing.cpu_median_ms:.2f} | – | "
              f"≤ {GOAL_TAB_MS:g} | {met(timing.median_ms, GOAL_TAB_MS)} |")
    if similar.timing is not None:
        print(f"| 4 | `similar_activities`, ms, {len(population.activity_ids):,} enabled activities "
              f"({similar.timing.queries} queries; index built in {similar.build_seconds:.0f} s) | "
              f"{similar.timing.cell()} | {similar.timing.cpu_median_ms:.2f} | – | ≤ {GOAL_SIMILAR_MS:g} | "
              f"{met(similar.timing.median_ms, GOAL_SIMILAR_MS)} |")
    else:
        print(f"| 4 | `similar_activities`: {similar.note} | – | – | – | ≤ {GOAL_SIMILAR_MS:g} | n/a |")
    if similar.note and similar.timing is not None:
        print(f"\nnote: {similar.note}")

    print()
    print(f"Storage per member, median over {len(storage.totals)} members (each: 10 views + 10 likes of 20 different "
          f"activities; {storage.toasted} of them had their delta moved out of line by TOAST):")
    print()
    print("| part | bytes | counted as |")
    print("|---|---:|---|")
    how = {
        "MemberModel row": "pg_column_size(row) (24-byte header + columns) + 4-byte line pointer; when the row "
                           f"passes {TOAST_TUPLE_THRESHOLD:,} bytes, + TOAST pointer and {TOAST_CHUNK_OVERHEAD} bytes "
                           "per chunk (chunk tuple header, line pointer, TOAST index entry)",
        "of which delta": "pg_column_size(delta): the zlib-compressed counts as stored",
        "MemberModel index entries": "pg_indexes_size / rows right after bulk loading (pkey, unique member_id)",
        "LearningEvent rows": "Σ (pg_column_size(row) + 4) over the member's events",
        "LearningEvent index entries": "events × pg_indexes_size / rows, measured on the background log inserted "
                                       "in time order (primary key, activity, member–activity–kind–time, pending events)",
    }
    for name, text in how.items():
        print(f"| {name} | {median(storage.parts[name]):,.0f} | {text} |")
    print(f"| total | {ours:,.0f} | seed way: the member's .pkl after the same 20 events: {seed_bytes:,.0f} |")

    print_profile(f"Where a learning event's time on the request path goes (cProfile, {result.profile_members} members × "
                  f"{EVENTS_PER_MEMBER} events; wall time; the profiler inflates Python-heavy parts):", profiles.event, "event")
    print_profile("The functions with the most own time in those events:", profiles.event_top, "event")
    print_profile("Where the time taking each of those events in (the task worker) goes (cProfile, new texts):",
                  profiles.take_in, "event")
    print_profile("Where the AI tab's time goes (cProfile, selector + serializer, members with events):",
                  profiles.tab, "call")
    for key, title in (("view", "a view (`record_activity_view`)"), ("like", "a like (`like_activity_and_learn`)"),
                       ("take_in", "taking one event in, the task worker (`take_in_member_events`)"),
                       ("tab", "the AI tab (member with events)")):
        print()
        print(f"SQL statements of {title}, by total time ({statements[key].calls} calls; wall time from the "
              "client: building the query string, the round trip and the server's work; BEGIN/COMMIT not included):")
        print()
        print("| statement | median ms | per call |")
        print("|---|---:|---:|")
        for statement, ms, per_call in statements[key].rows():
            print(f"| {statement} | {ms:.3f} | {per_call:.1f} |")


# --- http_load.py -----------------------------------------------------------------------------

GOAL_ORIGINAL_FACTOR = 2.0  # member AI tab req/s ≥ 2 × the original's
GOAL_PAGE_FACTOR = 1.3  # detail page and like p50 ≤ 1.3 × member AI tab p50
GOAL_FIRST_REQUEST_S = 0.5
GOAL_PSS_MIB = 600
GOAL_LEARN_S = 10.0


def _row(phases: list[PhaseResult], name: str) -> RowTimes | None:
    for phase in phases:
        if name in phase.rows:
            return phase.rows[name]
    return None


def report_http_load(results: dict, phases: list[PhaseResult], *, database: str, threads: int, duration: float,
                     warmup: float, json_path: Path | None = None) -> None:
    """The table and notes of http_load.py; with `json_path`, `results` and the phases written there too."""
    member = _row(phases, "AI tab, member")
    original = _row(phases, "the original's AI tab: joblib.load + predict_proba")
    counted = {row: phase.duration for phase in phases for row in phase.rows}  # row -> its phase's counted seconds
    rate = {row: len(_row(phases, row).seconds) / counted[row] for row in counted}
    member_p50 = member.percentile_ms(50) if member else float("nan")

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
          f"and `worker` on PostgreSQL {database}; {threads} client threads, keep-alive, "
          f"{duration:g} s per scenario after {warmup:g} s warm-up; {results['cpus']} CPUs shared by "
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
    if json_path:
        payload = dict(results, phases=[{
            "name": phase.name, "duration": phase.duration, "load_before": phase.load_before, "cpu_pressure": phase.quiet,
            "server_cpu_s": phase.server_cpu, "server_cpu_parts_s": phase.server_cpu_parts, "client_cpu_s": phase.client_cpu,
            "rows": {row: {"p50_ms": t.percentile_ms(50), "p95_ms": t.percentile_ms(95), "p99_ms": t.percentile_ms(99),
                           "requests_per_s": rate[row], "errors": t.errors, "statuses": t.statuses,
                           "rate_limited": t.limited} for row, t in phase.rows.items()}} for phase in phases])
        json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))

