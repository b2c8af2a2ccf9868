"""ActivityCardSerializer: its fast path (CARD_READERS) writes exactly what DRF's own
field-by-field path writes from the declared fields, for every kind of card."""
import pytest
from rest_framework import serializers

from activity import selectors
from activity.serializers import CARD_READERS, ActivityCardSerializer

pytestmark = pytest.mark.django_db


def drf_path(activity) -> dict:
    """What DRF writes from the declared fields (the path to_representation skips for speed)."""
    return dict(serializers.Serializer.to_representation(ActivityCardSerializer(), activity))


def test_readers_and_declared_fields_are_the_same_list():
    assert list(CARD_READERS) == list(ActivityCardSerializer().fields)


@pytest.mark.parametrize("logged_in", [True, False])
def test_fast_path_equals_drfs_field_by_field_output(member, make_activity, make_member, add_like, add_participant, logged_in):
    plain = make_activity(title="썸네일 없는 활동", category_id=5)
    pictured = make_activity(title="썸네일 있는 활동", thumbnail="activity/thumbnail/picture.png")
    add_like(member, pictured)
    add_like(make_member(), pictured)
    add_participant(make_member(), plain)

    cards = selectors.cards_in_order([plain.id, pictured.id], member=member if logged_in else None)
    fast = ActivityCardSerializer(cards, many=True).data
    assert [dict(card) for card in fast] == [drf_path(card) for card in cards]
    by_title = {card["title"]: card for card in fast}
    assert by_title["썸네일 없는 활동"]["thumbnail_url"] is None
    assert by_title["썸네일 있는 활동"]["thumbnail_url"].endswith("/activity/thumbnail/picture.png")
    assert by_title["썸네일 있는 활동"]["is_like"] is logged_in
    assert (by_title["썸네일 있는 활동"]["like_count"], by_title["썸네일 없는 활동"]["member_count"]) == (2, 1)

