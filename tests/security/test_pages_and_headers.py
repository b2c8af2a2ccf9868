"""HEAD answers like GET, security headers, and activity HTML shown as text (issue 14, items 9, 10, 12)."""
import subprocess
import sys

import pytest
from django.test import Client

from recommender.models import LearningEvent
from tests.helpers import run_manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(make_activity):
    activity = make_activity()
    return ["/", "/activities/", f"/activities/{activity.id}/", "/accounts/login/", "/accounts/signup/"]


def test_pages_answer_head_like_get(client, pages, member):
    for path in pages:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head["Content-Type"] == get["Content-Type"]
    client.force_login(member)
    assert client.head("/mypage/interests/").status_code == 200


def test_a_members_head_of_an_activity_is_not_a_visit(client, member, make_activity):
    client.force_login(member)
    activity = make_activity()
    assert client.head(f"/activities/{activity.id}/").status_code == 200
    assert not LearningEvent.objects.exists()
    client.get(f"/activities/{activity.id}/")
    assert LearningEvent.objects.count() == 1


def test_every_page_has_a_content_security_policy_without_inline_script(client, pages):
    for path in pages:
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0], path
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    body = client.get("/").content.decode()
    assert "<script>" not in body and " on" + "click=" not in body


def test_member_pages_and_api_answers_are_not_stored(client, member, pages):
    for path in pages[:3]:
        assert "no-store" not in client.get(path).get("Cache-Control", ""), path  # public pages, logged out
    assert client.get("/api/recommendations/activities/")["Cache-Control"] == "private, no-store"
    assert client.get("/api/nothing/")["Cache-Control"] == "private, no-store"
    client.force_login(member)
    for path in pages[:3] + ["/mypage/interests/", "/api/me/interests/"]:
        assert client.get(path)["Cache-Control"] == "private, no-store", path


def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    # A client claiming HTTPS on plain HTTP is still redirected...
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 301
    # ...unless the setting says a proxy in front sets the header.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.parametrize("trusted, expected", [("", "None"), ("true", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_the_proxy_setting_comes_from_the_environment(trusted, expected):
    result = run_manage("shell", "-c", "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
                        DEBUG="true", TRUST_PROXY_HEADERS=trusted)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_script_and_style_contents_never_show_on_the_detail_page(client, make_activity):
    activity = make_activity(content=(
        "<p>바다 캠핑 함께해요</p><script>var secret = 'alert(1)';</script>"
        "<style>.x { color: red }</style><SCRIPT type='text/javascript'>\ndocument.write('x')\n</SCRIPT>"
        "<p>준비물: 텐트</p><script>unclosed('tail')"
    ))
    body = client.get(f"/activities/{activity.id}/").content.decode()
    assert "바다 캠핑 함께해요" in body and "준비물: 텐트" in body
    for leaked in ("secret", "color: red", "document.write", "unclosed"):
        assert leaked not in body
