"""The recommendation, like, similar-activities and schema APIs over HTTP."""
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import Region
from member.services import set_member_interests
from recommender import model_store
from recommender.member_models import take_in_member_events
from recommender.models import LearningEvent, SeasonKeywordSet, SimilarActivity
from recommender.similar import rebuild_similar_activities

pytestmark = pytest.mark.django_db

CARD_FIELDS = {
    "id", "title", "category_id", "category_name", "club_name", "thumbnail_url", "recruit_start", "recruit_end",
    "activity_start", "activity_end", "like_count", "member_count", "is_like", "url",
}
SHIPPED = Path(__file__).resolve().parents[2] / "models" / "activity_recommender.pkl"


def fill(make_activity, category_id, count, **fields):
    return [make_activity(category_id=category_id, title=f"{category_id}번 카테고리 활동 {i}", **fields) for i in range(count)]


@pytest.fixture
def api():
    return APIClient()


def test_logged_out_uses_the_season_keywords_6_plus_2_newest(api, make_activity):
    travel = fill(make_activity, 5, 8)
    # Three in every other category, so whichever the model ranks second has its 2 newest to show.
    others = {category_id: fill(make_activity, category_id, 3) for category_id in range(1, 14) if category_id != 5}
    data = api.get("/api/recommendations/activities/").json()
    assert data["source"] == "season"
    assert data["query"] == "여행 바다 산 여름 시원한"
    assert [c["id"] for c in data["categories"]][0] == 5 and len(data["categories"]) == 2
    probabilities = [c["probability"] for c in data["categories"]]
    assert probabilities == sorted(probabilities, reverse=True) and 0 <= sum(probabilities) <= 1.0001
    second = data["categories"][1]["id"]
    activities = data["activities"]
    assert len(activities) == 8 and set(activities[0]) == CARD_FIELDS
    assert [a["id"] for a in activities[:6]] == [a.id for a in sorted(travel, key=lambda a: a.created_date, reverse=True)[:6]]
    assert second != 5
    newest_of_second = sorted(others[second], key=lambda a: a.created_date, reverse=True)[:2]
    assert [a["id"] for a in activities[6:]] == [a.id for a in newest_of_second]
    assert [a["category_id"] for a in activities] == [5] * 6 + [second] * 2
    assert activities[0]["url"] == f"/activities/{activities[0]['id']}/"
    assert activities[0]["is_like"] is False


def test_ended_and_disabled_activities_are_never_recommended(api, make_activity):
    now = timezone.now()
    ended = make_activity(category_id=5, title="끝난 여행", activity_start=now - timedelta(days=3), activity_end=now - timedelta(days=2))
    hidden = make_activity(category_id=5, title="숨긴 여행", status=False)
    open_ones = fill(make_activity, 5, 3)
    ids = [a["id"] for a in api.get("/api/recommendations/activities/").json()["activities"]]
    assert ended.id not in ids and hidden.id not in ids
    assert set(a.id for a in open_ones) <= set(ids)


def test_a_short_category_is_filled_from_the_next_ones(api, make_activity):
    fill(make_activity, 5, 2)  # the top category has only 2
    for category_id in range(1, 14):
        if category_id != 5:
            fill(make_activity, category_id, 2)
    data = api.get("/api/recommendations/activities/").json()
    assert len(data["activities"]) == 8
    assert [a["category_id"] for a in data["activities"][:2]] == [5, 5]


def test_eight_shown_whenever_eight_exist(api, make_activity):
    fill(make_activity, 12, 8)  # all in one unlikely category
    assert len(api.get("/api/recommendations/activities/").json()["activities"]) == 8


def test_empty_site_gives_an_empty_list(api):
    data = api.get("/api/recommendations/activities/").json()
    assert data["source"] == "season" and data["activities"] == []


def test_operators_season_keywords_follow_their_dates(api, make_activity):
    fill(make_activity, 9, 8)
    today = timezone.localdate()
    SeasonKeywordSet.objects.create(keywords="주식 ETF 재테크", start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    SeasonKeywordSet.objects.create(keywords="스키 보드 겨울", start_date=today + timedelta(days=10), end_date=today + timedelta(days=40))
    data = api.get("/api/recommendations/activities/").json()
    assert data["query"] == "주식 ETF 재테크"
    assert data["categories"][0]["name"] == "재테크"
    SeasonKeywordSet.objects.filter(keywords="주식 ETF 재테크").update(is_enabled=False)
    assert api.get("/api/recommendations/activities/").json()["query"] == "여행 바다 산 여름 시원한"


def test_season_keyword_set_validation():
    from django.core.exceptions import ValidationError

    keyword_set = SeasonKeywordSet(keywords="   ", start_date=date(2026, 7, 1), end_date=date(2026, 6, 1))
    with pytest.raises(ValidationError) as caught:
        keyword_set.full_clean()
    assert "keywords" in caught.value.message_dict and "end_date" in caught.value.message_dict


def test_logged_in_uses_the_members_interests_keywords_and_region(api, member, make_activity):
    fill(make_activity, 9, 7)
    fill(make_activity, 5, 7)
    member.region = Region.objects.get(name="부산")
    member.save()
    set_member_interests(member=member, category_ids=[9], keywords=["주식", "ETF", "절약"])
    api.force_login(member)
    data = api.get("/api/recommendations/activities/").json()
    assert data["source"] == "member"
    assert data["query"] == "재테크 주식 ETF 절약 부산"
    assert data["categories"][0]["name"] == "재테크"
    assert [a["category_id"] for a in data["activities"][:6]] == [9] * 6


def test_learning_moves_the_reported_probabilities(api, member, make_activity):
    travel = fill(make_activity, 5, 8)
    fill(make_activity, 9, 8)
    set_member_interests(member=member, category_ids=[9], keywords=["주식", "", ""])
    api.force_login(member)
    before = {c["id"]: c["probability"] for c in api.get("/api/recommendations/activities/").json()["categories"]}
    for activity in travel[:3]:
        api.get(f"/activities/{activity.id}/")
        assert api.post(f"/api/activities/{activity.id}/like/").status_code == 200
    after = {c["id"]: c["probability"] for c in api.get("/api/recommendations/activities/").json()["categories"]}
    assert after.get(5, 0) > before.get(5, 0)


def test_is_like_and_counts_are_annotated_with_a_fixed_number_of_queries(api, member, make_activity, make_member, add_like, add_participant):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/recommendations/activities/").status_code == 200
        return len(captured)

    api.force_login(member)
    few = fill(make_activity, 5, 2)
    api.get("/api/recommendations/activities/")  # warm the member model
    # session, member, member model, favourites, 3 × newest of a top category, the rest, the cards
    assert count_queries() <= 9
    # No interests: the base prior ranks 취미 and 운동·액티비티 first.
    few += fill(make_activity, 1, 8) + fill(make_activity, 3, 8)
    small = count_queries()
    shown = [card["id"] for card in api.get("/api/recommendations/activities/").json()["activities"]]
    assert len(shown) == 8 and set(shown) <= {a.id for a in few}
    many = fill(make_activity, 1, 30) + fill(make_activity, 3, 30)  # older: more rows, not shown
    liked_ids = set(shown[::2]) | {a.id for a in many[:10]}  # half of the shown cards, and 10 others
    for activity in few + many:
        if activity.id in liked_ids:
            add_like(member, activity)
            add_participant(make_member(), activity)
    large = count_queries()
    assert large == small
    data = api.get("/api/recommendations/activities/").json()
    assert [card["id"] for card in data["activities"]] == shown
    for card in data["activities"]:
        assert card["is_like"] == (card["id"] in liked_ids)
        assert card["like_count"] == card["member_count"] == (1 if card["id"] in liked_ids else 0)


@pytest.mark.parametrize("problem", ["missing", "corrupt"])
def test_missing_or_corrupt_model_falls_back_to_newest(api, make_activity, settings, tmp_path, caplog, problem, member):
    newest = fill(make_activity, 2, 3)
    path = tmp_path / "activity_recommender.pkl"
    if problem == "corrupt":
        path.write_bytes(b"not a pickle at all")
        (tmp_path / "activity_recommender.json").write_text('{"sha256": "0"}')
    settings.RECOMMENDER_MODEL_PATH = path
    model_store.clear_cache()
    try:
        with caplog.at_level(logging.WARNING):
            data = api.get("/api/recommendations/activities/").json()
        assert data["source"] == "fallback" and data["categories"] == []
        assert [a["id"] for a in data["activities"]] == [a.id for a in sorted(newest, key=lambda a: a.created_date, reverse=True)]
        assert any("falls back" in record.message for record in caplog.records)
        # members still browse and learn into the log; nothing 500s
        api.force_login(member)
        assert api.get("/api/recommendations/activities/").json()["source"] == "fallback"
        assert api.get(f"/activities/{newest[0].id}/").status_code == 200
        assert api.post(f"/api/activities/{newest[0].id}/like/").status_code == 200
        assert LearningEvent.objects.filter(member=member).count() == 2
    finally:
        settings.RECOMMENDER_MODEL_PATH = SHIPPED
        model_store.clear_cache()


# --- likes ---------------------------------------------------------------------------


def test_like_api_likes_and_unlikes_idempotently(api, member, make_activity, make_member, add_like):
    activity = make_activity()
    add_like(make_member(), activity)
    api.force_login(member)
    url = f"/api/activities/{activity.id}/like/"
    assert api.post(url).json() == {"liked": True, "like_count": 2}
    assert api.post(url).json() == {"liked": True, "like_count": 2}
    assert api.delete(url).json() == {"liked": False, "like_count": 1}
    assert api.delete(url).json() == {"liked": False, "like_count": 1}
    assert api.post(url).json() == {"liked": True, "like_count": 2}
    take_in_member_events(member_id=member.pk)  # the task worker's run
    # The like undone at once cancelled out and left the log; the last like stays.
    assert list(LearningEvent.objects.filter(member=member).values_list("kind", flat=True)) == ["like"]


def test_like_api_refuses_logged_out_and_unknown_or_hidden_activities(api, member, make_activity):
    activity = make_activity()
    hidden = make_activity(status=False)
    response = api.post(f"/api/activities/{activity.id}/like/")
    assert response.status_code in (401, 403) and "detail" in response.json()
    api.force_login(member)
    for activity_id in (999999, hidden.id):
        response = api.post(f"/api/activities/{activity_id}/like/")
        assert response.status_code == 404
        assert response.json() == {"detail": "활동을 찾을 수 없어요.", "code": "not_found"}
    assert not LearningEvent.objects.exists()


def test_like_api_needs_the_csrf_token(member, make_activity):
    activity = make_activity()
    strict = APIClient(enforce_csrf_checks=True)
    strict.login(username=member.email, password="tp-Strong-pass-2026!")
    response = strict.post(f"/api/activities/{activity.id}/like/")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    token = strict.get("/").cookies["csrftoken"].value
    assert strict.post(f"/api/activities/{activity.id}/like/", HTTP_X_CSRFTOKEN=token).status_code == 200


# --- similar activities ------------------------------------------------------------------


def test_similar_activities_from_the_index(api, make_activity):
    running = [make_activity(category_id=3, title=f"한강 러닝 크루 {place}", intro="저녁 러닝 5km", content="페이스 6분대 러닝") for place in ("반포", "여의도", "뚝섬", "망원", "잠실")]
    others = [make_activity(category_id=9, title="ETF 재테크 스터디", content="주식 공부"), make_activity(category_id=4, title="와인 테이스팅", content="내추럴 와인")]
    assert rebuild_similar_activities() == 7
    data = api.get(f"/api/activities/{running[0].id}/similar/").json()
    ids = [a["id"] for a in data["activities"]]
    assert len(ids) == 4 and running[0].id not in ids
    assert set(ids) == {a.id for a in running[1:]}
    assert set(data["activities"][0]) == CARD_FIELDS
    # Each crew lists the other four, never the unrelated activities the index also holds.
    for crew in running[1:]:
        listed = {a["id"] for a in api.get(f"/api/activities/{crew.id}/similar/").json()["activities"]}
        assert listed == {a.id for a in running if a != crew}
        assert not listed & {a.id for a in others}


def test_similar_activities_skip_hidden_ones_and_404_for_unknown(api, make_activity):
    activities = [make_activity(category_id=3, title=f"등산 모임 {i}", content="북한산 등산") for i in range(6)]
    rebuild_similar_activities()
    activities[1].status = False
    activities[1].save()
    ids = [a["id"] for a in api.get(f"/api/activities/{activities[0].id}/similar/").json()["activities"]]
    assert activities[1].id not in ids and len(ids) == 4
    assert api.get("/api/activities/999999/similar/").status_code == 404
    assert api.get(f"/api/activities/{activities[1].id}/similar/").status_code == 404


def test_a_new_activity_joins_the_index_without_a_rebuild(api, make_activity):
    from recommender.similar import refresh_similar_activities

    climbing = [make_activity(category_id=3, title=f"실내 클라이밍 {i}", content="볼더링 클라이밍 초보") for i in range(3)]
    make_activity(category_id=4, title="베이킹 클래스", content="스콘 굽기")
    rebuild_similar_activities()
    newcomer = make_activity(category_id=3, title="클라이밍 볼더링 입문", content="클라이밍 초보 볼더링")
    assert refresh_similar_activities(activity=newcomer)
    assert climbing[0].id in [a["id"] for a in api.get(f"/api/activities/{newcomer.id}/similar/").json()["activities"]]
    assert newcomer.id in [a["id"] for a in api.get(f"/api/activities/{climbing[0].id}/similar/").json()["activities"]]


def test_an_operator_editing_an_activity_in_the_admin_moves_it_in_the_index(api, make_activity, rf, admin_user):
    from django.contrib import admin

    from activity.models import Activity

    baking = [make_activity(category_id=4, title=f"베이킹 클래스 {i}", content="스콘 굽기 베이킹") for i in range(4)]
    climbing = [make_activity(category_id=3, title=f"실내 클라이밍 {i}", content="볼더링 클라이밍 초보") for i in range(3)]
    rebuild_similar_activities()
    edited = baking[0]
    edited.title, edited.content = "클라이밍 볼더링 입문", "클라이밍 초보 볼더링"
    request = rf.post(f"/admin/activity/activity/{edited.id}/change/")
    request.user = admin_user
    admin.site._registry[Activity].save_model(request, edited, form=None, change=True)
    similar = [a["id"] for a in api.get(f"/api/activities/{edited.id}/similar/").json()["activities"]]
    assert set(similar[:3]) == {a.id for a in climbing}


def test_detail_page_shows_similar_activities(client, make_activity):
    activities = [make_activity(category_id=5, title=f"제주 여행 동행 {i}", content="제주 바다 여행") for i in range(6)]
    rebuild_similar_activities()
    response = client.get(f"/activities/{activities[0].id}/")
    assert len(response.context["similar_activities"]) == 4


def test_openapi_schema_lists_the_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/recommendations/activities/", "/api/activities/{activity_id}/like/",
                 "/api/activities/{activity_id}/similar/", "/api/me/interests/"):
        assert path in body


def test_similar_activities_put_open_ones_before_ended_ones(api, make_activity):
    now = timezone.now()
    # The ended ones are the closest in text (the same words as the first open one), so only the
    # open-first rule can put the two other open ones ahead of them.
    ended = [make_activity(category_id=3, title="북한산 등산 모임", content="북한산 등산 초보 환영",
                           activity_start=now - timedelta(days=9), activity_end=now - timedelta(days=8)) for i in range(4)]
    open_ones = [make_activity(category_id=3, title="북한산 등산 모임", content="북한산 등산 초보 환영")]
    open_ones += [make_activity(category_id=3, title=f"주말 등산 {i}", content="관악산 등산 초보") for i in range(2)]
    rebuild_similar_activities()
    by_score = list(SimilarActivity.objects.filter(activity=open_ones[0]).order_by("rank").values_list("similar_id", flat=True))
    assert set(by_score[:4]) == {a.id for a in ended}  # the index ranks the ended ones first
    ids = [a["id"] for a in api.get(f"/api/activities/{open_ones[0].id}/similar/").json()["activities"]]
    assert len(ids) == 4
    assert set(ids[:2]) == {a.id for a in open_ones[1:]}
    assert set(ids[2:]) < {a.id for a in ended}


def test_category_probabilities_are_not_rounded_away(api, make_activity):
    fill(make_activity, 5, 8)
    categories = api.get("/api/recommendations/activities/").json()["categories"]
    assert categories[1]["probability"] > 0
