"""Mypage interests: the shared rules, the service, the page and the API."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from member.interests import InterestsError, clean_interests
from member.models import MemberFavoriteCategory
from member.selectors import member_interests
from member.services import set_member_interests
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/mypage/interests/"
API = "/api/me/interests/"
LONG_KEYWORD = "가" * 21


def favourites(member):
    """{category_id: status} for every favourite row the member has."""
    return dict(MemberFavoriteCategory.objects.filter(member=member).values_list("category_id", "status"))


def snapshot(member):
    member.refresh_from_db()
    return favourites(member), member.keywords


@pytest.fixture
def logged_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def api(member):
    api_client = APIClient()
    api_client.force_authenticate(member)
    return api_client


@pytest.fixture
def with_interests(member):
    set_member_interests(member=member, category_ids=[5, 3], keywords=["바다", "캠핑", ""])
    member.refresh_from_db()
    return member


# --- the rules (member.interests.clean_interests) ---


def test_rules_normalise_good_input():
    interests = clean_interests(category_ids=["5", 3, 5, " 3 "], keywords=["  바다 ", "", "ETF"])
    assert interests.category_ids == (3, 5)
    assert interests.keywords == ("바다", "", "ETF")


def test_rules_accept_all_thirteen_and_twenty_characters():
    interests = clean_interests(category_ids=list(range(1, 14)), keywords=["가" * 20, "", ""])
    assert interests.category_ids == tuple(range(1, 14))


@pytest.mark.parametrize(
    "category_ids, keywords, field, message",
    [
        ([1], [LONG_KEYWORD, "", ""], "keywords", "키워드는 20자 이하로 입력해 주세요."),
        ([1], ["바다", "캠핑", " 바다 "], "keywords", "같은 키워드를 두 번 입력했어요."),
        ([1], ["ETF", "etf", ""], "keywords", "같은 키워드를 두 번 입력했어요."),
        ([99], ["", "", ""], "categories", "없는 관심 분야예요: 99"),
        ([0], ["", "", ""], "categories", "없는 관심 분야예요: 0"),
        (["abc"], ["", "", ""], "categories", "관심 분야를 목록에서 골라 주세요."),
        (list(range(1, 20)), ["", "", ""], "categories", "관심 분야는 최대 13개까지 고를 수 있어요."),
        ([1], ["하나", "둘"], "keywords", "키워드는 3칸을 모두 보내 주세요."),
        ([1], ["하나", "둘", "셋", "넷"], "keywords", "키워드는 3칸을 모두 보내 주세요."),
        ([1], "바다", "keywords", "키워드는 목록으로 보내 주세요."),
        ([1], ["바다", 7, ""], "keywords", "키워드는 글자로 입력해 주세요."),
    ],
)
def test_rules_reject_bad_input(category_ids, keywords, field, message):
    with pytest.raises(InterestsError) as caught:
        clean_interests(category_ids=category_ids, keywords=keywords)
    assert any(text.startswith(message) for text in caught.value.message_dict()[field])


def test_rules_name_the_slot_of_a_bad_keyword():
    with pytest.raises(InterestsError) as caught:
        clean_interests(category_ids=[], keywords=["바다", LONG_KEYWORD, "바다"])
    assert caught.value.keyword_slots == {1: ["키워드는 20자 이하로 입력해 주세요."], 2: ["같은 키워드를 두 번 입력했어요."]}


# --- service and selector ---


def test_service_saves_categories_and_keywords(member):
    set_member_interests(member=member, category_ids=[5, 3, 5], keywords=[" 바다", "캠핑 ", ""])
    member.refresh_from_db()
    assert favourites(member) == {3: True, 5: True}
    assert member.keywords == ["바다", "캠핑", ""]
    assert member_interests(member=member) == {"categories": [3, 5], "keywords": ["바다", "캠핑", ""]}


def test_unselecting_soft_deletes_and_reselecting_reenables_the_same_row(with_interests):
    member = with_interests
    row_id = MemberFavoriteCategory.objects.get(member=member, category_id=5).pk

    set_member_interests(member=member, category_ids=[3], keywords=["", "", ""])
    assert favourites(member) == {3: True, 5: False}
    assert member_interests(member=member)["categories"] == [3]

    set_member_interests(member=member, category_ids=[5, 9], keywords=["", "", ""])
    assert favourites(member) == {3: False, 5: True, 9: True}
    assert MemberFavoriteCategory.objects.get(member=member, category_id=5).pk == row_id
    assert MemberFavoriteCategory.objects.filter(member=member).count() == 3


def test_service_refuses_bad_input_and_changes_nothing(with_interests):
    member = with_interests
    before = snapshot(member)
    with pytest.raises(InterestsError):
        set_member_interests(member=member, category_ids=[1, 99], keywords=["새 키워드", "", ""])
    assert snapshot(member) == before


def test_interests_of_one_member_do_not_touch_another(make_member):
    first, second = make_member(), make_member()
    set_member_interests(member=first, category_ids=[1], keywords=["하나", "", ""])
    set_member_interests(member=second, category_ids=[2], keywords=["", "", ""])
    assert member_interests(member=first) == {"categories": [1], "keywords": ["하나", "", ""]}


# --- page ---


def test_page_needs_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}"
    assert client.post(PAGE, {"keyword_1": "바다"}).status_code == 302


def test_page_shows_korean_form_with_current_interests(logged_in, with_interests):
    response = logged_in.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("관심사 설정", "관심 분야", "관심 키워드", "저장하기", "여행·동행", "운동·액티비티", "기타"):
        assert text in body
    assert body.count('type="checkbox" name="categories"') == 13
    assert body.count('class="chip-check"') == 13
    assert 'value="5" id="id_categories_4" checked' in body and 'value="3" id="id_categories_2" checked' in body
    assert 'value="1" id="id_categories_0" checked' not in body
    assert 'name="keyword_1" value="바다"' in body and 'name="keyword_2" value="캠핑"' in body


def test_header_links_to_the_page_for_members_only(client, member):
    assert "관심사 설정" not in client.get("/").content.decode()
    client.force_login(member)
    body = client.get("/").content.decode()
    assert f'href="{PAGE}"' in body and "관심사 설정" in body


def test_page_saves_and_redirects_with_message(logged_in, member):
    response = logged_in.post(
        PAGE, {"categories": ["2", "11"], "keyword_1": " 전시 ", "keyword_2": "", "keyword_3": "주식"}
    )
    assert response.status_code == 302 and response["Location"] == PAGE
    assert snapshot(member) == ({2: True, 11: True}, ["전시", "", "주식"])
    page = logged_in.get(PAGE).content.decode()
    assert "관심사를 저장했어요." in page


def test_page_clears_everything_when_nothing_is_chosen(logged_in, with_interests):
    logged_in.post(PAGE, {"keyword_1": "", "keyword_2": "", "keyword_3": ""})
    assert snapshot(with_interests) == ({3: False, 5: False}, ["", "", ""])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"categories": ["1"], "keyword_1": LONG_KEYWORD}, "키워드는 20자 이하로 입력해 주세요."),
        ({"categories": ["1"], "keyword_1": "전시", "keyword_3": "전시"}, "같은 키워드를 두 번 입력했어요."),
        ({"categories": ["1", "99"], "keyword_1": "전시"}, "없는 관심 분야예요: 99"),
        ({"categories": ["x"], "keyword_1": "전시"}, "관심 분야를 목록에서 골라 주세요."),
    ],
)
def test_page_shows_field_message_and_saves_nothing(logged_in, with_interests, data, message):
    before = snapshot(with_interests)
    response = logged_in.post(PAGE, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="field-error">{message}</p>' in body
    assert "관심사를 저장했어요." not in body
    assert snapshot(with_interests) == before


def test_page_keeps_what_was_typed_after_an_error(logged_in, with_interests):
    body = logged_in.post(PAGE, {"categories": ["7"], "keyword_1": "전시", "keyword_2": LONG_KEYWORD}).content.decode()
    assert 'name="keyword_1" value="전시"' in body
    assert 'value="7" id="id_categories_6" checked' in body


def test_page_needs_csrf_token(member):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    response = strict.post(PAGE, {"categories": ["1"], "keyword_1": "전시"})
    assert response.status_code == 403
    assert snapshot(member) == ({}, ["", "", ""])


# --- API ---


def test_api_get_returns_interests(api, with_interests):
    response = api.get(API)
    assert response.status_code == 200
    assert response.json() == {"categories": [3, 5], "keywords": ["바다", "캠핑", ""]}


def test_api_get_for_a_new_member_is_empty(api):
    assert api.get(API).json() == {"categories": [], "keywords": ["", "", ""]}


def test_api_put_saves_and_returns_clean_values(api, member):
    response = api.put(API, {"categories": [9, 11, 9], "keywords": [" 주식 ", "ETF", ""]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"categories": [9, 11], "keywords": ["주식", "ETF", ""]}
    assert snapshot(member) == ({9: True, 11: True}, ["주식", "ETF", ""])


def test_api_put_reenables_a_soft_deleted_favourite(api, with_interests):
    api.put(API, {"categories": [3], "keywords": ["", "", ""]}, format="json")
    assert favourites(with_interests) == {3: True, 5: False}
    response = api.put(API, {"categories": [3, 5], "keywords": ["", "", ""]}, format="json")
    assert response.json()["categories"] == [3, 5]
    assert favourites(with_interests) == {3: True, 5: True}


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"categories": [1], "keywords": [LONG_KEYWORD, "", ""]}, "keywords", "키워드는 20자 이하로 입력해 주세요."),
        ({"categories": [1], "keywords": ["바다", "바다", ""]}, "keywords", "같은 키워드를 두 번 입력했어요."),
        ({"categories": [1, 99], "keywords": ["", "", ""]}, "categories", "없는 관심 분야예요: 99"),
        ({"categories": [1], "keywords": ["바다", "산"]}, "keywords", "키워드는 3칸을 모두 보내 주세요."),
        ({"categories": [1], "keywords": ["바다", "산", "강", "들"]}, "keywords", "키워드는 3칸을 모두 보내 주세요."),
        ({"categories": ["abc"], "keywords": ["", "", ""]}, "categories", None),
        ({"keywords": ["", "", ""]}, "categories", None),
        ({"categories": [1]}, "keywords", None),
        ({"categories": 1, "keywords": ["", "", ""]}, "categories", None),
    ],
)
def test_api_put_rejects_bad_input_with_field_messages(api, with_interests, payload, field, message):
    before = snapshot(with_interests)
    response = api.put(API, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "입력값을 확인해 주세요."
    assert field in body["errors"]
    if message:
        assert any(str(text).startswith(message) for text in body["errors"][field])
    assert snapshot(with_interests) == before


def test_api_put_rejects_non_json_body(api, with_interests):
    before = snapshot(with_interests)
    response = api.put(API, "not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()
    assert snapshot(with_interests) == before


@pytest.mark.parametrize("method", ["get", "put"])
def test_api_refuses_logged_out_visitors(method):
    response = getattr(APIClient(), method)(API, {"categories": [1], "keywords": ["", "", ""]}, format="json")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_api_put_enforces_csrf_for_session_login(member):
    strict = APIClient(enforce_csrf_checks=True)
    assert strict.login(email=member.email, password=TEST_PASSWORD)
    payload = {"categories": [2], "keywords": ["전시", "", ""]}

    response = strict.put(API, payload, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert snapshot(member) == ({}, ["", "", ""])

    # With the token from the cookie (as the browser's fetch sends it) the save goes through.
    strict.get(PAGE)
    token = strict.cookies["csrftoken"].value
    response = strict.put(API, payload, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert snapshot(member) == ({2: True}, ["전시", "", ""])


def test_api_is_in_the_schema(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"]["/api/me/interests/"]
    assert set(operations) >= {"get", "put"}
