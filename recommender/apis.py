"""JSON API for recommendations, their impressions, similar activities and likes (a like
teaches the member's model). Errors are JSON {"detail": ...} (DRF)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from activity import selectors as activity_selectors
from activity.serializers import ActivityCardSerializer
from recommender import events, selectors
from recommender.likes import like_activity_and_learn, unlike_activity_and_learn
from recommender.visitors import remember, viewer_of


class CategoryProbabilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    probability = serializers.FloatField()


class RecommendationSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["season", "member", "fallback"])
    query = serializers.CharField(allow_blank=True)
    categories = CategoryProbabilitySerializer(many=True)
    activities = ActivityCardSerializer(many=True)
    recommendation_id = serializers.CharField(help_text="이 추천의 ID: 노출과 클릭을 묶어요 (카드 링크의 ?rec=).")
    impression_token = serializers.CharField(help_text="노출을 기록할 때 그대로 돌려보내는 서명된 카드 목록.")


class StrictIdField(serializers.IntegerField):
    """An activity id: a JSON integer only (no strings, floats or booleans)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ImpressionBatchSerializer(serializers.Serializer):
    impression_token = serializers.CharField(max_length=4000)
    activity_ids = serializers.ListField(
        child=StrictIdField(min_value=1, max_value=activity_selectors.MAX_ID), min_length=1,
        max_length=events.MAX_IMPRESSION_BATCH,
    )


class SimilarActivitiesSerializer(serializers.Serializer):
    activities = ActivityCardSerializer(many=True)


class RecommendedActivitiesApi(APIView):
    """The AI 추천 활동 tab: season keywords when logged out, the member's own model when logged in."""

    @extend_schema(responses=RecommendationSerializer)
    def get(self, request):
        result = selectors.ai_tab(member=request.user, viewer=viewer_of(request))
        return remember(request, Response(RecommendationSerializer(result).data))


class ImpressionsApi(APIView):
    """The cards one tab view showed, in one batch: 204, or 400 and nothing stored."""

    parser_classes = [JSONParser]

    @extend_schema(request=ImpressionBatchSerializer, responses={
        204: OpenApiResponse(description="기록했어요."),
        400: OpenApiResponse(description="보여 주지 않은 활동, 너무 큰 묶음, 잘못된 형식이나 토큰: 아무것도 저장하지 않아요."),
        403: OpenApiResponse(description="로그인한 회원의 요청에 CSRF 토큰이 없어요."),
        415: OpenApiResponse(description="JSON 본문만 받아요."),
    })
    def post(self, request):
        batch = ImpressionBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        try:
            events.record_impressions(token=batch.validated_data["impression_token"],
                                      activity_ids=batch.validated_data["activity_ids"],
                                      viewer=viewer_of(request, create=False))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class SimilarActivitiesApi(APIView):
    @extend_schema(responses=SimilarActivitiesSerializer)
    def get(self, request, activity_id):
        activity = activity_selectors.enabled_activity(activity_id=activity_id)
        similar = selectors.similar_activities(activity_id=activity.id, member=request.user)
        return Response(SimilarActivitiesSerializer({"activities": similar}).data)


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
    (events.spend_learning_budget, shared by every worker through the database)."""

    def allow_request(self, request, view):
        self.wait_seconds = None
        if not request.user.is_authenticated:
            return True  # the permission check answers
        try:
            events.spend_learning_budget(member=request.user)
        except events.LearningRateExceeded as exceeded:
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
            return activity_selectors.enabled_activity(activity_id=activity_id)
        except Http404:
            raise Http404("활동을 찾을 수 없어요.")

    def _respond(self, activity, liked):
        count = activity_selectors.like_count(activity_id=activity.id)
        return Response(LikeOutputSerializer({"liked": liked, "like_count": count}).data)

    @extend_schema(request=None, responses={200: LikeOutputSerializer}, summary="좋아요")
    def post(self, request, activity_id):
        activity = self._activity(activity_id)
        like_activity_and_learn(member=request.user, activity=activity)
        return self._respond(activity, True)

    @extend_schema(request=None, responses={200: LikeOutputSerializer}, summary="좋아요 취소")
    def delete(self, request, activity_id):
        activity = self._activity(activity_id)
        unlike_activity_and_learn(member=request.user, activity=activity)
        return self._respond(activity, False)
