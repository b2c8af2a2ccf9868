"""JSON API for recommendations and similar activities."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from activity import selectors as activity_selectors
from activity.apis import ActivityCardSerializer
from recommender import selectors


class CategoryProbabilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    probability = serializers.FloatField()


class RecommendationSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["season", "member", "fallback"])
    query = serializers.CharField(allow_blank=True)
    categories = CategoryProbabilitySerializer(many=True)
    activities = ActivityCardSerializer(many=True)


class SimilarActivitiesSerializer(serializers.Serializer):
    activities = ActivityCardSerializer(many=True)


class RecommendedActivitiesApi(APIView):
    """The AI 추천 활동 tab: season keywords when logged out, the member's own model when logged in."""

    @extend_schema(responses=RecommendationSerializer)
    def get(self, request):
        result = selectors.recommended_activities(member=request.user)
        return Response(RecommendationSerializer(result).data)


class SimilarActivitiesApi(APIView):
    @extend_schema(responses=SimilarActivitiesSerializer)
    def get(self, request, activity_id):
        activity = activity_selectors.enabled_activity(activity_id=activity_id)
        similar = selectors.similar_activities(activity_id=activity.id, member=request.user)
        return Response(SimilarActivitiesSerializer({"activities": similar}).data)
