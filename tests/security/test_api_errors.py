"""Every answer under /api/ is JSON `{"detail", "code"}`, whatever goes wrong (issue 14, items 4 and 5)."""
import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from member.selectors import member_interests
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

INTERESTS = "/api/me/interests/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def logged_in(member):
    client = APIClient()
    client.force_login(member)
    return client


def assert_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"], body
    return body


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_refused_with_a_json_400(logged_in, member, depth):
    before = member_interests(member=member)
    body = '{"categories": [1], "keywords": ' + nested(depth) + "}"
    response = logged_in.put(INTERESTS, body, content_type="application/json")
    assert "중첩" in assert_error(response, 400, "too_deep")["detail"]
    assert member_interests(member=member) == before


def test_deep_json_in_a_post_parsed_by_the_csrf_check_is_a_json_400(member, make_activity):
    # A session login with CSRF checks on: DRF's CSRF check reads request.POST, which parses the body.
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(email=member.email, password=TEST_PASSWORD)
    activity = make_activity()
    client.get("/")  # the csrftoken cookie; no token in the body or header, so the check reads the body
    response = client.post(f"/api/activities/{activity.id}/like/", nested(5_000), content_type="application/json")
    assert_error(response, 400, "too_deep")


def test_a_sane_depth_still_parses(logged_in):
    body = '{"categories": [1], "keywords": ["바다", "", ""], "extra": ' + nested(20) + "}"
    response = logged_in.put(INTERESTS, body, content_type="application/json")
    assert response.status_code == 200, response.json()


def test_oversized_json_body_is_a_json_413(logged_in, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = '{"categories": [1], "keywords": ["' + "가" * 2_000 + '", "", ""]}'
    assert_error(logged_in.put(INTERESTS, body, content_type="application/json"), 413, "too_large")


def test_oversized_form_body_is_json_under_the_api(member, make_activity, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    activity = make_activity()
    client.get("/")
    response = client.post(f"/api/activities/{activity.id}/like/", {"x": "y" * 5_000})
    # The API reads JSON only: a form body is refused before it is read, whatever its size.
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("path", ["/api/activities/abc/like/", "/api/nothing-here/", "/api/activities/1/similar/x/"])
def test_unknown_api_paths_and_non_numeric_ids_are_json_404(logged_in, path):
    for method in ("get", "post", "delete"):
        assert_error(getattr(logged_in, method)(path), 404, "not_found")


def test_unknown_page_outside_the_api_is_still_the_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "찾으시는 페이지가 없어요" in response.content.decode()


def test_drf_errors_carry_a_code(member, make_activity):
    client = APIClient()
    activity = make_activity()
    assert_error(client.post(f"/api/activities/{activity.id}/like/"), 403, "not_authenticated")
    client.force_login(member)
    assert_error(client.post("/api/activities/999999/like/"), 404, "not_found")
    assert_error(client.patch(INTERESTS, {}, format="json"), 405, "method_not_allowed")
    body = assert_error(client.put(INTERESTS, {"categories": "x", "keywords": []}, format="json"), 400, "invalid")
    assert "categories" in body["errors"]
    assert_error(client.put(INTERESTS, "x=1", content_type="application/x-www-form-urlencoded"), 415, "unsupported_media_type")


def test_a_server_error_under_the_api_is_json_and_a_page_elsewhere(member, monkeypatch):
    """Any unexpected failure: JSON 500 under /api/, the standalone error page elsewhere; a
    database that cannot be reached is a 503 (the gunicorn test drives a real unreachable one)."""
    from activity import selectors as activity_selectors
    from recommender import selectors

    def broken(**kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(selectors, "recommended_activities", broken)
    client = Client(raise_request_exception=False)
    assert_error(client.get("/api/recommendations/activities/"), 500, "server_error")

    def database_gone(**kwargs):
        raise OperationalError("connection timeout expired")

    monkeypatch.setattr(activity_selectors, "popular_activities", database_gone)
    response = client.get("/")
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "잠시 후 다시 시도해 주세요" in response.content.decode()
    assert response["Retry-After"]
