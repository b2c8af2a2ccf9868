"""The data the benchmarks run on: bench_member_models.py's synthetic population (members, clubs,
activities, a background event history, likes and participations), and http_load.py's kept database
built from the demo data or from that population, with logged-in sessions."""
from __future__ import annotations

import itertools
import random
import string
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from tqdm import tqdm

from bench.database import ROOT, scalar, vacuum_analyze

EVENTS_PER_MEMBER = 20  # 10 views + 10 likes, alternating

# Three keywords a member interested in each category might type (one set per category id).
KEYWORDS = {
    1: ("공방", "뜨개질", "목공"), 2: ("전시", "뮤지컬", "미술관"), 3: ("러닝", "등산", "클라이밍"),
    4: ("맛집", "와인", "베이킹"), 5: ("바다", "캠핑", "여행"), 6: ("독서", "글쓰기", "강연"),
    7: ("동네", "산책", "친구"), 8: ("소개팅", "데이트", "연애"), 9: ("주식", "투자", "부동산"),
    10: ("영어", "일본어", "회화"), 11: ("코딩", "자격증", "토익"), 12: ("축제", "불꽃놀이", "야시장"),
    13: ("봉사", "플로깅", "반려견"),
}


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
    from bench.app import Activity, active_model, learning_text, sparse_row

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
    from bench.app import LearningEvent

    at, member_id, activity_id, kind = event
    return LearningEvent(member_id=member_id, activity_id=activity_id, kind=kind, category_id=category_of[activity_id],
                         weight=weights[kind], created_at=at, state=LearningEvent.State.LEARNED)


def populate(*, members: int, activities: int, event_share: float, batch: int, rng: np.random.Generator) -> Population:
    import pandas as pd
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from bench.app import (
        Activity, ActivityLike, ActivityMember, CATEGORY_IDS, Club, LearningEvent, Member, MemberFavoriteCategory,
        MemberModel, MemberState, N_CLASSES, REGION_NAMES, active_model
    )

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

    vacuum_analyze()
    return Population(activity_ids, category_of, event_member_ids, index_bytes, time.perf_counter() - started)


def existing_population() -> Population:
    from bench.app import Activity, LearningEvent, MemberModel

    enabled = list(Activity.enabled_objects.filter(club__status=True).order_by("id").values_list("id", "category_id"))
    event_members = list(MemberModel.objects.filter(event_count__gte=EVENTS_PER_MEMBER).values_list("member_id", flat=True)[:5000])
    return Population([a for a, _ in enabled], dict(enabled), event_members,
                      {"membermodel": _index_bytes_per_row(MemberModel), "learningevent": _index_bytes_per_row(LearningEvent)})



# --- http_load.py's database: kept between runs, with logged-in members ---------------------

POPULATION_MARK = "http_load population"  # the database comment of a finished population


def prepare_population(args, env: dict[str, str], log_dir) -> str:
    """Build http_load.py's population unless the database already holds this one (its comment says
    so); the Procfile's `release` line runs either way. Returns what was done."""
    from bench.database import bench_database, database_comment, recreate_database, set_database_comment
    from bench.serving import run_manage, run_release

    config = bench_database()  # refuses anything but a loopback PostgreSQL database named *bench*
    wanted = (f"{POPULATION_MARK}: members={args.members} "
              f"activities={args.activities if args.activities else 'demo'} seed={args.seed}")
    if not args.rebuild and database_comment(args.database) == wanted:
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

    from bench.app import Member

    existing = Member.objects.count()
    if args.members <= existing:
        sys.exit(f"the demo data already has {existing:,} members; ask for more than that")
    populate(members=max(0, args.members - existing), activities=args.activities or 0, event_share=0.1,
             batch=5000, rng=np.random.default_rng(args.seed))
    if args.activities:
        call_command("rebuild_similar_activities", verbosity=0)
    vacuum_analyze()
    connection.close()
    set_database_comment(args.database, wanted)
    return f"built in {time.perf_counter() - started:.0f} s ({wanted})"


@dataclass
class Fixtures:
    logins: list  # bench.load.Login
    activity_ids: list[int]  # enabled activities of enabled clubs
    counts: dict[str, int]


def prepare_fixtures(*, sessions: int, seed: int) -> Fixtures:
    """Sessions for a random sample of `sessions` members (written as a login writes them) and the
    activities to open."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from bench.app import Activity, LearningEvent, Member, MemberModel
    from bench.load import Login

    rng = random.Random(seed)
    call_command("prune_db_task_results", min_age_days=0, verbosity=0)  # finished tasks of earlier runs
    Session.objects.all().delete()  # a bench database: only earlier runs' sessions
    member_ids = sorted(MemberModel.objects.values_list("member_id", flat=True))
    chosen = rng.sample(member_ids, min(sessions, len(member_ids)))
    members = Member.objects.in_bulk(chosen)
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    logins, rows = [], []
    for member_id in chosen:
        member = members[member_id]
        key = get_random_string(32, string.ascii_lowercase + string.digits)
        data = {SESSION_KEY: str(member.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: member.get_session_auth_hash()}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        logins.append(Login(member.pk, key, get_random_string(32)))
    Session.objects.bulk_create(rows, batch_size=2000)
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
