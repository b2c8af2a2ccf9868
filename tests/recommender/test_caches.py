"""The per-process caches of the hot paths: the newest open activities of each category (AI tab),
the main page's 인기/최신 ids, and decoded member counts. They keep ids and counts only, so a
hidden, deleted or ended activity is never shown and a card's like state is always the member's
own, including when another process changed the database without this process hearing of it."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from activity.models import Activity
from recommender.likes import like_activity_and_learn, unlike_activity_and_learn
from recommender.member_models import current_member_state, decoded_states, take_in_member_events

pytestmark = pytest.mark.django_db

AI_TAB = "/api/recommendations/activities/"


@pytest.fixture(autouse=True)
def caches_on(settings):
    from activity.selectors import _tab_ids
    from recommender.selectors import _newest_cache

    from recommender.selectors import _season_cache

    settings.RECOMMENDER_NEWEST_CACHE_SECONDS = 300
    settings.ACTIVITY_TAB_CACHE_SECONDS = 300
    settings.RECOMMENDER_SEASON_CACHE_SECONDS = 300
    for cache in (_newest_cache, _tab_ids, _season_cache):
        cache.clear()
    yield
    for cache in (_newest_cache, _tab_ids, _season_cache):
        cache.clear()


@pytest.fixture
def travel_listings(make_activity):
    """Ten open 여행·동행 activities (the season query's first category), newest last."""
    now = timezone.now()
    return [make_activity(category_id=5, created_date=now - timedelta(hours=10 - n)) for n in range(10)]


def shown_ids(client) -> list[int]:
    return [card["id"] for card in client.get(AI_TAB).json()["activities"]]


def test_an_activity_hidden_here_leaves_the_ai_tab_at_once(client, travel_listings):
    newest = travel_listings[-1]
    assert newest.id in shown_ids(client)
    newest.status = False
    newest.save()
    ids = shown_ids(client)
    assert newest.id not in ids and len(ids) == 8


def test_an_activity_hidden_by_another_process_is_never_shown(client, travel_listings):
    """An update that sends no signal here (another web process, a SQL console): the cached ids
    still name it, the cards' query leaves it out, and the tab is filled again from the database."""
    newest, deleted = travel_listings[-1], travel_listings[-2]
    assert {newest.id, deleted.id} <= set(shown_ids(client))
    Activity.objects.filter(pk=newest.pk).update(status=False)
    Activity.objects.filter(pk=deleted.pk).delete()  # a queryset delete: no signal per row here
    ids = shown_ids(client)
    assert newest.id not in ids and deleted.id not in ids
    assert len(ids) == 8 and travel_listings[-9].id in ids


def test_an_activity_that_ends_leaves_the_ai_tab_with_no_save(client, travel_listings):
    ending = travel_listings[-1]
    Activity.objects.filter(pk=ending.pk).update(activity_end=timezone.now() + timedelta(hours=1))
    from recommender.selectors import _newest_cache

    _newest_cache.clear()
    assert ending.id in shown_ids(client)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        ids = shown_ids(client)
    assert ending.id not in ids and len(ids) == 8


def test_a_new_activity_appears_at_once(client, travel_listings, make_activity):
    shown_ids(client)
    new = make_activity(category_id=5, created_date=timezone.now())
    assert shown_ids(client)[0] == new.id


def test_like_state_and_counts_on_cards_are_the_members_own_and_current(client, member, travel_listings):
    client.force_login(member)
    first = travel_listings[-1]
    cards = {card["id"]: card for card in client.get(AI_TAB).json()["activities"]}
    assert cards[first.id]["is_like"] is False and cards[first.id]["like_count"] == 0
    like_activity_and_learn(member=member, activity=first)
    cards = {card["id"]: card for card in client.get(AI_TAB).json()["activities"]}
    assert cards[first.id]["is_like"] is True and cards[first.id]["like_count"] == 1
    unlike_activity_and_learn(member=member, activity=first)
    cards = {card["id"]: card for card in client.get(AI_TAB).json()["activities"]}
    assert cards[first.id]["is_like"] is False and cards[first.id]["like_count"] == 0


def test_main_page_tabs_never_show_a_hidden_activity_and_keep_like_states_fresh(client, member, travel_listings):
    client.force_login(member)
    newest = travel_listings[-1]
    page = client.get("/")
    assert newest in page.context["newest_activities"]
    like_activity_and_learn(member=member, activity=newest)
    page = client.get("/")
    assert next(card for card in page.context["newest_activities"] if card.id == newest.id).is_like is True
    Activity.objects.filter(pk=newest.pk).update(status=False)  # another process: no signal here
    page = client.get("/")
    assert newest.id not in [card.id for card in page.context["newest_activities"]]
    assert newest.id not in [card.id for card in page.context["popular_activities"]]
    assert len(page.context["newest_activities"]) == 8


def test_decoded_member_counts_are_reused_until_the_worker_changes_them(member, travel_listings):
    decoded_states.clear()
    first = current_member_state(member=member)
    assert current_member_state(member=member) is first  # the same decoded counts, not decoded again
    like_activity_and_learn(member=member, activity=travel_listings[0])
    pending = current_member_state(member=member)  # the like, added in memory
    assert pending is not first and pending.delta.class_count[4] == first.delta.class_count[4] + 2.0
    assert current_member_state(member=member).delta.class_count[4] == pending.delta.class_count[4]
    take_in_member_events(member_id=member.pk)
    learned = current_member_state(member=member)
    assert learned.row.event_count == 1 and learned.delta.class_count[4] == pending.delta.class_count[4]
    assert first.delta.class_count[4] == pending.delta.class_count[4] - 2.0  # the cached copy was not changed


def test_season_keywords_an_operator_saves_are_asked_at_once(client, travel_listings):
    from recommender.models import SeasonKeywordSet

    assert client.get(AI_TAB).json()["query"] == "여행 바다 산 여름 시원한"
    SeasonKeywordSet.objects.create(keywords="주식 재테크 ETF")
    body = client.get(AI_TAB).json()
    assert body["query"] == "주식 재테크 ETF" and body["categories"][0]["name"] == "재테크"
