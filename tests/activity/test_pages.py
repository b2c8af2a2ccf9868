import re
from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Category

pytestmark = pytest.mark.django_db


def test_main_page_shows_tabs_and_cards(client, make_activity, make_member, add_participant, add_like):
    popular = make_activity(title="인기 많은 도자기 클래스")
    for _ in range(3):
        add_participant(make_member(), popular)
    add_like(make_member(), popular)
    make_activity(title="새로 열린 러닝 모임", category_id=3)

    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    for label in ("AI 추천 활동", "인기 활동", "최신 활동", "준비 중"):
        assert label in body
    assert "인기 많은 도자기 클래스" in body and "새로 열린 러닝 모임" in body
    assert "참가 3명" in re.sub(r"<[^>]+>", "", body)  # the count sits in its own span (a slot of the card template)


def test_popular_tab_orders_by_participants_and_newest_by_date(client, make_activity, make_member, add_participant):
    quiet = make_activity(title="조용한 활동")
    busy = make_activity(title="북적이는 활동")
    for _ in range(2):
        add_participant(make_member(), busy)
    add_participant(make_member(), quiet)
    newest = make_activity(title="방금 올라온 활동", created_date=timezone.now())

    context = client.get("/").context
    assert [a.title for a in context["popular_activities"][:2]] == ["북적이는 활동", "조용한 활동"]
    assert context["newest_activities"][0] == newest


def test_main_tabs_show_at_most_eight(client, make_activity):
    for _ in range(11):
        make_activity()
    context = client.get("/").context
    assert len(context["popular_activities"]) == 8
    assert len(context["newest_activities"]) == 8


def test_main_page_empty_state(client):
    body = client.get("/").content.decode()
    assert "아직 등록된 활동이 없어요." in body


def test_list_page_filters_by_category_and_paginates(client, make_activity):
    for index in range(14):
        make_activity(title=f"여행 활동 {index}", category_id=5)
    make_activity(title="취미 활동 하나", category_id=1)

    response = client.get("/activities/?category=5")
    body = response.content.decode()
    assert response.status_code == 200
    assert "여행·동행 활동" in body and "활동 14개" in body
    assert "취미 활동 하나" not in body
    assert "1 / 2" in body
    second = client.get("/activities/?category=5&page=2").content.decode()
    assert second.count('class="card"') == 2


def test_list_page_ignores_unknown_category_and_bad_page(client, make_activity):
    make_activity(title="아무 활동")
    response = client.get("/activities/?category=999&page=abc")
    assert response.status_code == 200
    assert "전체 활동" in response.content.decode()
    assert "아무 활동" in response.content.decode()


def test_detail_page_shows_activity_facts(client, make_activity, make_member, add_participant, add_like):
    activity = make_activity(
        title="망원 도자기 원데이", intro="물레 체험", content="<p>흙 만지는 &nbsp;시간</p><script>alert(1)</script>"
    )
    add_participant(make_member(), activity)
    add_like(make_member(), activity)
    add_like(make_member(), activity)
    body = client.get(f"/activities/{activity.id}/").content.decode()
    assert "망원 도자기 원데이" in body and "물레 체험" in body
    assert activity.club.name in body and "취미" in body
    assert "모집 중" in body and "참가자" in body
    assert '<span class="like-count">2</span>' in body
    assert "<script>alert(1)</script>" not in body


def test_detail_page_says_closed_after_recruiting(client, make_activity):
    now = timezone.now()
    activity = make_activity(recruit_start=now - timedelta(days=9), recruit_end=now - timedelta(days=1))
    assert "모집 마감" in client.get(f"/activities/{activity.id}/").content.decode()


def test_unknown_activity_is_a_korean_404_page(client):
    response = client.get("/activities/987654/")
    assert response.status_code == 404
    assert "찾으시는 페이지가 없어요." in response.content.decode()


def test_soft_deleted_rows_are_hidden_everywhere(client, make_activity, make_member, add_like, add_participant, make_club):
    hidden = make_activity(title="삭제된 활동", status=False)
    closed_club = make_club(status=False)
    of_closed_club = make_activity(title="닫힌 모임의 활동", club=closed_club)
    visible = make_activity(title="보이는 활동")
    add_like(make_member(), visible, status=False)
    add_participant(make_member(), visible, status=False)

    for path in ("/", "/activities/"):
        body = client.get(path).content.decode()
        assert "삭제된 활동" not in body and "닫힌 모임의 활동" not in body
        assert "보이는 활동" in body
    assert client.get(f"/activities/{hidden.id}/").status_code == 404
    assert client.get(f"/activities/{of_closed_club.id}/").status_code == 404
    body = client.get(f"/activities/{visible.id}/").content.decode()
    assert '<span class="like-count">0</span>' in body and "0명" in body


@pytest.mark.parametrize("path", ["/", "/activities/", "/activities/?category=3"])
def test_pages_run_a_fixed_number_of_queries(client, make_activity, make_member, add_like, django_assert_max_num_queries, path):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    make_activity(category_id=3)
    few = count_queries()
    member = make_member()
    for index in range(30):
        activity = make_activity(category_id=3 if index % 2 else 1)
        add_like(member, activity)
    many = count_queries()
    assert many == few
    with django_assert_max_num_queries(6):
        client.get(path)


def test_category_names_are_linked_from_list_page(client):
    body = client.get("/activities/").content.decode()
    for category in Category.objects.all():
        assert f"?category={category.id}" in body


def test_detail_page_says_upcoming_before_recruiting_opens(client, make_activity):
    now = timezone.now()
    activity = make_activity(recruit_start=now + timedelta(days=2), recruit_end=now + timedelta(days=9),
                             activity_start=now + timedelta(days=10), activity_end=now + timedelta(days=11))
    body = client.get(f"/activities/{activity.id}/").content.decode()
    assert "모집 예정" in body and "모집 마감" not in body


def test_detail_page_keeps_paragraphs_and_decodes_entities(client, make_activity):
    activity = make_activity(content="<p>첫 문단&nbsp;입니다.</p><p>둘째 문단</p>셋째<br>줄 &amp; 끝 &lt;b&gt;")
    body = client.get(f"/activities/{activity.id}/").content.decode()
    assert "첫 문단 입니다.<br>둘째 문단<br>셋째<br>줄 &amp; 끝 &lt;b&gt;" in body
    assert "&amp;nbsp;" not in body
