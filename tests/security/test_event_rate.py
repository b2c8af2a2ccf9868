"""Likes and learning events are rate-limited per member, and a like undone at once learns
nothing and leaves nothing in the log (issue 14, item 11). The clock is moved, never slept."""
from datetime import timedelta

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from recommender.models import LearningEvent, MemberModel
from recommender.events import record_like_learning, record_unlike_learning
from recommender.member_models import current_member_state, take_in_member_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_login(member)
    return client


def test_sixty_likes_a_minute_then_a_json_429_with_retry_after(api, member, make_activity, clock):
    activities = [make_activity(category_id=5) for _ in range(31)]
    statuses = []
    for activity in activities[:30]:
        statuses.append(api.post(f"/api/activities/{activity.id}/like/").status_code)
        statuses.append(api.delete(f"/api/activities/{activity.id}/like/").status_code)
    assert statuses == [200] * 60
    response = api.post(f"/api/activities/{activities[30].id}/like/")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled" and "너무 자주" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 60

    clock.shift(timedelta(seconds=61))
    assert api.post(f"/api/activities/{activities[30].id}/like/").json() == {"liked": True, "like_count": 1}


def test_the_limit_is_per_member(api, make_member, make_activity, clock):
    activity = make_activity()
    for _ in range(30):
        api.post(f"/api/activities/{activity.id}/like/")
        api.delete(f"/api/activities/{activity.id}/like/")
    assert api.post(f"/api/activities/{activity.id}/like/").status_code == 429
    other = APIClient()
    other.force_login(make_member())
    assert other.post(f"/api/activities/{activity.id}/like/").status_code == 200


def test_page_views_past_the_limit_show_the_page_but_are_not_learned(client, member, make_activity, clock, settings):
    settings.RECOMMENDER_EVENTS_PER_MINUTE = 5
    client.force_login(member)
    activities = [make_activity() for _ in range(7)]
    assert all(client.get(f"/activities/{a.id}/").status_code == 200 for a in activities)
    assert LearningEvent.objects.filter(member=member, kind="view").count() == 5
    clock.shift(timedelta(minutes=1, seconds=1))
    client.get(f"/activities/{activities[6].id}/")
    assert LearningEvent.objects.filter(member=member, kind="view").count() == 6


def test_like_unlike_flood_learns_nothing_and_leaves_no_events(api, member, make_activity, clock):
    activity = make_activity(category_id=5)
    before = current_member_state(member=member)
    before_counts = before.delta.class_count.copy()
    for _ in range(30):
        assert api.post(f"/api/activities/{activity.id}/like/").status_code == 200
        clock.shift(timedelta(seconds=1))
        assert api.delete(f"/api/activities/{activity.id}/like/").status_code == 200
    take_in_member_events(member_id=member.pk)  # the worker's run
    assert not LearningEvent.objects.filter(member=member).exists()
    state = current_member_state(member=member)
    np.testing.assert_allclose(state.delta.class_count, before_counts, atol=1e-9)
    assert MemberModel.objects.get(member=member).event_count == 0


def test_a_like_undone_after_the_window_stays_in_the_log(api, member, make_activity, clock, settings):
    settings.RECOMMENDER_LIKE_TOGGLE_MINUTES = 10
    activity = make_activity(category_id=5)
    api.post(f"/api/activities/{activity.id}/like/")
    clock.shift(timedelta(minutes=11))
    api.delete(f"/api/activities/{activity.id}/like/")
    take_in_member_events(member_id=member.pk)  # the worker's run
    assert list(LearningEvent.objects.values_list("kind", flat=True)) == ["like", "unlike"]
    assert MemberModel.objects.get(member=member).event_count == 2


def test_a_rebuild_compacts_cancelled_pairs_left_in_the_log(member, make_activity, clock):
    """Pairs logged before compaction existed (or both still pending) are dropped by the rebuild."""
    kept, toggled = make_activity(category_id=5), make_activity(category_id=3)
    now = timezone.now()
    record_like_learning(member=member, activity=kept, now=now)
    for step in range(3):
        record_like_learning(member=member, activity=toggled, now=now + timedelta(seconds=2 * step))
        record_unlike_learning(member=member, activity=toggled, now=now + timedelta(seconds=2 * step + 1))
    LearningEvent.objects.update(state=LearningEvent.State.LEARNED)  # as an older version left them
    call_command("rebuild_member_models", "--all", "--no-progress")
    assert list(LearningEvent.objects.values_list("activity_id", "kind")) == [(kept.id, "like")]
    assert MemberModel.objects.get(member=member).event_count == 1
