"""How an activity leaves the server as JSON: the card the AI tab and the similar list draw.

The page draws the same card from templates/activity/_card.html (static/js/recommendations.js
fills that template's clone with these fields)."""
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import serializers


def _iso(moment) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone."""
    return timezone.localtime(moment).isoformat()


def _thumbnail_url(activity) -> str | None:
    return activity.thumbnail.url if activity.thumbnail else None


def _is_like(activity) -> bool:
    return bool(getattr(activity, "is_like", False))


# Each card field and how it is read. The serializer below declares the same names (for
# validation-free output and the OpenAPI schema); the module refuses to load if they differ,
# and tests/activity/test_serializers.py checks the values against DRF's own field-by-field path.
CARD_READERS = {
    "id": lambda activity: activity.id,
    "title": lambda activity: activity.title,
    "category_id": lambda activity: activity.category_id,
    "category_name": lambda activity: activity.category.name,
    "club_name": lambda activity: activity.club.name,
    "thumbnail_url": _thumbnail_url,
    "recruit_start": lambda activity: _iso(activity.recruit_start),
    "recruit_end": lambda activity: _iso(activity.recruit_end),
    "activity_start": lambda activity: _iso(activity.activity_start),
    "activity_end": lambda activity: _iso(activity.activity_end),
    "like_count": lambda activity: activity.like_count,
    "member_count": lambda activity: activity.member_count,
    "is_like": _is_like,
    "url": lambda activity: activity.get_absolute_url(),
}


class ActivityCardSerializer(serializers.Serializer):
    """An activity as a card: what the AI tab and the similar list draw."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    category_id = serializers.IntegerField()
    category_name = serializers.CharField(source="category.name")
    club_name = serializers.CharField(source="club.name")
    thumbnail_url = serializers.SerializerMethodField()
    recruit_start = serializers.DateTimeField()
    recruit_end = serializers.DateTimeField()
    activity_start = serializers.DateTimeField()
    activity_end = serializers.DateTimeField()
    like_count = serializers.IntegerField()
    member_count = serializers.IntegerField()
    is_like = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")

    def get_thumbnail_url(self, activity) -> str | None:
        return _thumbnail_url(activity)

    def get_is_like(self, activity) -> bool:
        return _is_like(activity)

    def to_representation(self, activity):
        # Read straight from CARD_READERS: the AI tab serializes 8 cards per request and DRF's
        # field-by-field path (super().to_representation) costs several times more.
        return {name: read(activity) for name, read in CARD_READERS.items()}


if list(CARD_READERS) != list(ActivityCardSerializer._declared_fields):
    raise ImproperlyConfigured(
        "activity.serializers: CARD_READERS and ActivityCardSerializer's fields must list the same names "
        f"in the same order ({list(CARD_READERS)} != {list(ActivityCardSerializer._declared_fields)})"
    )
