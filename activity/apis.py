"""JSON API for activities: likes. Errors are JSON {"detail": ...} (DRF)."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import BaseThrottle
from rest_framework.response import Response
from rest_framework.views import APIView

from activity import selectors, services
from recommender.services import LearningRateExceeded, spend_learning_budget


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
