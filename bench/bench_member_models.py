"""Per-member models on PostgreSQL at scale, measured against the seed's pickle per member.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/teenplay_bench DEBUG=1 \\
        python bench/bench_member_models.py [--members 100000] [--activities 20000]

The database named by DATABASE_URL is DROPPED and recreated (its name must contain
"bench" and its host must be a loopback address), migrated, and filled with synthetic
data by bulk inserts. Then, on that data:

1. storage per member after 20 learning events (10 views + 10 likes), event log
   included, against the seed's pickle file per member;
2. the added time of a learning event on the request path (`record_activity_view`, and
   the learning part of `like_activity`) against the seed's joblib.load -> transform ->
   partial_fit -> joblib.dump, and what taking the event into the member's counts then
   costs (in the task worker, off the request path), with cProfile breakdowns of both;
3. the AI tab: `recommended_activities` + its serializer, and the DRF view through
   django.test.Client, logged in (with and without events) and logged out;
4. `similar_activities` from the precomputed index (when
   `recommender.services.rebuild_similar_activities` exists).

It ends with markdown tables. bench/README.md says what each figure counts.
`--reuse-db` skips the drop and the population (e.g. to run part 4 later).
"""
from __future__ import annotations

import argparse
import cProfile
import inspect
import itertools
import os
import pstats
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teenplay.settings")

import dj_database_url  # noqa: E402
import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from tqdm import tqdm  # noqa: E402

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
EVENTS_PER_MEMBER = 20  # 10 views + 10 likes, alternating
ORIGINAL_SEED_PICKLE_BYTES = 1_089_746  # measured on the original project's own model (GUIDE.md)
ORIGINAL_SEED_EVENT_MS = 15

GOAL_STORAGE_BYTES = 8 * 1024
GOAL_EVENT_MS = 2.0
GOAL_TAB_MS = 10.0
GOAL_SIMILAR_MS = 5.0

# Three keywords a member interested in each category might type (one set per category id).
KEYWORDS = {
    1: ("공방", "뜨개질", "목공"), 2: ("전시", "뮤지컬", "미술관"), 3: ("러닝", "등산", "클라이밍"),
    4: ("맛집", "와인", "베이킹"), 5: ("바다", "캠핑", "여행"), 6: ("독서", "글쓰기", "강연"),
    7: ("동네", "산책", "친구"), 8: ("소개팅", "데이트", "연애"), 9: ("주식", "투자", "부동산"),
    10: ("영어", "일본어", "회화"), 11: ("코딩", "자격증", "토익"), 12: ("축제", "불꽃놀이", "야시장"),
    13: ("봉사", "플로깅", "반려견"),
}


# --- the target database -----------------------------------------------------------


def bench_database() -> dict:
    """The DATABASE_URL config, if it is safe to drop: PostgreSQL, "bench" in the name, loopback host."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("DATABASE_URL is not set, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/teenplay_bench")
    config = dj_database_url.parse(url)
    name, host = config.get("NAME") or "", str(config.get("HOST") or "")
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"refusing to run: {config['ENGINE']} is not PostgreSQL")
    if "bench" not in name.lower():
        sys.exit(f"refusing to run against database {name!r}: the benchmark drops and recreates its database, "
                 "so its name must contain 'bench' (e.g. teenplay_bench)")
    if host not in LOOPBACK_HOSTS:
        sys.exit(f"refusing to run against host {host!r}: benchmarks run on a loopback address only (127.0.0.1)")
    return config


def recreate_database(config: dict) -> None:
    with psycopg.connect(host=config["HOST"], port=int(config.get("PORT") or 5432), user=config.get("USER") or None,
                         password=config.get("PASSWORD") or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def scalar(query: str, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


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


def clear_token_caches() -> None:
    """Forget tokenized texts, so the next event pays for tokenizing a new activity's text."""
    from recommender import active_model, text

    for cached in (getattr(active_model, "_features", None), getattr(text, "_morphemes", None)):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


# --- figures -------------------------------------------------------------------------


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


def met(value: float, goal: float) -> str:
    if value != value:  # nan
        return "n/a"
    return "yes" if value <= goal else "**no**"


# --- population ----------------------------------------------------------------------


@dataclass
class Population:
    activity_ids: list[int]  # enabled activities of enabled clubs
    category_of: dict[int, int]  # activity id -> category id
    event_member_ids: list[int]  # members with a background event history
    index_bytes_per_row: dict[str, float]  # table -> index bytes per live row
    seconds: float = 0.0


def _bulk(model, objects, total: int, desc: str, batch: int) -> list[int]:
    """bulk_create in batches with a progress bar; the new primary keys."""
    ids: list[int] = []
    iterator = iter(objects)
    with tqdm(total=total, desc=desc, unit="row", leave=False) as bar:
        while chunk := list(itertools.islice(iterator, batch)):
            ids.extend(obj.pk for obj in model.objects.bulk_create(chunk, batch_size=batch))
            bar.update(len(chunk))
    return ids


def _index_bytes_per_row(model) -> float:
    table = model._meta.db_table
    rows = scalar(f"SELECT count(*) FROM {table}")
    return scalar("SELECT pg_indexes_size(%s::regclass)", [table]) / rows if rows else float("nan")


def _learning_features(activity_ids: list[int], batch: int) -> dict[int, dict[int, float]]:
    """Token counts of each activity's learning text, tokenized in batches (the same text and
    vectorizer as a learning event, without filling the web app's caches one text at a time)."""
    from activity.models import Activity
    from recommender.active_model import active_model
    from recommender.engine import sparse_row
    from recommender.services import learning_text

    vectorizer = active_model().pipeline.named_steps["count_v"]
    activities = Activity.objects.filter(id__in=activity_ids).select_related("category").only(
        "id", "title", "intro", "address_location", "category__name")
    by_id = {activity.id: activity for activity in activities}
    features: dict[int, dict[int, float]] = {}
    ordered = [by_id[i] for i in activity_ids if i in by_id]
    for start in tqdm(range(0, len(ordered), batch), desc="tokenizing activity texts", unit="batch", leave=False):
        chunk = ordered[start:start + batch]
        matrix = vectorizer.transform([learning_text(activity) for activity in chunk]).tocsr()
        for row, activity in enumerate(chunk):
            features[activity.id] = sparse_row(matrix[row])
    return features


def _event(event: tuple, category_of: dict[int, int], weights: dict[str, float]):
    from recommender.models import LearningEvent

    at, member_id, activity_id, kind = event
    return LearningEvent(member_id=member_id, activity_id=activity_id, kind=kind, category_id=category_of[activity_id],
                         weight=weights[kind], created_at=at, state=LearningEvent.State.LEARNED)


def populate(*, members: int, activities: int, event_share: float, batch: int, rng: np.random.Generator) -> Population:
    import pandas as pd
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from activity.models import Activity, ActivityLike, ActivityMember, Club
    from reference import CATEGORY_IDS, REGION_NAMES
    from member.models import Member, MemberFavoriteCategory
    from recommender.active_model import active_model
    from recommender.models import LearningEvent, MemberModel
    from recommender.services import N_CLASSES, MemberState

    started = time.perf_counter()
    model = active_model()
    now = timezone.now()
    n_categories, n_regions = len(CATEGORY_IDS), len(REGION_NAMES)

    # Members: unusable passwords, a region for 70%, favourite categories and keywords for half.
    interests = [
        tuple(int(c) for c in rng.choice(CATEGORY_IDS, size=int(rng.integers(1, 4)), replace=False))
        if rng.random() < 0.5 else ()
        for _ in range(members)
    ]

    def member_objects():
        for n, categories in enumerate(interests):
            keywords = KEYWORDS[categories[0]] if categories else ("", "", "")
            yield Member(
                email=f"bench{n:07d}@bench.teenplay.example", nickname=f"벤치{n}", password=make_password(None),
                region_id=int(rng.integers(1, n_regions + 1)) if rng.random() < 0.7 else None,
                privacy_agree=True, keyword_1=keywords[0], keyword_2=keywords[1], keyword_3=keywords[2],
                date_joined=now - timedelta(days=float(rng.uniform(0, 700))),
            )

    member_ids = _bulk(Member, member_objects(), members, "members", batch)
    member_array = np.asarray(member_ids)
    _bulk(MemberModel, (MemberModel(member_id=member_id, base_version=model.version, recent_counts=[0.0] * N_CLASSES)
                        for member_id in member_ids), members, "member models", batch)
    index_bytes = {"membermodel": _index_bytes_per_row(MemberModel)}  # fresh, before any update
    favourites = [(member_id, category) for member_id, categories in zip(member_ids, interests) for category in categories]
    _bulk(MemberFavoriteCategory, (MemberFavoriteCategory(member_id=m, category_id=c) for m, c in favourites),
          len(favourites), "favourite categories", batch)

    # Clubs (each with a main category, ~2% disabled) and activities replicated from the dataset.
    n_clubs = max(n_categories, activities // 20)
    club_ids = _bulk(Club, (
        Club(name=f"벤치 모임 {k + 1}", main_category_id=k % n_categories + 1,
             region_id=int(rng.integers(1, n_regions + 1)), leader_id=int(rng.choice(member_array)),
             status=bool(rng.random() >= 0.02))
        for k in range(n_clubs)), n_clubs, "clubs", batch)
    clubs_by_category = {c: np.asarray(club_ids[c - 1::n_categories]) for c in CATEGORY_IDS}
    frame = pd.read_csv(ROOT / "datasets" / "activities.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = list(frame.itertuples(index=False))

    def activity_objects():
        for i in range(activities):
            row = rows[i % len(rows)]
            category_id = int(row.category_id)
            round_ = i // len(rows)
            title = row.activity_title if round_ == 0 else f"{row.activity_title} ({round_ + 1}회차)"
            if i % 3 == 0:  # not ended: created in the last two months, runs in the coming weeks
                created = now - timedelta(days=float(rng.uniform(0, 60)))
                recruit_end = now + timedelta(days=float(rng.uniform(0, 20)))
            else:  # ended: created 2 to 13 months ago
                created = now - timedelta(days=float(rng.uniform(60, 400)))
                recruit_end = created + timedelta(days=float(rng.uniform(7, 30)))
            activity_start = recruit_end + timedelta(days=float(rng.uniform(1, 5)))
            yield Activity(
                club_id=int(rng.choice(clubs_by_category[category_id])), category_id=category_id, title=title[:200],
                content=row.activity_content, intro=row.activity_intro,
                address_location=row.activity_address_location, address_detail=row.activity_address_detail,
                recruit_start=created, recruit_end=recruit_end, activity_start=activity_start,
                activity_end=activity_start + timedelta(hours=float(rng.uniform(2, 8))),
                status=bool(rng.random() >= 0.02), created_date=created, updated_date=created,
            )

    _bulk(Activity, activity_objects(), activities, "activities", batch)
    enabled = list(Activity.enabled_objects.filter(club__status=True).order_by("id").values_list("id", "category_id"))
    activity_ids = [activity_id for activity_id, _ in enabled]
    category_of = dict(enabled)
    activity_array = np.asarray(activity_ids)
    by_category = {c: np.asarray([a for a, cat in enabled if cat == c]) for c in CATEGORY_IDS}

    # Background event history: a share of members, 20 events each (80% from one or two tastes).
    weights = settings.RECOMMENDER_EVENT_WEIGHTS
    event_member_ids = sorted(int(m) for m in rng.choice(member_array, size=int(members * event_share), replace=False))
    plans = {}
    for member_id in event_member_ids:
        tastes = rng.choice(CATEGORY_IDS, size=int(rng.integers(1, 3)), replace=False)
        chosen: set[int] = set()
        while len(chosen) < EVENTS_PER_MEMBER:
            pool = by_category[int(rng.choice(tastes))] if rng.random() < 0.8 else activity_array
            if len(pool):
                chosen.add(int(rng.choice(pool)))
        times = sorted(now - timedelta(days=float(d)) for d in rng.uniform(0, 60, EVENTS_PER_MEMBER))
        plans[member_id] = list(zip(itertools.cycle(("view", "like")), rng.permutation(sorted(chosen)).tolist(), times))
    features = _learning_features(sorted({a for plan in plans.values() for _, a, _ in plan}), batch=500)
    # Each member's counts come from their own events in time order; the rows go in in global time
    # order, as members' events interleave on the site (so indexes grow as they would, not member by member).
    events = []
    chunk_size = 1000
    for start in tqdm(range(0, len(event_member_ids), chunk_size), desc="background member models", unit="chunk", leave=False):
        chunk = event_member_ids[start:start + chunk_size]
        with transaction.atomic():
            for row in MemberModel.objects.filter(member_id__in=chunk).order_by("member_id"):
                state = MemberState.of(row)
                for kind, activity_id, at in plans[row.member_id]:
                    event = (at, row.member_id, activity_id, kind)
                    state.apply(model, _event(event, category_of, weights), features[activity_id])
                    events.append(event)
                state.save(model.version, EVENTS_PER_MEMBER)
    events.sort()
    _bulk(LearningEvent, (_event(event, category_of, weights) for event in events), len(events), "learning events", batch)
    likes = [(member_id, activity_id, at) for at, member_id, activity_id, kind in events if kind == "like"]
    _bulk(ActivityLike, (ActivityLike(member_id=m, activity_id=a, created_date=at, updated_date=at) for m, a, at in likes),
          len(likes), "likes with events", batch)
    likes = {(m, a) for m, a, _ in likes}
    del features
    index_bytes["learningevent"] = _index_bytes_per_row(LearningEvent)  # append-only table

    # Popularity: heavy-tailed participations (one per member on average) and extra likes (one per two members).
    popularity = rng.pareto(1.5, size=len(activity_ids)) + 0.05
    popularity /= popularity.sum()
    for model_class, count, taken in ((ActivityMember, members, set()), (ActivityLike, members // 2, likes)):
        pairs = set(zip(rng.choice(member_array, size=count).tolist(),
                        rng.choice(activity_array, size=count, p=popularity).tolist())) - taken
        _bulk(model_class, (model_class(member_id=m, activity_id=a) for m, a in pairs), len(pairs),
              model_class._meta.model_name, batch)

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return Population(activity_ids, category_of, event_member_ids, index_bytes, time.perf_counter() - started)


def existing_population() -> Population:
    from activity.models import Activity
    from recommender.models import LearningEvent, MemberModel

    enabled = list(Activity.enabled_objects.filter(club__status=True).order_by("id").values_list("id", "category_id"))
    event_members = list(MemberModel.objects.filter(event_count__gte=EVENTS_PER_MEMBER).values_list("member_id", flat=True)[:5000])
    return Population([a for a, _ in enabled], dict(enabled), event_members,
                      {"membermodel": _index_bytes_per_row(MemberModel), "learningevent": _index_bytes_per_row(LearningEvent)})


# --- 1 and 2: learning events and storage -----------------------------------------------------


@dataclass
class EventPlan:
    member_id: int
    events: list[tuple[str, int]]  # (kind, activity id), views and likes alternating


def event_plans(members: list[int], pool: list[int], rng: np.random.Generator) -> list[EventPlan]:
    """20 distinct activities per member; distinct across all members too when the pool is big enough,
    so every event tokenizes a text this process has not seen."""
    need = len(members) * EVENTS_PER_MEMBER
    draws = rng.choice(pool, size=need, replace=False) if need <= len(pool) else np.concatenate(
        [rng.choice(pool, size=EVENTS_PER_MEMBER, replace=False) for _ in members])
    plans = []
    for i, member_id in enumerate(members):
        chosen = draws[i * EVENTS_PER_MEMBER:(i + 1) * EVENTS_PER_MEMBER].tolist()
        plans.append(EventPlan(member_id, list(zip(itertools.cycle(("view", "like")), chosen))))
    return plans


@dataclass
class EventTimings:
    view: Timing = field(default_factory=Timing)  # record_activity_view: all of it is added by learning
    like: Timing = field(default_factory=Timing)  # like_activity as a whole
    like_learning: Timing = field(default_factory=Timing)  # the learning part inside it (record_like_learning)
    take_in: Timing = field(default_factory=Timing)  # taking the event into the counts (the task worker)


class LikeLearningClock:
    """Times `record_like_learning` where `like_activity` calls it: the time learning adds to a like."""

    def __init__(self):
        import activity.services

        self.module = activity.services
        self.original = activity.services.record_like_learning
        self.last: tuple[float, float] | None = None

    def __call__(self, **kwargs):
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            return self.original(**kwargs)
        finally:
            self.last = (time.perf_counter() - start, time.process_time() - cpu_start)

    def __enter__(self):
        self.module.record_like_learning = self
        return self

    def __exit__(self, *exc):
        self.module.record_like_learning = self.original


def learn(kind: str, member, activity):
    """One learning event through the service the site calls for it; False when nothing was logged."""
    from activity.services import like_activity
    from recommender.services import record_activity_view

    if kind == "view":
        return record_activity_view(member=member, activity=activity)
    return like_activity(member=member, activity=activity) is not None


def take_in(member):
    """What the task worker runs for the member once the event's transaction commits
    (recommender.tasks): pending events go into the member's stored counts."""
    from recommender.services import take_in_member_events

    return take_in_member_events(member_id=member.pk)


def load_plan_objects(plans: list[EventPlan]) -> tuple[dict, dict]:
    """Members and activities of the plans, loaded before timing (as the request already has them:
    the activity with its category, as the API and the detail page load it). A planned like the
    population already gave the member (the random extra likes) is removed first, so every timed
    like is a new one that learns."""
    from django.db.models import Q

    from activity.models import Activity, ActivityLike
    from member.models import Member

    planned_likes = Q(pk__in=[])
    for plan in plans:
        liked = [activity_id for kind, activity_id in plan.events if kind == "like"]
        planned_likes |= Q(member_id=plan.member_id, activity_id__in=liked)
    ActivityLike.objects.filter(planned_likes).delete()
    members = Member.objects.in_bulk([plan.member_id for plan in plans])
    activities = Activity.objects.select_related("category").in_bulk({a for plan in plans for _, a in plan.events})
    return members, activities


def run_events(plans: list[EventPlan], *, pretokenize: bool = False, profile: cProfile.Profile | None = None,
               take_in_profile: cProfile.Profile | None = None, desc: str = "events") -> EventTimings:
    """Each plan's events through the real services, each timed on its own (its own transaction),
    each followed by the take-in the site runs once the response is sent (timed apart)."""
    from recommender.active_model import active_model
    from recommender.services import learning_text

    members, activities = load_plan_objects(plans)
    if pretokenize:
        model = active_model()
        for activity in activities.values():
            model.features(learning_text(activity))
    timings = EventTimings()
    clock, cpu_clock = time.perf_counter, time.process_time
    with LikeLearningClock() as like_learning:
        for plan in tqdm(plans, desc=desc, unit="member", leave=False):
            member = members[plan.member_id]
            for kind, activity_id in plan.events:
                activity = activities[activity_id]
                like_learning.last = None
                if profile:
                    profile.enable()
                start, cpu_start = clock(), cpu_clock()
                learned = learn(kind, member, activity)
                elapsed, cpu = clock() - start, cpu_clock() - cpu_start
                if profile:
                    profile.disable()
                if not learned or (kind == "like" and like_learning.last is None):
                    raise RuntimeError(f"{kind} of activity {activity_id} by member {member.pk} logged nothing")
                getattr(timings, kind).add(elapsed, cpu)
                if kind == "like":
                    timings.like_learning.add(*like_learning.last)
                if take_in_profile:
                    take_in_profile.enable()
                start, cpu_start = clock(), cpu_clock()
                take_in(member)
                elapsed, cpu = clock() - start, cpu_clock() - cpu_start
                if take_in_profile:
                    take_in_profile.disable()
                timings.take_in.add(elapsed, cpu)
    return timings


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

    def rows(self) -> list[tuple[str, float, float]]:
        """(statement, median ms, statements per call), slowest first."""
        rows = [(sql, statistics.median(times) * 1000, len(times) / max(self.calls, 1)) for sql, times in self.times.items()]
        return sorted(rows, key=lambda row: -row[1] * row[2])


def summarize_sql(sql: str) -> str:
    """"SELECT … FROM activity_activity (window, FOR UPDATE)": the verb, the tables and what stands out."""
    import re

    verb = sql.split(None, 1)[0].upper()
    tables = list(dict.fromkeys(re.findall(r'(?:FROM|JOIN|INTO|UPDATE) "(\w+)"', sql)))
    traits = [name for name, pattern in (("window", "ROW_NUMBER"), ("COUNT", "COUNT("), ("EXISTS", "EXISTS("),
                                         ("FOR UPDATE", "FOR UPDATE"), ("LIMIT 1", "LIMIT 1")) if pattern in sql]
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    return f"{verb} {', '.join(tables)}" + (f" ({', '.join(traits)})" if traits else "")


def event_statements(plan: EventPlan, show: bool) -> tuple[dict[str, int], dict[str, StatementTimes]]:
    """Queries of one view, one like and the take-in after each; each statement's time over the plan's events."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    members, activities = load_plan_objects([plan])
    member = members[plan.member_id]
    counts = {}

    def captured(label: str, call) -> None:
        with CaptureQueriesContext(connection) as queries:
            call()
        counts[label] = len(queries.captured_queries)
        if show:
            print(f"\n-- queries of {label} --")
            for query in queries.captured_queries:
                print(f"  {query['sql'][:300]}")

    for kind, activity_id in plan.events[:2]:
        captured(kind, lambda: learn(kind, member, activities[activity_id]))
        captured(f"take_in_{kind}", lambda: take_in(member))
    statements = {"view": StatementTimes(), "like": StatementTimes(), "take_in": StatementTimes()}
    for kind, activity_id in plan.events[2:]:
        with connection.execute_wrapper(statements[kind]):
            learn(kind, member, activities[activity_id])
        statements[kind].calls += 1
        with connection.execute_wrapper(statements["take_in"]):
            take_in(member)
        statements["take_in"].calls += 1
    return counts, statements


@dataclass
class Storage:
    totals: list[int]  # bytes per member
    parts: dict[str, list[float]]  # part -> bytes per member
    toasted: int  # members whose delta PostgreSQL moved out of line into the TOAST table


# PostgreSQL (8 KB pages) moves a row's largest values out of line once the row passes
# TOAST_TUPLE_THRESHOLD, in chunks of at most TOAST_MAX_CHUNK_SIZE bytes. Each chunk costs a
# heap tuple (24-byte header, chunk_id, chunk_seq, 4-byte varlena header, 4-byte line pointer)
# and a TOAST index entry (16 bytes + 4-byte line pointer); the row keeps an 18-byte pointer
# instead of the value's 4-byte header.
TOAST_TUPLE_THRESHOLD = 2032
TOAST_MAX_CHUNK_SIZE = 1996
TOAST_CHUNK_OVERHEAD = 24 + 4 + 4 + 4 + 4 + 20
TOAST_POINTER_EXTRA = 18 - 4


def member_storage(member_ids: list[int], index_bytes: dict[str, float]) -> Storage:
    """Bytes each member takes after their events: the MemberModel row and their LearningEvent rows
    (each: pg_column_size of the whole row, i.e. 24-byte tuple header + columns as stored, plus the
    page's 4-byte line pointer; TOAST chunk overhead added when the delta is stored out of line),
    plus index entries at each table's measured index bytes per row."""
    from django.db import connection

    from recommender.models import LearningEvent, MemberModel

    member_table, event_table = MemberModel._meta.db_table, LearningEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT member_id, pg_column_size(m.*), octet_length(m.delta), pg_column_size(m.delta) "
            f"FROM {member_table} m WHERE member_id = ANY(%s)", [member_ids])
        model_rows = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT member_id, sum(pg_column_size(e.*)), count(*) FROM {event_table} e "
            f"WHERE member_id = ANY(%s) GROUP BY member_id", [member_ids])
        event_rows = {row[0]: row[1:] for row in cursor.fetchall()}
    parts: dict[str, list[float]] = {name: [] for name in (
        "MemberModel row", "of which delta", "MemberModel index entries", "LearningEvent rows",
        "LearningEvent index entries", "events")}
    totals, toasted = [], 0
    for member_id in member_ids:
        row_size, delta_length, delta_stored = model_rows[member_id]
        event_bytes, event_count = event_rows.get(member_id, (0, 0))
        toast = 0
        if row_size > TOAST_TUPLE_THRESHOLD:
            toasted += 1
            toast = TOAST_POINTER_EXTRA + -(-delta_stored // TOAST_MAX_CHUNK_SIZE) * TOAST_CHUNK_OVERHEAD
        values = {
            "MemberModel row": row_size + 4 + toast,
            "of which delta": delta_stored,
            "MemberModel index entries": index_bytes["membermodel"],
            "LearningEvent rows": int(event_bytes) + 4 * event_count,
            "LearningEvent index entries": index_bytes["learningevent"] * event_count,
            "events": event_count,
        }
        for name, value in values.items():
            parts[name].append(value)
        totals.append(round(values["MemberModel row"] + values["MemberModel index entries"]
                            + values["LearningEvent rows"] + values["LearningEvent index entries"]))
    return Storage(totals, parts, toasted)


@dataclass
class SeedWay:
    event: Timing
    file_bytes: list[int]


def seed_way(plans: list[EventPlan], category_of: dict[int, int], directory: Path) -> SeedWay:
    """The seed's per-member model: a joblib copy of the pipeline at signup, and per event
    joblib.load -> count_v.transform -> mnnb.partial_fit -> joblib.dump of that member's file."""
    import joblib
    from django.conf import settings

    from activity.models import Activity
    from recommender.services import learning_text

    base = joblib.load(settings.RECOMMENDER_MODEL_PATH)
    texts = {a.id: learning_text(a) for a in Activity.objects.select_related("category").in_bulk(
        {a for plan in plans for _, a in plan.events}).values()}

    def learn(path: Path, activity_id: int) -> None:
        pipeline = joblib.load(path)
        counts = pipeline.named_steps["count_v"].transform([texts[activity_id]])
        pipeline.named_steps["mnnb"].partial_fit(counts, [category_of[activity_id]])
        joblib.dump(pipeline, path)

    warm = directory / "warm-up.pkl"
    joblib.dump(base, warm)
    learn(warm, plans[0].events[0][1])
    warm.unlink()
    clear_token_caches()
    result = SeedWay(Timing(), [])
    for plan in tqdm(plans, desc="seed way (pickle per member)", unit="member", leave=False):
        path = directory / f"member-{plan.member_id}.pkl"
        joblib.dump(base, path)  # at signup
        for _, activity_id in plan.events:
            start, cpu_start = time.perf_counter(), time.process_time()
            learn(path, activity_id)
            result.event.add(time.perf_counter() - start, time.process_time() - cpu_start)
        result.file_bytes.append(path.stat().st_size)
        path.unlink()
    return result


Part = tuple[str, str, str]  # (label, file path suffix, function name)

SQL = ("SQL statements (Django cursor → psycopg → server and back)", "django/db/backends/utils.py", "_execute")
ORM_PARTS: list[Part] = [
    ("ORM: building querysets (filter → WHERE)", "django/db/models/sql/query.py", "add_q"),
    ("ORM: compiling SQL (SQLCompiler.as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("ORM: model instances from rows (Model.from_db)", "django/db/models/base.py", "from_db"),
]
EVENT_PARTS: list[Part] = [  # the request path: appending to the log
    SQL,
    ("COMMIT", "django/db/backends/base/base.py", "_commit"),
    *ORM_PARTS,
]
TAKE_IN_PARTS: list[Part] = [  # the next read: pending events into the member's counts
    SQL,
    ("COMMIT", "django/db/backends/base/base.py", "_commit"),
    ("tokenizing the activity text (CountVectorizer.transform)", "sklearn/feature_extraction/text.py", "transform"),
    ("learning_text (cleaning the text)", "recommender/services.py", "learning_text"),
    ("MemberDelta.from_bytes (decode)", "recommender/engine.py", "from_bytes"),
    ("MemberDelta.to_bytes (encode, zlib level 1)", "recommender/engine.py", "to_bytes"),
    ("MemberState.apply (add counts, decay)", "recommender/services.py", "apply"),
    *ORM_PARTS,
]
TAB_PARTS: list[Part] = [  # the selector's steps, then the serializer
    ("current_member_state (MemberModel row)", "recommender/services.py", "current_member_state"),
    ("member_query (favourites, region)", "recommender/selectors.py", "member_query"),
    ("member_category_probabilities (decode delta, predict_proba, ranking)", "recommender/selectors.py",
     "member_category_probabilities"),
    ("_pick_activity_ids (newest per category)", "recommender/selectors.py", "_pick_activity_ids"),
    ("_cards (cards with counts and is_like)", "recommender/selectors.py", "_cards"),
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


# --- 3 and 4: reads ------------------------------------------------------------------


def time_calls(calls: list, warmup: int) -> Timing:
    """Time each zero-argument callable; the first `warmup` are run untimed."""
    timing = Timing()
    for i, call in enumerate(calls):
        start, cpu_start = time.perf_counter(), time.process_time()
        call()
        if i >= warmup:
            timing.add(time.perf_counter() - start, time.process_time() - cpu_start)
    return timing


def count_queries(calls: list) -> str:
    """Queries per call over a few calls, as "5" or "5–6" (a member with a region costs one more)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            call()
        counts.append(len(captured.captured_queries))
    return f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"


def bench_recommendations(with_events: list[int], without_events: list[int], activity_ids: list[int], repeat: int,
                          warmup: int, rng: np.random.Generator
                          ) -> tuple[dict[str, Timing], list[tuple[str, float, float]], StatementTimes]:
    """Timings per scenario; a profile and each statement's time of the selector + serializer for
    members with events."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from member.models import Member
    from recommender.apis import RecommendationSerializer
    from recommender.selectors import recommended_activities

    def tab(member):
        return RecommendationSerializer(recommended_activities(member=member)).data

    def fresh_members(ids: list[int], n: int) -> list:
        # One instance per call, as a request loads request.user: nothing cached on it between calls.
        return [Member.objects.get(pk=ids[i % len(ids)]) for i in range(n)]

    results: dict[str, Timing] = {}
    n = repeat + warmup
    for label, ids in (("member with events", with_events), ("member without events", without_events)):
        members = fresh_members(ids, n + 1)
        sample = tab(members[-1])
        if sample["source"] != "member" or not sample["activities"]:
            raise RuntimeError(f"unexpected AI tab for a {label}: {sample['source']}, {len(sample['activities'])} activities")
        results[f"selector+serializer, {label}"] = time_calls([lambda m=m: tab(m) for m in members[:n]], warmup)
        results[f"selector+serializer, {label}"].queries = count_queries(
            [lambda m=m: tab(m) for m in fresh_members(ids, 10)])
    anonymous = AnonymousUser()
    results["selector+serializer, logged out"] = time_calls([lambda: tab(anonymous)] * n, warmup)
    results["selector+serializer, logged out"].queries = count_queries([lambda: tab(anonymous)] * 3)

    url = reverse("recommender:recommendations")
    clients = []
    for member in Member.objects.in_bulk(with_events[:50]).values():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(member)
        clients.append(client)
    anonymous_client = Client(HTTP_HOST="127.0.0.1")
    for label, pool in (("GET API view (session), member with events", clients), ("GET API view, logged out", [anonymous_client])):
        response = pool[0].get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
        results[label] = time_calls([lambda c=pool[i % len(pool)]: c.get(url) for i in range(n)], warmup)
        results[label].queries = count_queries([lambda c=c: c.get(url) for c in pool[:10]])

    # The usual path to the tab: the member opens an activity page (untimed; its view is logged and,
    # once the page's response is sent, taken into their counts), then comes back to the main page.
    pages = [reverse("activity:detail", args=[activity_id]) for activity_id in rng.choice(activity_ids, size=n).tolist()]
    after_view = Timing()
    for i in range(n):
        client = clients[i % len(clients)]
        if client.get(pages[i]).status_code != 200:
            raise RuntimeError(f"{pages[i]} did not answer 200")
        start, cpu_start = time.perf_counter(), time.process_time()
        client.get(url)
        if i >= warmup:
            after_view.add(time.perf_counter() - start, time.process_time() - cpu_start)
    counts = []
    for client, page in zip(clients[:10], pages):
        client.get(page)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    after_view.queries = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
    results["GET API view (session), right after the member opened an activity page"] = after_view

    members = fresh_members(with_events, min(repeat, 100))
    profile = cProfile.Profile()
    for member in members:
        profile.runcall(tab, member)
    statements = StatementTimes()
    for member in fresh_members(with_events, min(repeat, 100)):
        with connection.execute_wrapper(statements):
            tab(member)
        statements.calls += 1
    return results, profile_breakdown(profile, len(members), TAB_PARTS, overlapping=[SQL, *ORM_PARTS],
                                      rest="serializing (RecommendationSerializer(...).data) and the rest"), statements


@dataclass
class Similar:
    timing: Timing | None = None
    build_seconds: float = float("nan")
    empty_share: float = float("nan")
    note: str = ""


def bench_similar(activity_ids: list[int], repeat: int, warmup: int, rng: np.random.Generator) -> Similar:
    from recommender import selectors, services

    rebuild = getattr(services, "rebuild_similar_activities", None)
    if rebuild is None:
        return Similar(note="similar index not available (recommender.services.rebuild_similar_activities is missing)")
    kwargs = {"show_progress": True} if "show_progress" in inspect.signature(rebuild).parameters else {}
    start = time.perf_counter()
    try:
        rebuild(**kwargs)
    except Exception as error:  # the index is being written while this runs: report, do not stop
        return Similar(note=f"similar index not available (rebuild_similar_activities failed: {error!r})")
    result = Similar(build_seconds=time.perf_counter() - start)
    ids = rng.choice(activity_ids, size=repeat + warmup).tolist()
    answers = []
    result.timing = time_calls([lambda a=a: answers.append(selectors.similar_activities(activity_id=a)) for a in ids], warmup)
    result.timing.queries = count_queries([lambda a=a: selectors.similar_activities(activity_id=a) for a in ids[:10]])
    result.empty_share = sum(not answer for answer in answers) / len(answers)
    if result.empty_share == 1.0:
        result.note = "similar_activities returned nothing for every activity (index empty?)"
    return result


# --- the run -------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--event-share", type=float, default=0.1,
                        help="share of members given a background history of 20 events (default 0.1)")
    parser.add_argument("--sample", type=int, default=200, help="members whose 20 events are timed and measured")
    parser.add_argument("--warm-members", type=int, default=50, help="members timed with texts already tokenized")
    parser.add_argument("--profile-members", type=int, default=20, help="members whose events run under cProfile")
    parser.add_argument("--seed-members", type=int, default=3, help="members replayed the seed's way (pickle per member)")
    parser.add_argument("--repeat", type=int, default=300, help="timed calls per read scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5000, help="bulk_create batch size")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthetic data")
    parser.add_argument("--reuse-db", action="store_true", help="keep the existing bench database and its data")
    parser.add_argument("--skip-similar", action="store_true")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one view and one like")
    parser.add_argument("--quiet-wait", type=float, default=90,
                        help="seconds to wait, before each timed part, for other work to leave the CPUs (default 90)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic in a bench run
    config = bench_database()
    if not args.reuse_db:
        recreate_database(config)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    if settings.DATABASES["default"]["NAME"] != config["NAME"]:
        sys.exit("settings point at another database than DATABASE_URL; refusing to run")
    # DEBUG=1 only supplies a development SECRET_KEY: time without DEBUG's query logging.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)

    from activity.models import Activity
    from member.models import Member, MemberFavoriteCategory
    from recommender.active_model import active_model
    from recommender.models import LearningEvent, MemberModel

    rng = np.random.default_rng(args.seed)
    model = active_model()
    if args.reuse_db:
        population = existing_population()
        print(f"reusing {config['NAME']}: {Member.objects.count():,} members, {Activity.objects.count():,} activities")
    else:
        population = populate(members=args.members, activities=args.activities, event_share=args.event_share,
                              batch=args.batch, rng=rng)
        print(f"populated {config['NAME']} in {population.seconds:.0f} s")
    counts = {name: model_class.objects.count() for name, model_class in (
        ("members", Member), ("activities", Activity), ("learning events", LearningEvent))}
    open_count = Activity.enabled_objects.filter(activity_end__gte=timezone.now()).count()

    # Members for 1 and 2: no events yet; half of them have favourite categories.
    fresh = list(MemberModel.objects.filter(event_count=0).order_by("member_id").values_list("member_id", flat=True))
    wanted = 1 + args.sample + args.warm_members + args.profile_members + 1
    if len(fresh) < wanted:
        sys.exit(f"only {len(fresh)} members without events; lower --sample/--warm-members/--profile-members")
    picked = rng.choice(fresh, size=wanted, replace=False).tolist()
    warmup_member, sample, warm, profiled, counter = (
        picked[:1], picked[1:1 + args.sample], picked[1 + args.sample:1 + args.sample + args.warm_members],
        picked[1 + args.sample + args.warm_members:-1], picked[-1:])
    pool = population.activity_ids
    sample_plans = event_plans(sample, pool, rng)

    quiet = {"learning events": wait_for_quiet(args.quiet_wait)}
    print("learning events ...")
    run_events(event_plans(warmup_member, pool, rng), desc="warm-up")  # imports, Kiwi's model, first queries
    clear_token_caches()
    measured = run_events(sample_plans, desc="timed events (new texts)")
    storage = member_storage(sample, population.index_bytes_per_row)
    warm_timings = run_events(event_plans(warm, pool, rng), pretokenize=True, desc="timed events (texts tokenized)")
    clear_token_caches()
    profile, take_in_profile = cProfile.Profile(), cProfile.Profile()
    profiled_plans = event_plans(profiled, pool, rng)
    run_events(profiled_plans, profile=profile, take_in_profile=take_in_profile, desc="profiled events")
    profiled_events = sum(len(plan.events) for plan in profiled_plans)
    breakdown = profile_breakdown(profile, profiled_events, EVENT_PARTS)
    event_top = top_functions(profile, profiled_events)
    take_in_breakdown = profile_breakdown(take_in_profile, profiled_events, TAKE_IN_PARTS)
    query_counts, statements = event_statements(event_plans(counter, pool, rng)[0], args.show_queries)
    measured.view.queries, measured.like.queries = query_counts["view"], query_counts["like"]
    fewest, most = sorted((query_counts["take_in_view"], query_counts["take_in_like"]))
    measured.take_in.queries = f"{fewest}" if fewest == most else f"{fewest}–{most}"
    # Last: its ~14 MB pickle writes would otherwise slow the database's commits that follow.
    with tempfile.TemporaryDirectory(prefix="teenplay-seed-") as directory:
        seed = seed_way(sample_plans[:args.seed_members], population.category_of, Path(directory))
    os.sync()

    quiet["AI tab"] = wait_for_quiet(args.quiet_wait)
    print("AI tab ...")
    with_events = sample + [int(m) for m in rng.permutation(population.event_member_ids)[:200]]
    without_events = list(MemberFavoriteCategory.objects.filter(member_id__in=fresh[:20000])
                          .exclude(member_id__in=picked).values_list("member_id", flat=True).distinct()[:200])
    tab, tab_breakdown, tab_statements = bench_recommendations(with_events, without_events, pool, args.repeat,
                                                               args.warmup, rng)

    similar = Similar(note="skipped (--skip-similar)")
    if not args.skip_similar:
        quiet["similar"] = wait_for_quiet(args.quiet_wait)
        print("similar activities ...")
        similar = bench_similar(pool, args.repeat, args.warmup, rng)
        if similar.note:
            print(similar.note)

    report(args, config, counts, open_count, population, model, storage, measured, warm_timings, seed,
           {"event": breakdown, "event_top": event_top, "take_in": take_in_breakdown, "tab": tab_breakdown}, tab,
           similar, quiet, {**statements, "tab": tab_statements})


def python_speed_ms() -> float:
    runs = []
    for _ in range(5):
        start = time.process_time()
        sum(range(10**6))
        runs.append(time.process_time() - start)
    return min(runs) * 1000


def print_profile(title: str, rows: list[tuple[str, float, float]], unit: str) -> None:
    print()
    print(title)
    print()
    print(f"| part | ms per {unit} | calls per {unit} |")
    print("|---|---:|---:|")
    for name, ms, calls in rows:
        print(f"| {name} | {ms:.3f} | {'' if calls != calls else f'{calls:.1f}'} |")


def report(args, config, counts, open_count, population, model, storage, measured, warm, seed, profiles, tab,
           similar, quiet, statements) -> None:
    median = statistics.median
    seed_bytes = median(seed.file_bytes)
    ours = median(storage.totals)
    print()
    print(f"## bench_member_models.py — {counts['members']:,} members, {counts['activities']:,} activities "
          f"({open_count:,} not ended), {counts['learning events']:,} learning events")
    print()
    print(f"PostgreSQL {scalar('SHOW server_version').split()[0]} on {config['HOST']} "
          f"(synchronous_commit={scalar('SHOW synchronous_commit')}), {os.cpu_count()} CPUs, model {model.version} "
          f"({model.counts.n_features:,} features); population {population.seconds:.0f} s. CPU pressure (share of "
          "the last 10 s some task waited for a CPU) when each part started: "
          + ", ".join(f"{part} {found}" for part, found in quiet.items())
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
                          ("a like: its learning part (`record_like_learning` inside `like_activity`)", measured.like_learning)):
        queries = f", {timing.queries} queries" if timing.queries is not None else ""
        print(f"| 2 | {label}, ms ({len(timing.seconds)} events{queries}) | {timing.cell()} | "
              f"{timing.cpu_median_ms:.2f} | {seed_cell} | ≤ {GOAL_EVENT_MS:g} | {met(timing.median_ms, GOAL_EVENT_MS)} |")
    like_queries = f", {measured.like.queries} queries" if measured.like.queries is not None else ""
    print(f"| 2 | for scale: `like_activity` as a whole (the like row and its learning), ms "
          f"({len(measured.like.seconds)} likes{like_queries}) | {measured.like.cell()} | {measured.like.cpu_median_ms:.2f} "
          f"| – | – | – |")
    for label, timing in (("new activity text", measured.take_in), ("text already tokenized", warm.take_in)):
        queries = f", {measured.take_in.queries} queries" if measured.take_in.queries is not None else ""
        print(f"| 2 | in the task worker: taking the event into the member's counts "
              f"(`take_in_member_events`), {label}, ms ({len(timing.seconds)} take-ins{queries}) | {timing.cell()} | "
              f"{timing.cpu_median_ms:.2f} | – | – | – |")
    for label, timing in tab.items():
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

    print_profile(f"Where a learning event's time on the request path goes (cProfile, {args.profile_members} members × "
                  f"{EVENTS_PER_MEMBER} events; wall time; the profiler inflates Python-heavy parts):", profiles["event"], "event")
    print_profile("The functions with the most own time in those events:", profiles["event_top"], "event")
    print_profile("Where the time taking each of those events in (the task worker) goes (cProfile, new texts):",
                  profiles["take_in"], "event")
    print_profile("Where the AI tab's time goes (cProfile, selector + serializer, members with events):",
                  profiles["tab"], "call")
    for key, title in (("view", "a view (`record_activity_view`)"), ("like", "a like (`like_activity`)"),
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


if __name__ == "__main__":
    main()
