"""Factories for the domain, on the real test database (SQLite or PostgreSQL)."""
import itertools
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Activity, ActivityLike, ActivityMember, Category, Club, Region
from member.services import signup_member

_sequence = itertools.count(1)
TEST_PASSWORD = "tp-Strong-pass-2026!"


@pytest.fixture
def make_member(db):
    def make(**fields):
        number = next(_sequence)
        member = signup_member(
            email=fields.pop("email", f"member{number}@example.com"),
            password=fields.pop("password", TEST_PASSWORD),
            nickname=fields.pop("nickname", f"회원{number}"),
            privacy_agree=True,
        )
        for name, value in fields.items():
            setattr(member, name, value)
        if fields:
            member.save()
        return member

    return make


@pytest.fixture
def member(make_member):
    return make_member(email="member@example.com", nickname="틴플")


@pytest.fixture
def make_club(db, make_member):
    leader_holder = {}

    def make(**fields):
        if "leader" not in fields:
            # One leader for the test's clubs, made the first time a club needs one (a member
            # costs a signup: the member row and its model row).
            if "leader" not in leader_holder:
                leader_holder["leader"] = make_member(nickname="모임장")
            fields["leader"] = leader_holder["leader"]
        fields.setdefault("name", f"테스트 모임 {next(_sequence)}")
        fields.setdefault("main_category", Category.objects.get(pk=1))
        fields.setdefault("region", Region.objects.get(pk=1))
        return Club.objects.create(**fields)

    return make


@pytest.fixture
def make_activity(db, make_club):
    clubs = {}

    def make(**fields):
        category = fields.pop("category", None) or Category.objects.get(pk=fields.pop("category_id", 1))
        if "club" not in fields:
            if category.pk not in clubs:
                clubs[category.pk] = make_club(main_category=category)
            fields["club"] = clubs[category.pk]
        now = timezone.now()
        number = next(_sequence)
        fields.setdefault("title", f"테스트 활동 {number}")
        fields.setdefault("content", "<p>함께해요</p>")
        fields.setdefault("intro", "소개")
        fields.setdefault("address_location", "서울")
        fields.setdefault("recruit_start", now - timedelta(days=3))
        fields.setdefault("recruit_end", now + timedelta(days=3))
        fields.setdefault("activity_start", now + timedelta(days=5))
        fields.setdefault("activity_end", now + timedelta(days=6))
        created = fields.pop("created_date", now - timedelta(minutes=number))
        return Activity.objects.create(category=category, created_date=created, updated_date=created, **fields)

    return make


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server (same address option), without the 40 ms stall on kept-alive
    connections (tests/live_server.py)."""
    from tests.live_server import start_live_server

    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = start_live_server(address)
    yield server
    server.stop()


@pytest.fixture
def add_like(db):
    def add(member, activity, status=True):
        return ActivityLike.objects.create(member=member, activity=activity, status=status)

    return add


@pytest.fixture
def add_participant(db):
    def add(member, activity, status=True):
        return ActivityMember.objects.create(member=member, activity=activity, status=status)

    return add


# --- scheduling under pytest-xdist (make test) ----------------------------------------------

# The longest tests (seconds each: a notebook, a browser flow, a schemathesis run, a real
# gunicorn, the full demo data). Started first within their group, so that on two workers the
# run does not end with one of them alone on a long test.
LONG_TESTS = (
    "tests/notebooks/test_notebooks.py::test_notebook_runs_top_to_bottom",
    "tests/e2e/",
    "tests/security/test_production.py",
)


# Tests that share an expensive start under `--dist loadgroup` run on one worker:
# - tests/e2e/demo, which loads and indexes the whole demo data once for its tests (they must run
#   one after another, in the process that loaded it);
# - the production steps: the module's release (migrate and collectstatic) and its shared
#   gunicorn, once instead of once per worker.
GROUPS = {
    "full_demo_data": ("tests/e2e/demo/",),
    "production": ("tests/security/test_production.py",),
}


def pytest_itemcollected(item):
    for group, prefixes in GROUPS.items():
        if item.nodeid.startswith(prefixes):
            item.add_marker(pytest.mark.xdist_group(group))


def _django_order(item) -> int:
    """pytest-django's order (tests/ runs as Django does): database tests, then transactional
    ones, then the rest."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    transactional = transactional or "transactional_db" in fixtures or "live_server" in fixtures
    if transactional:
        return 1
    return 0 if marker is not None or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """After pytest-django's sort: the long tests first within each of its groups (a stable sort,
    so everything else keeps its order)."""
    items.sort(key=lambda item: (_django_order(item), not item.nodeid.startswith(LONG_TESTS)))
    # pytest-xdist's workers mark a grouped test by appending "@<group>" to its node id (its own
    # hook ran before this one). A pytest release that ignores that (pytest 9.2 with xdist 3.8.0)
    # would scatter the group silently.
    if config.getoption("loadgroup", default=False):
        scattered = [item.nodeid for item in items
                     if item.get_closest_marker("xdist_group") and "@" not in item.nodeid.rpartition("::")[2]]
        if scattered:
            raise pytest.UsageError(f"--dist loadgroup did not group {scattered[0]} (pytest/pytest-xdist versions?)")
