"""JSON API for activities: likes. Errors are JSON {"detail": ...} (DRF)."""
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import BaseThrottle
from rest_framework.response import Response
from rest_framework.views import APIView

from activity import selectors, services
from recommender.services import LearningRateExceeded, spend_learning_budget


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


class LikeOutputSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class TooManyLikes(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, wait: int):
        self.wait = wait  # DRF's handler sends it as Retry-After
        super().__init__(f"좋아요를 너무 자주 눌렀어요. {wait}초 뒤에 다시 시도해 주세요.")


class LearningRateThrottle(BaseThrottle):
    """Each like or unlike spends one of the member's learning events per minute
    (recommender.services.spend_learning_budget, shared by every worker through the database)."""

    def allow_request(self, request, view):
        self.wait_seconds = None
        if not request.user.is_authenticated:
            return True  # the permission check answers
        try:
            spend_learning_budget(member=request.user)
        except LearningRateExceeded as exceeded:
            self.wait_seconds = exceeded.wait_seconds
            return False
        return True

    def wait(self):
        return self.wait_seconds


class ActivityLikeApi(APIView):
    """POST likes, DELETE unlikes; both idempotent."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [LearningRateThrottle]

    def throttled(self, request, wait):
        raise TooManyLikes(int(wait or 60))

    def _activity(self, activity_id):
        try:
            return selectors.enabled_activity(activity_id=activity_id)
        except Http404:
            raise Http404("활동을 찾을 수 없어요.")

    def _respond(self, activity, liked):
        count = selectors.like_count(activity_id=activity.id)
        return Response(LikeOutputSerializer({"liked": liked, "like_count": count}).data)

    @extend_schema(request=None, responses={200: LikeOutputSerializer}, summary="좋아요")
    def post(self, request, activity_id):
        activity = self._activity(activity_id)
        services.like_activity(member=request.user, activity=activity)
        return self._respond(activity, True)

    @extend_schema(request=None, responses={200: LikeOutputSerializer}, summary="좋아요 취소")
    def delete(self, request, activity_id):
        activity = self._activity(activity_id)
        services.unlike_activity(member=request.user, activity=activity)
        return self._respond(activity, False)
