"""cards_in_order: the cards every list draws, read with its own SQL, against the ORM's activity_cards."""
from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Category
from activity.selectors import activity_cards, cards_in_order

pytestmark = pytest.mark.django_db


def _card(activity) -> tuple:
    return (activity.id, activity.title, activity.category_id, activity.category.name, activity.club_id,
            activity.club.name, str(activity.thumbnail), activity.activity_start, activity.activity_end,
            activity.like_count, activity.member_count, bool(getattr(activity, "is_like", False)))


@pytest.fixture
def shelf(make_activity, make_club, make_member, add_like, add_participant):
    """Activities with every case a card reads: counts with cancelled rows, a member's likes
    (one taken back), a hidden activity, a hidden club's activity and an ended one."""
    viewer = make_member()
    busy = make_activity(title="북적이는 활동", thumbnail="activity/thumbnail/busy.png")
    for status in (True, True, False):
        add_like(make_member(), busy, status=status)
        add_participant(make_member(), busy, status=status)
    add_like(viewer, busy)
    taken_back = make_activity(title="좋아요를 취소한 활동", category_id=5)
    add_like(viewer, taken_back, status=False)
    hidden = make_activity(title="숨긴 활동", status=False)
    closed_club = make_activity(title="닫힌 모임의 활동", club=make_club(status=False))
    ended = make_activity(title="끝난 활동", activity_start=timezone.now() - timedelta(days=3),
                          activity_end=timezone.now() - timedelta(days=1))
    return viewer, busy, taken_back, hidden, closed_club, ended


@pytest.mark.parametrize("logged_in", [True, False])
def test_cards_match_the_orm_read_in_the_asked_order(shelf, logged_in):
    viewer, busy, taken_back, hidden, closed_club, ended = shelf
    member = viewer if logged_in else None
    ids = [ended.id, hidden.id, taken_back.id, closed_club.id, busy.id, taken_back.id]

    cards = cards_in_order(ids, member=member)

    expected = {activity.id: activity for activity in activity_cards(member=member).filter(id__in=ids)}
    assert [card.id for card in cards] == [ended.id, taken_back.id, busy.id]
    assert [_card(card) for card in cards] == [_card(expected[card.id]) for card in cards]
    by_title = {card.title: card for card in cards}
    assert (by_title["북적이는 활동"].like_count, by_title["북적이는 활동"].member_count) == (3, 2)
    assert getattr(by_title["북적이는 활동"], "is_like", False) is logged_in
    assert not getattr(by_title["좋아요를 취소한 활동"], "is_like", False)
    assert by_title["좋아요를 취소한 활동"].category.name == Category.objects.get(pk=5).name


def test_open_only_leaves_out_ended_activities(shelf):
    viewer, busy, taken_back, hidden, closed_club, ended = shelf
    cards = cards_in_order([ended.id, busy.id, 987654321], member=viewer, open_only=True)
    assert [card.id for card in cards] == [busy.id]
    assert cards_in_order([], member=viewer) == []


def test_main_page_cards_show_their_club_category_and_like_state(client, shelf):
    viewer, busy, taken_back, *_ = shelf
    client.force_login(viewer)
    body = client.get("/").content.decode()
    for activity in (busy, taken_back):
        assert activity.club.name in body and f'<span class="badge" data-field="category_name">{activity.category.name}</span>' in body
    assert 'aria-pressed="true"' in body  # the one the viewer likes


@pytest.mark.parametrize("path_id", ["987654321", "99999999999999999999999"])
def test_detail_page_of_an_unknown_id_is_a_404(client, path_id):
    assert client.get(f"/activities/{path_id}/").status_code == 404


def test_detail_page_of_a_hidden_activity_or_club_is_a_404_and_learns_nothing(client, shelf):
    viewer, busy, taken_back, hidden, closed_club, ended = shelf
    client.force_login(viewer)
    for activity in (hidden, closed_club):
        assert client.get(f"/activities/{activity.id}/").status_code == 404
    body = client.get(f"/activities/{ended.id}/").content.decode()
    assert ended.title in body and "함께해요" in body  # the page of an ended activity still shows its text
    assert set(viewer.learning_events.values_list("activity_id", flat=True)) == {ended.id}
