"""Online evaluation: impressions, clicks, likes after a click, experiment arms, the report,
retention and the operator dashboard — over HTTP and the management commands, on the real database."""
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import Category
from recommender.core.engine import assign_arm, parse_experiment, wilson_interval
from recommender.models import Click, EventPrune, Impression, Tab
from recommender.events import prune_recommendation_events
from recommender.tokens import ShownCards

pytestmark = pytest.mark.django_db

RECOMMENDATIONS = "/api/recommendations/activities/"
IMPRESSIONS = "/api/recommendations/impressions/"
COOKIE = "tp_visitor"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def travel(make_activity):
    """10 open 여행·동행 activities and a few others: the season keywords pick 여행·동행 first."""
    activities = [make_activity(category_id=5, title=f"바다 여행 동행 {i}") for i in range(10)]
    activities += [make_activity(category_id=3, title=f"등산 모임 {i}") for i in range(4)]
    return activities


def ai_tab(client) -> dict:
    response = client.get(RECOMMENDATIONS)
    assert response.status_code == 200
    return response.json()


def send(client, token, ids, **extra):
    return client.post(IMPRESSIONS, {"impression_token": token, "activity_ids": ids}, format="json", **extra)


# --- impressions -------------------------------------------------------------------------


def test_logged_out_ai_tab_impressions_are_stored_once_per_card(api, travel):
    data = ai_tab(api)
    assert len(data["recommendation_id"]) == 32 and data["impression_token"]
    visitor = uuid.UUID(api.cookies[COOKIE].value)
    assert api.cookies[COOKIE]["httponly"] and api.cookies[COOKIE]["samesite"] == "Lax"
    ids = [activity["id"] for activity in data["activities"]]
    assert len(ids) == 8

    response = send(api, data["impression_token"], ids)
    assert response.status_code == 204 and response.content == b""
    rows = list(Impression.objects.order_by("position"))
    assert [row.activity_id for row in rows] == ids
    assert [row.position for row in rows] == list(range(8))
    assert {(row.tab, row.source, row.arm, row.recommendation_id.hex) for row in rows} == {
        ("ai", "season", "personal", data["recommendation_id"])}
    assert all(row.model_version and row.member_id is None and row.visitor_id == visitor for row in rows)
    assert [row.category_id for row in rows[:6]] == [5] * 6
    # The same batch again (a retry) adds nothing.
    assert send(api, data["impression_token"], ids).status_code == 204
    assert Impression.objects.count() == 8


def test_a_member_impression_records_the_member_not_a_cookie(api, member, travel):
    api.force_login(member)
    data = ai_tab(api)
    assert COOKIE not in api.cookies  # members need no visitor cookie
    assert send(api, data["impression_token"], [a["id"] for a in data["activities"][:3]]).status_code == 204
    assert set(Impression.objects.values_list("member_id", "visitor_id", "source")) == {(member.id, None, "member")}


def test_popular_and_newest_tabs_carry_their_own_signed_lists(client, travel):
    response = client.get("/")
    tabs = response.context["tabs"]
    body = response.content.decode()
    for shown in (tabs.popular_shown, tabs.newest_shown):
        assert f'data-impression-token="{shown.token}"' in body
        assert f"?rec={shown.recommendation_id.hex}" in body  # the cards' links
    api = APIClient()
    api.cookies[COOKIE] = client.cookies[COOKIE].value
    popular_ids = list(tabs.popular_shown.activity_ids)
    assert send(api, tabs.popular_shown.token, popular_ids).status_code == 204
    assert set(Impression.objects.values_list("tab", "source", flat=False)) == {("popular", "")}
    assert Impression.objects.count() == len(popular_ids) == 8


@pytest.mark.parametrize("bad", [
    "unknown", "not shown", "oversized", "duplicate", "string id", "float id", "boolean id", "null id", "not a list",
    "empty", "no token", "tampered token", "other visitor", "expired token",
])
def test_bad_impression_batches_are_400_and_store_nothing(api, travel, make_activity, bad):
    data = ai_tab(api)
    token, ids = data["impression_token"], [a["id"] for a in data["activities"]]
    shown_elsewhere = make_activity(category_id=12, title="보이지 않은 축제")
    body = {"impression_token": token, "activity_ids": ids}
    client = api
    if bad == "unknown":
        body["activity_ids"] = ids[:3] + [999999]
    elif bad == "not shown":
        body["activity_ids"] = ids[:3] + [shown_elsewhere.id]
    elif bad == "oversized":
        body["activity_ids"] = list(range(1, 26))
    elif bad == "duplicate":
        body["activity_ids"] = [ids[0], ids[0]]
    elif bad == "string id":
        body["activity_ids"] = [str(ids[0])]
    elif bad == "float id":
        body["activity_ids"] = [ids[0] + 0.5]
    elif bad == "boolean id":
        body["activity_ids"] = [True]
    elif bad == "null id":
        body["activity_ids"] = [None]
    elif bad == "not a list":
        body["activity_ids"] = ids[0]
    elif bad == "empty":
        body["activity_ids"] = []
    elif bad == "no token":
        del body["impression_token"]
    elif bad == "tampered token":
        body["impression_token"] = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif bad == "other visitor":
        client = APIClient()
        client.cookies[COOKIE] = uuid.uuid4().hex
    elif bad == "expired token":
        with override_settings():
            import time
            from unittest import mock

            # A token signed a day and a minute ago (TimestampSigner reads the clock when signing).
            with mock.patch.object(time, "time", return_value=time.time() - 24 * 3600 - 60):
                body["impression_token"] = ShownCards.from_token(token).token
    response = client.post(IMPRESSIONS, body, format="json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    assert not Impression.objects.exists()


def test_impressions_of_a_logged_in_member_need_the_csrf_token(member, travel):
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    data = ai_tab(csrf_client)
    response = send(csrf_client, data["impression_token"], [data["activities"][0]["id"]])
    assert response.status_code == 403
    assert not Impression.objects.exists()


def test_impressions_need_json(api, travel):
    data = ai_tab(api)
    response = api.post(IMPRESSIONS, {"impression_token": data["impression_token"], "activity_ids": data["activities"][0]["id"]})
    assert response.status_code in (400, 415)  # a form body is not a list of ids
    assert not Impression.objects.exists()


def test_no_ip_address_or_other_identifier_is_stored():
    fields = {field.name for field in Impression._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "user_agent", "session_key", "referrer"}
    assert fields >= {"recommendation_id", "tab", "source", "arm", "model_version", "position", "activity_id",
                      "member", "visitor_id", "created_at"}


# --- clicks and likes after a click ---------------------------------------------------------


def shown_and_recorded(client, count=8) -> dict:
    data = ai_tab(client)
    assert send(client, data["impression_token"], [a["id"] for a in data["activities"][:count]]).status_code == 204
    return data


def test_opening_a_card_records_a_click_with_its_impressions_fields(api, client, travel):
    data = shown_and_recorded(api)
    third = data["activities"][2]
    client.cookies[COOKIE] = api.cookies[COOKIE].value  # the same browser
    response = client.get(f"{third['url']}?rec={data['recommendation_id']}")
    assert response.status_code == 200
    click = Click.objects.get()
    assert (click.tab, click.source, click.arm, click.position, click.activity_id, click.recommendation_id.hex) == (
        "ai", "season", "personal", 2, third["id"], data["recommendation_id"])
    assert click.visitor_id == uuid.UUID(api.cookies[COOKIE].value) and click.member_id is None
    # A reload with the same link counts once.
    client.get(f"{third['url']}?rec={data['recommendation_id']}")
    assert Click.objects.count() == 1


def test_a_click_needs_this_viewers_impression(api, client, travel):
    data = shown_and_recorded(api, count=2)
    not_recorded = data["activities"][5]
    client.cookies[COOKIE] = api.cookies[COOKIE].value
    assert client.get(f"{not_recorded['url']}?rec={data['recommendation_id']}").status_code == 200
    stranger = APIClient()  # a shared link, opened by someone else
    assert stranger.get(f"{data['activities'][0]['url']}?rec={data['recommendation_id']}").status_code == 200
    assert client.get(f"{data['activities'][0]['url']}?rec=not-a-uuid").status_code == 200
    assert not Click.objects.exists()


def test_a_like_in_the_same_visit_after_a_click_is_counted(api, member, travel):
    api.force_login(member)
    data = shown_and_recorded(api)
    first, second = data["activities"][0], data["activities"][1]
    api.get(f"{first['url']}?rec={data['recommendation_id']}")
    assert api.post(f"/api/activities/{first['id']}/like/").status_code == 200
    assert api.post(f"/api/activities/{second['id']}/like/").status_code == 200  # liked without opening it
    clicks = list(Click.objects.all())
    assert len(clicks) == 1 and clicks[0].activity_id == first["id"] and clicks[0].liked_at is not None


def test_a_like_long_after_the_click_is_another_visit(api, member, travel):
    api.force_login(member)
    data = shown_and_recorded(api)
    first = data["activities"][0]
    api.get(f"{first['url']}?rec={data['recommendation_id']}")
    Click.objects.update(created_at=timezone.now() - timedelta(minutes=31))
    api.post(f"/api/activities/{first['id']}/like/")
    assert Click.objects.get().liked_at is None


# --- experiment arms ----------------------------------------------------------------------


def test_arm_assignment_is_stable_and_follows_the_weights():
    arms = parse_experiment("personal=50,ranked=50")
    first = [assign_arm(f"m{n}", "ai-tab", arms) for n in range(4000)]
    assert first == [assign_arm(f"m{n}", "ai-tab", arms) for n in range(4000)]
    share = first.count("ranked") / len(first)
    assert 0.46 < share < 0.54
    uneven = [assign_arm(f"m{n}", "ai-tab", parse_experiment("plain=10,personal=90")) for n in range(4000)]
    assert 0.07 < uneven.count("plain") / 4000 < 0.13
    # Another experiment name reshuffles the members.
    other = [assign_arm(f"m{n}", "ai-tab-2", arms) for n in range(4000)]
    assert 0.4 < sum(a != b for a, b in zip(first, other)) / 4000 < 0.6


@pytest.mark.parametrize("spec", ["personal=50,bogus=50", "personal=0", "personal=x", "personal=1,personal=2"])
def test_a_bad_experiment_is_refused(spec):
    with pytest.raises(ValueError):
        parse_experiment(spec)


@override_settings(RECOMMENDER_EXPERIMENT="plain=1,personal=1,ranked=1")
def test_members_keep_their_arm_across_requests_and_the_rows_say_which(make_member, travel):
    from recommender.experiments import arm_for
    from recommender.visitors import Viewer

    seen = {}
    for number in range(12):
        member = make_member()
        client = APIClient()
        client.force_login(member)
        arms = set()
        for _ in range(2):
            data = ai_tab(client)
            assert send(client, data["impression_token"], [data["activities"][0]["id"]]).status_code == 204
            arms.add(Impression.objects.filter(recommendation_id=uuid.UUID(data["recommendation_id"])).get().arm)
        assert arms == {arm_for(Viewer(member_id=member.id))}
        seen[member.id] = arms.pop()
    assert len(set(seen.values())) >= 2


@override_settings(RECOMMENDER_EXPERIMENT="personal=50,ranked=50")
def test_logged_out_visitors_are_assigned_by_their_cookie(travel):
    arms = set()
    for _ in range(10):
        client = APIClient()
        data = ai_tab(client)
        send(client, data["impression_token"], [data["activities"][0]["id"]])
        again = ai_tab(client)
        send(client, again["impression_token"], [again["activities"][0]["id"]])
        mine = set(Impression.objects.filter(visitor_id=uuid.UUID(client.cookies[COOKIE].value)).values_list("arm", flat=True))
        assert len(mine) == 1
        arms |= mine
    assert arms <= {"personal", "ranked"}


def test_ranked_puts_the_members_sub_interest_first_within_the_category(make_member, make_activity):
    """A member who keeps opening board-game listings sees board games first among 취미 in the
    `ranked` arm, while `personal` shows the newest 취미 listings."""
    from recommender.selectors import recommended_activities

    hobby_newest = [make_activity(category_id=1, title=f"원데이 공방 클래스 {i}", intro="공방에서 만들기") for i in range(8)]
    board_games = [make_activity(category_id=1, title=f"보드게임 카페 모임 {i}", intro="보드게임 전략 게임 같이 해요",
                                 created_date=timezone.now() - timedelta(days=10, minutes=i)) for i in range(4)]
    for category_id in (3, 5):
        for i in range(3):
            make_activity(category_id=category_id, title=f"기타 활동 {category_id}-{i}")
    member = make_member()
    client = APIClient()
    client.force_login(member)
    for activity in board_games[:3]:
        assert client.get(f"/activities/{activity.id}/").status_code == 200
    personal = recommended_activities(member=member, arm="personal")
    ranked = recommended_activities(member=member, arm="ranked")
    assert [c["id"] for c in personal.categories] == [c["id"] for c in ranked.categories]
    assert personal.categories[0]["id"] == 1
    assert [a.id for a in personal.activities[:6]] == [a.id for a in hobby_newest[:6]]
    assert {a.id for a in ranked.activities[:4]} == {a.id for a in board_games}
    assert ranked.activities[4].id == hobby_newest[0].id  # then the newest
    plain = recommended_activities(member=member, arm="plain")
    assert [a.id for a in plain.activities[:6]] == [a.id for a in hobby_newest[:6]] or plain.categories[0]["id"] != 1


# --- the report ---------------------------------------------------------------------------


def add_rows(model, count, *, tab="ai", source="member", arm="personal", version="v1", ago=timedelta(days=1), **extra):
    now = timezone.now()
    rows = [model(recommendation_id=uuid.uuid4(), tab=tab, source=source, arm=arm, model_version=version, position=n % 8,
                  activity_id=n + 1, category_id=5, created_at=now - ago, **extra) for n in range(count)]
    model.objects.bulk_create(rows)


@pytest.fixture
def known_fixture(db):
    add_rows(Impression, 200, arm="personal")
    add_rows(Click, 10, arm="personal")
    add_rows(Click, 3, arm="personal", liked_at=timezone.now())
    add_rows(Impression, 100, arm="ranked")
    add_rows(Click, 20, arm="ranked", liked_at=timezone.now())
    add_rows(Impression, 80, tab="popular", source="", arm="personal", version="")
    add_rows(Click, 4, tab="popular", source="", arm="personal", version="")
    add_rows(Impression, 50, arm="personal", ago=timedelta(days=9))  # outside --days 7
    add_rows(Click, 5, arm="personal", ago=timedelta(days=9))


def test_report_json_numbers_on_a_known_fixture(known_fixture):
    out = io.StringIO()
    call_command("recommendation_report", "--days", "7", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) >= {"from", "to", "rows"}
    assert report["cut_before"] is None
    rows = {(r["tab"], r["arm"]): r for r in report["rows"]}
    assert rows[("ai", "personal")] == {"tab": "ai", "source": "member", "arm": "personal", "model_version": "v1",
                                        "impressions": 200, "clicks": 13, "ctr": 0.065, "likes_after_click": 3}
    assert rows[("ai", "ranked")]["impressions"] == 100 and rows[("ai", "ranked")]["ctr"] == 0.2
    assert rows[("ai", "ranked")]["likes_after_click"] == 20
    assert rows[("popular", "personal")] | {} == {"tab": "popular", "source": "", "arm": "personal", "model_version": "",
                                                   "impressions": 80, "clicks": 4, "ctr": 0.05, "likes_after_click": 0}
    assert [r["tab"] for r in report["rows"]] == ["ai", "ai", "popular"]
    longer = io.StringIO()
    call_command("recommendation_report", "--days", "30", "--format", "json", stdout=longer)
    assert {(r["arm"], r["tab"]): r["impressions"] for r in json.loads(longer.getvalue())["rows"]}[("personal", "ai")] == 250


def test_report_table_shows_ctr_with_a_95_percent_interval(known_fixture):
    out = io.StringIO()
    call_command("recommendation_report", "--days", "7", stdout=out)
    text = out.getvalue()
    low, high = wilson_interval(13, 200)
    assert "ctr 95% CI" in text
    line = next(line for line in text.splitlines() if line.startswith("ai") and "personal" in line)
    assert "200" in line and "13" in line and "6.50%" in line and f"{100 * low:.2f}–{100 * high:.2f}%" in line


def test_report_rejects_a_bad_window(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("recommendation_report", "--days", "0")


def test_wilson_interval():
    low, high = wilson_interval(13, 200)
    assert 0.038 < low < 0.040 and 0.107 < high < 0.110
    assert wilson_interval(0, 0) == (0.0, 0.0)


# --- retention ------------------------------------------------------------------------------


def test_retention_deletes_old_rows_and_the_report_says_so(db, settings):
    settings.RECOMMENDER_EVENTS_RETENTION_DAYS = 90
    add_rows(Impression, 5, ago=timedelta(days=100))
    add_rows(Click, 2, ago=timedelta(days=100))
    add_rows(Impression, 7, ago=timedelta(days=10))
    add_rows(Click, 1, ago=timedelta(days=10))
    out = io.StringIO()
    call_command("prune_recommendation_events", stdout=out)
    assert "노출 5건, 클릭 2건" in out.getvalue()
    assert Impression.objects.count() == 7 and Click.objects.count() == 1
    prune = EventPrune.objects.get()
    assert prune.impressions_deleted == 5 and prune.clicks_deleted == 2

    report = io.StringIO()
    call_command("recommendation_report", "--days", "120", "--format", "json", stdout=report)
    assert json.loads(report.getvalue())["cut_before"] is not None
    table = io.StringIO()
    call_command("recommendation_report", "--days", "120", stdout=table)
    assert "보존 기간(90일)이 지나 삭제" in table.getvalue()
    inside = io.StringIO()
    call_command("recommendation_report", "--days", "30", "--format", "json", stdout=inside)
    assert json.loads(inside.getvalue())["cut_before"] is None


def test_retention_refuses_a_period_under_a_day(db):
    with pytest.raises(ValueError):
        prune_recommendation_events(days=0)


# --- the dashboard --------------------------------------------------------------------------


@pytest.fixture
def staff(make_member):
    return make_member(is_staff=True, is_superuser=True)


def test_dashboard_for_staff_shows_charts_report_model_card_and_health(client, staff, known_fixture):
    client.force_login(staff)
    response = client.get("/admin/recommender/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("추천 대시보드", "탭별 하루 클릭률", "추천 성과", "모델 카드", "학습 상태", "반영 대기 이벤트",
                 "AI 탭이 가장 많이 보여 준 카테고리", "여행·동행", "7.20%", "/admin/recommender/dashboard/charts/ctr-by-tab.png"):
        assert text in body, text
    assert "<script>" not in body and " onclick=" not in body
    for name in ("ctr-by-tab", "ctr-by-arm", "learning-events"):
        chart = client.get(f"/admin/recommender/dashboard/charts/{name}.png")
        assert chart.status_code == 200 and chart["Content-Type"] == "image/png"
        assert chart.content.startswith(b"\x89PNG")
    assert client.get("/admin/recommender/dashboard/charts/nope.png").status_code == 404
    confusion = client.get("/admin/recommender/dashboard/confusion-matrix.png")
    assert confusion.status_code == 200 and b"".join(confusion.streaming_content).startswith(b"\x89PNG")
    assert "/admin/recommender/dashboard/" in client.get("/admin/").content.decode()  # linked from the admin index


@pytest.mark.parametrize("path", ["/admin/recommender/dashboard/", "/admin/recommender/dashboard/charts/ctr-by-tab.png"])
def test_dashboard_is_staff_only(client, member, path):
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_migration_renames_the_stored_seed_arm_to_plain(member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("recommender.migrations.0008_rename_seed_arm_to_plain")
    shown = dict(recommendation_id=uuid.uuid4(), tab=Tab.AI, source="member", model_version="v", position=0,
                 activity_id=1, category_id=1, member=member, created_at=timezone.now())
    Impression.objects.create(arm="seed", **shown)
    Click.objects.create(arm="seed", **shown)
    migration.rename_arms(apps, None)
    assert list(Impression.objects.values_list("arm", flat=True)) == ["plain"]
    assert list(Click.objects.values_list("arm", flat=True)) == ["plain"]
