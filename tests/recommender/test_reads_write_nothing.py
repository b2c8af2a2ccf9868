"""GET requests read: none takes learning events in, updates, deletes or locks anything. The only
writes a GET makes are the appends the product needs: an opened activity page appends the
member's view event and queues its take-in, and a card opened from a recommendation appends a click.
Checked on the SQL each page sends, with learning events pending and after a retraining."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommender.models import Impression, LearningEvent, MemberModel
from recommender.events import record_activity_view, record_like_learning

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|FOR\s+UPDATE|FOR\s+NO\s+KEY\s+UPDATE)\b", re.IGNORECASE)


def writes_of(client, url, django_capture_on_commit_callbacks) -> list[str]:
    """The statements of one GET that write or lock, including the tasks it queues on commit."""
    with CaptureQueriesContext(connection) as captured:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries if WRITE.search(query["sql"])]


def tables(statements: list[str]) -> set[str]:
    return {re.search(r'INSERT\s+(?:OR\s+\w+\s+)?INTO\s+"?(\w+)"?', sql, re.IGNORECASE).group(1) for sql in statements}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def member_with_pending_events(client, member, make_activity):
    activities = [make_activity(category_id=category_id) for category_id in (5, 5, 9, 3)]
    record_activity_view(member=member, activity=activities[0])
    record_like_learning(member=member, activity=activities[2])
    assert LearningEvent.objects.filter(member=member, state=LearningEvent.State.PENDING).count() == 2
    client.force_login(member)
    return activities


READ_PAGES = ["/", "/activities/", "/activities/?category=5&page=1", "/api/recommendations/activities/",
              "/mypage/interests/", "/api/me/interests/"]


@pytest.mark.parametrize("url", READ_PAGES)
def test_member_pages_write_nothing_with_events_pending(client, member, member_with_pending_events, url,
                                                        database_queue, django_capture_on_commit_callbacks):
    stored = MemberModel.objects.get(member=member)
    assert writes_of(client, url, django_capture_on_commit_callbacks) == []
    assert LearningEvent.objects.filter(member=member, state=LearningEvent.State.PENDING).count() == 2
    assert MemberModel.objects.get(member=member).updated_date == stored.updated_date


def test_the_ai_tab_after_a_retraining_writes_nothing_and_still_counts_the_log(
        client, member, member_with_pending_events, database_queue, django_capture_on_commit_callbacks):
    MemberModel.objects.filter(member=member).update(base_version="a-retired-model")
    assert writes_of(client, "/api/recommendations/activities/", django_capture_on_commit_callbacks) == []
    assert MemberModel.objects.get(member=member).base_version == "a-retired-model"
    body = client.get("/api/recommendations/activities/").json()
    assert body["source"] == "member" and len(body["activities"]) > 0


def test_similar_activities_api_writes_nothing(client, member_with_pending_events, database_queue,
                                               django_capture_on_commit_callbacks):
    url = f"/api/activities/{member_with_pending_events[0].id}/similar/"
    assert writes_of(client, url, django_capture_on_commit_callbacks) == []


def test_an_opened_activity_page_only_appends_its_view_and_queues_its_take_in(
        client, member, member_with_pending_events, database_queue, django_capture_on_commit_callbacks):
    url = f"/activities/{member_with_pending_events[1].id}/"
    statements = writes_of(client, url, django_capture_on_commit_callbacks)
    assert all(sql.lstrip().upper().startswith("INSERT") for sql in statements), statements
    assert tables(statements) == {"recommender_learningevent", "django_tasks_database_dbtaskresult"}
    assert len(statements) == 2
    # A reload within the cool-down appends nothing at all.
    assert writes_of(client, url, django_capture_on_commit_callbacks) == []


def test_a_card_opened_from_a_recommendation_appends_only_its_click(
        client, member, member_with_pending_events, database_queue, django_capture_on_commit_callbacks):
    body = client.get("/api/recommendations/activities/").json()
    card = body["activities"][0]
    assert client.post("/api/recommendations/impressions/", {"impression_token": body["impression_token"],
                       "activity_ids": [card["id"]]}, content_type="application/json").status_code == 204
    assert Impression.objects.count() == 1
    statements = writes_of(client, f"/activities/{card['id']}/?rec={body['recommendation_id']}",
                           django_capture_on_commit_callbacks)
    assert all(sql.lstrip().upper().startswith("INSERT") for sql in statements), statements
    assert "recommender_click" in tables(statements)
    assert tables(statements) <= {"recommender_click", "recommender_learningevent", "django_tasks_database_dbtaskresult"}


@pytest.mark.parametrize("url", ["/", "/activities/", "/api/recommendations/activities/", "/accounts/login/",
                                 "/accounts/signup/"])
def test_visitor_pages_write_nothing(client, make_activity, url, database_queue, django_capture_on_commit_callbacks):
    make_activity(category_id=5)
    assert writes_of(client, url, django_capture_on_commit_callbacks) == []


def test_a_visitor_opening_an_activity_writes_nothing(client, make_activity, database_queue,
                                                      django_capture_on_commit_callbacks):
    activity = make_activity(category_id=5)
    assert writes_of(client, f"/activities/{activity.id}/", django_capture_on_commit_callbacks) == []
