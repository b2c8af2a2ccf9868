"""Where the time goes: cProfile breakdowns by part (bench_member_models.py) and py-spy samples of
gunicorn's workers (http_load.py)."""
from __future__ import annotations

import cProfile
import inspect
import pstats
import re
import signal
import subprocess
from pathlib import Path
from typing import Callable

Part = tuple[str, str, str]  # (label, file path suffix, function name)

SQL: Part = ("SQL statements (Django cursor → psycopg → server and back)", "django/db/backends/utils.py", "_execute")
COMMIT: Part = ("COMMIT", "django/db/backends/base/base.py", "_commit")
ORM_PARTS: list[Part] = [
    ("ORM: building querysets (filter → WHERE)", "django/db/models/sql/query.py", "add_q"),
    ("ORM: compiling SQL (SQLCompiler.as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("ORM: model instances from rows (Model.from_db)", "django/db/models/base.py", "from_db"),
]


def app_part(label: str, function) -> Part:
    """A part for a function of the project (or the name of one in bench.app), found where it is defined
    now, so a moved function is still found. A name its module no longer has gives a part that matches
    nothing: its row shows 0."""
    if isinstance(function, str):
        from bench import app

        name, function = function, app.optional(function)
        if function is None:
            return label, f"{app.WHERE[name].replace('.', '/')}.py (missing)", name
    code = inspect.unwrap(getattr(function, "__func__", function)).__code__
    return label, code.co_filename.replace("\\", "/"), code.co_name


def event_parts() -> list[Part]:
    """The request path of a learning event: appending to the log."""
    return [SQL, COMMIT, *ORM_PARTS]


def take_in_parts() -> list[Part]:
    """The take-in (the task worker): pending events into the member's counts."""
    from bench import app

    return [
        SQL,
        COMMIT,
        ("tokenizing the activity text (CountVectorizer.transform)", "sklearn/feature_extraction/text.py", "transform"),
        app_part("learning_text (cleaning the text)", app.learning_text),
        app_part("MemberDelta.from_bytes (decode)", app.MemberDelta.from_bytes),
        app_part("MemberDelta.to_bytes (encode, zlib level 1)", app.MemberDelta.to_bytes),
        app_part("MemberState.apply (add counts, decay)", app.MemberState.apply),
        *ORM_PARTS,
    ]


def tab_parts() -> list[Part]:
    """The AI tab selector's steps (the serializer is the rest)."""
    from bench import app

    return [
        app_part("current_member_state (MemberModel row)", app.current_member_state),
        app_part("member_query (favourites, region)", app.member_query),
        app_part("member_category_probabilities (decode delta, predict_proba, ranking)",
                 app.member_category_probabilities),
        app_part("_pick_activity_ids (newest per category)", app._pick_activity_ids),
        # Not found since the cards moved to activity.selectors (its row shows 0, as before the split).
        app_part("_cards (cards with counts and is_like)", "_cards"),
    ]


def profile_breakdown(profile: cProfile.Profile, calls: int, parts: list[Part], overlapping: list[Part] = (),
                      rest: str = "everything else") -> list[tuple[str, float, float]]:
    """(part, ms per call under the profiler, calls per call). `parts` must not run inside one another
    (the rest is reported as "everything else"); `overlapping` parts are shown after, as "of which"."""
    stats = pstats.Stats(profile).stats

    def cumulative(file_suffix: str, function: str) -> tuple[float, float]:
        found = [(n, cum) for (file, _, name), (_, n, _, cum, _) in stats.items()
                 if file.replace("\\", "/").endswith(file_suffix) and name == function]
        return sum(n for n, _ in found), sum(t for _, t in found)

    total = sum(tottime for _, _, tottime, _, _ in stats.values())
    measured = [(label, *cumulative(suffix, function)) for label, suffix, function in parts]
    rows = [(label, seconds / calls * 1000, n / calls) for label, n, seconds in measured]
    rows.append((rest, max(0.0, total - sum(seconds for _, _, seconds in measured)) / calls * 1000,
                 float("nan")))
    rows.append(("total under the profiler", total / calls * 1000, float("nan")))
    for label, suffix, function in overlapping:
        n, seconds = cumulative(suffix, function)
        rows.append((f"of which: {label}", seconds / calls * 1000, n / calls))
    return rows


def top_functions(profile: cProfile.Profile, calls: int, count: int = 12) -> list[tuple[str, float, float]]:
    """The functions with the most own time (tottime), ms per call."""
    stats = pstats.Stats(profile).stats
    ranked = sorted(stats.items(), key=lambda item: -item[1][2])[:count]
    rows = []
    for (file, line, name), (_, n, tottime, _, _) in ranked:
        where = "/".join(Path(file).parts[-2:]) if file != "~" else "builtin"
        rows.append((f"{where}:{line} {name}", tottime / calls * 1000, n / calls))
    return rows


# --- profiles of the web workers (py-spy) -------------------------------------------------

PROJECT_DIRS = ("activity/", "member/", "recommender/", "teenplay/")
WAITING_FRAMES = ("select (selectors.py", "_worker (concurrent/futures/thread.py", "wait (threading.py",
                  "accept (socket.py")


def py_spy_recorder(py_spy: str, workers: Callable[[], list], directory: Path,
                    label: str) -> Callable[[], Callable[[], None]]:
    """Starts `py-spy record` (raw stacks, 200 Hz) on each process `workers()` lists; the returned stopper
    ends them (SIGINT, on which py-spy writes its file)."""
    def start() -> Callable[[], None]:
        spies = [subprocess.Popen([py_spy, "record", "--pid", str(worker.pid), "--rate", "200", "--format", "raw",
                                   "--nonblocking", "--output", str(directory / f"{label}-{worker.pid}.txt")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for worker in workers()]

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
