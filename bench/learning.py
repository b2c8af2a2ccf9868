"""Parts 1 and 2 of bench_member_models.py: learning events through the real services, each timed on
its own, the take-in after each, the storage a member then takes, and the seed's way (a pickle per
member) on the same events."""
from __future__ import annotations

import cProfile
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench import app
from bench.population import EVENTS_PER_MEMBER
from bench.timing import Clock, StatementTimes, TimedBlock, Timing

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
    like: Timing = field(default_factory=Timing)  # like_activity_and_learn as a whole
    like_learning: Timing = field(default_factory=Timing)  # the learning part inside it (timed("like_learning"))
    take_in: Timing = field(default_factory=Timing)  # taking the event into the counts (the task worker)


def learn(kind: str, member, activity):
    """One learning event through the service the site calls for it; False when nothing was logged."""
    from bench.app import like_activity_and_learn, record_activity_view

    if kind == "view":
        return record_activity_view(member=member, activity=activity)
    return like_activity_and_learn(member=member, activity=activity)


def take_in(member):
    """What the task worker runs for the member once the event's transaction commits
    (recommender.tasks): pending events go into the member's stored counts."""
    from bench.app import take_in_member_events

    return take_in_member_events(member_id=member.pk)


def load_plan_objects(plans: list[EventPlan]) -> tuple[dict, dict]:
    """Members and activities of the plans, loaded before timing (as the request already has them:
    the activity with its category, as the API and the detail page load it). A planned like the
    population already gave the member (the random extra likes) is removed first, so every timed
    like is a new one that learns."""
    from django.db.models import Q

    from bench.app import Activity, ActivityLike, Member

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
    from bench.app import active_model, learning_text

    members, activities = load_plan_objects(plans)
    if pretokenize:
        model = active_model()
        for activity in activities.values():
            model.features(learning_text(activity))
    timings = EventTimings()
    # The learning part of a like: the app times it as `with timed("like_learning"):` inside like_activity_and_learn.
    with app.listening(TimedBlock(app.LIKE_LEARNING)) as like_learning:
        for plan in tqdm(plans, desc=desc, unit="member", leave=False):
            member = members[plan.member_id]
            for kind, activity_id in plan.events:
                activity = activities[activity_id]
                like_learning.last = None
                if profile:
                    profile.enable()
                clock = Clock()
                learned = learn(kind, member, activity)
                elapsed, cpu = clock.read()
                if profile:
                    profile.disable()
                if not learned or (kind == "like" and like_learning.last is None):
                    raise RuntimeError(f"{kind} of activity {activity_id} by member {member.pk} logged nothing")
                getattr(timings, kind).add(elapsed, cpu)
                if kind == "like":
                    timings.like_learning.add(*like_learning.last)
                if take_in_profile:
                    take_in_profile.enable()
                clock = Clock()
                take_in(member)
                elapsed, cpu = clock.read()
                if take_in_profile:
                    take_in_profile.disable()
                timings.take_in.add(elapsed, cpu)
    return timings


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
        with statements[kind].call():
            learn(kind, member, activities[activity_id])
        with statements["take_in"].call():
            take_in(member)
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

    from bench.app import LearningEvent, MemberModel

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

    from bench.app import Activity, learning_text

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
    app.clear_token_caches()
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

