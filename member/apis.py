"""JSON API for the signed-in member (`/api/me/...`)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from member.interests import InterestsError, clean_interests
from member.selectors import member_interests
from member.services import set_member_interests


class InterestsInputSerializer(serializers.Serializer):
    categories = serializers.ListField(child=serializers.IntegerField(), help_text="관심 분야(카테고리) id 목록")
    keywords = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text="관심 키워드 세 칸 (빈 칸은 빈 글자)",
    )

    def validate(self, attrs):
        # The same rules as the mypage form: member.interests.clean_interests.
        try:
            interests = clean_interests(category_ids=attrs["categories"], keywords=attrs["keywords"])
        except InterestsError as error:
            raise serializers.ValidationError(error.message_dict()) from error
        return {"categories": list(interests.category_ids), "keywords": list(interests.keywords)}


class InterestsOutputSerializer(serializers.Serializer):
    categories = serializers.ListField(child=serializers.IntegerField())
    keywords = serializers.ListField(child=serializers.CharField(allow_blank=True), min_length=3, max_length=3)


class MyInterestsApi(APIView):
    """The signed-in member's favourite categories and three keywords."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=InterestsOutputSerializer, summary="내 관심사 보기")
    def get(self, request):
        return Response(InterestsOutputSerializer(member_interests(member=request.user)).data)

    @extend_schema(request=InterestsInputSerializer, responses=InterestsOutputSerializer, summary="내 관심사 바꾸기")
    def put(self, request):
        serializer = InterestsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = set_member_interests(
            member=request.user,
            category_ids=serializer.validated_data["categories"],
            keywords=serializer.validated_data["keywords"],
        )
        return Response(InterestsOutputSerializer(member_interests(member=member)).data)
