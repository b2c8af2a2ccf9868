"""The OpenAPI schema says what the API does (item 6), and keywords must be text (item 7)."""
import pytest
from rest_framework.test import APIClient

from member.interests import MESSAGES
from member.selectors import member_interests

pytestmark = pytest.mark.django_db

INTERESTS = "/api/me/interests/"


@pytest.fixture
def schema():
    return APIClient().get("/api/schema/?format=json").json()


def test_unlike_is_documented_as_200_with_its_body(schema, member, make_activity):
    delete = schema["paths"]["/api/activities/{activity_id}/like/"]["delete"]
    assert "204" not in delete["responses"]
    assert delete["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/LikeOutput")
    client = APIClient()
    client.force_login(member)
    response = client.delete(f"/api/activities/{make_activity().id}/like/")
    assert response.status_code == 200 and set(response.json()) == {"liked", "like_count"}


def test_error_answers_are_documented_in_the_one_error_shape(schema):
    paths = schema["paths"]
    like = paths["/api/activities/{activity_id}/like/"]
    assert {"400", "403", "404", "429"} <= set(like["post"]["responses"])
    assert {"403", "404", "429"} <= set(like["delete"]["responses"])
    assert {"400", "403"} <= set(paths[INTERESTS]["put"]["responses"])
    assert "404" in paths["/api/activities/{activity_id}/similar/"]["get"]["responses"]
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}


def test_the_three_keywords_rule_is_in_the_input_schema(schema):
    keywords = schema["components"]["schemas"]["InterestsInput"]["properties"]["keywords"]
    assert keywords["minItems"] == keywords["maxItems"] == 3 and keywords["items"]["type"] == "string"


@pytest.mark.parametrize("keywords", [[1, 2, 3], ["바다", 2, ""], ["바다", True, ""], ["바다", {"a": 1}, ""]])
def test_keywords_that_are_not_text_are_refused_with_the_rules_message(member, keywords):
    client = APIClient()
    client.force_login(member)
    before = member_interests(member=member)
    response = client.put(INTERESTS, {"categories": [1], "keywords": keywords}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["keywords"] == [MESSAGES["keyword_not_text"]]
    assert member_interests(member=member) == before


def test_category_ids_must_be_numbers_in_json(member):
    client = APIClient()
    client.force_login(member)
    response = client.put(INTERESTS, {"categories": ["1"], "keywords": ["", "", ""]}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["categories"] == [MESSAGES["category_invalid"]]
