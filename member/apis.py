"""JSON API for the signed-in member (`/api/me/...`)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from member.interests import KEYWORD_SLOTS, MESSAGES, InterestsError, clean_interests
from member.selectors import member_interests
from member.services import set_member_interests


class StrictIntegerField(serializers.IntegerField):
    """A JSON number only: "3" is not a category id here."""

    default_error_messages = {"invalid": MESSAGES["category_invalid"]}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class KeywordField(serializers.CharField):
    """A JSON string only: `1` is not the keyword "1"."""

    default_error_messages = {"invalid": MESSAGES["keyword_not_text"], "null": MESSAGES["keyword_not_text"]}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class InterestsInputSerializer(serializers.Serializer):
    categories = serializers.ListField(
        child=StrictIntegerField(min_value=1),
        help_text="관심 분야(카테고리) id 목록 (최대 13개, 없는 id는 400)",
        error_messages={"not_a_list": MESSAGES["categories_not_list"]},
    )
    keywords = serializers.ListField(
        child=KeywordField(allow_blank=True, trim_whitespace=False),
        min_length=KEYWORD_SLOTS, max_length=KEYWORD_SLOTS,
        help_text="관심 키워드 정확히 세 칸 (빈 칸은 빈 글자; 앞뒤 공백을 뺀 길이 20자 이하, 서로 달라야 함)",
        error_messages={
            "not_a_list": MESSAGES["keywords_not_list"],
            "min_length": MESSAGES["keywords_count"], "max_length": MESSAGES["keywords_count"],
        },
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

    @extend_schema(responses={200: InterestsOutputSerializer}, summary="내 관심사 보기")
    def get(self, request):
        return Response(InterestsOutputSerializer(member_interests(member=request.user)).data)

    @extend_schema(request=InterestsInputSerializer, responses={200: InterestsOutputSerializer}, summary="내 관심사 바꾸기")
    def put(self, request):
        serializer = InterestsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = set_member_interests(
            member=request.user,
            category_ids=serializer.validated_data["categories"],
            keywords=serializer.validated_data["keywords"],
        )
        return Response(InterestsOutputSerializer(member_interests(member=member)).data)
