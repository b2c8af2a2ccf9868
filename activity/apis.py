"""How an activity appears in the JSON API: as a card."""
from django.utils import timezone
from rest_framework import serializers


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
        return activity.thumbnail.url if activity.thumbnail else None

    def get_is_like(self, activity) -> bool:
        return bool(getattr(activity, "is_like", False))

    def to_representation(self, activity):
        # Built directly: the AI tab serializes 8 cards per request and DRF's field-by-field
        # path costs several times more. The keys are the declared fields (a test checks it).
        return {
            "id": activity.id,
            "title": activity.title,
            "category_id": activity.category_id,
            "category_name": activity.category.name,
            "club_name": activity.club.name,
            "thumbnail_url": self.get_thumbnail_url(activity),
            "recruit_start": _iso(activity.recruit_start),
            "recruit_end": _iso(activity.recruit_end),
            "activity_start": _iso(activity.activity_start),
            "activity_end": _iso(activity.activity_end),
            "like_count": activity.like_count,
            "member_count": activity.member_count,
            "is_like": self.get_is_like(activity),
            "url": activity.get_absolute_url(),
        }


def _iso(moment) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone."""
    return timezone.localtime(moment).isoformat()
