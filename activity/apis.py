"""JSON API for activities: likes. Errors are JSON {"detail": ...} (DRF)."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from activity import selectors, services


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


class LikeOutputSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class ActivityLikeApi(APIView):
    """POST likes, DELETE unlikes; both idempotent."""

    permission_classes = [IsAuthenticated]

    def _activity(self, activity_id):
        try:
            return selectors.enabled_activity(activity_id=activity_id)
        except Http404:
            raise Http404("활동을 찾을 수 없어요.")

    def _respond(self, activity, liked):
        count = selectors.like_count(activity_id=activity.id)
        return Response(LikeOutputSerializer({"liked": liked, "like_count": count}).data)

    @extend_schema(request=None, responses=LikeOutputSerializer)
    def post(self, request, activity_id):
        activity = self._activity(activity_id)
        services.like_activity(member=request.user, activity=activity)
        return self._respond(activity, True)

    @extend_schema(request=None, responses=LikeOutputSerializer)
    def delete(self, request, activity_id):
        activity = self._activity(activity_id)
        services.unlike_activity(member=request.user, activity=activity)
        return self._respond(activity, False)
