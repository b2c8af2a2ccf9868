import pytest
from django.contrib.auth import get_user_model

from tests.conftest import TEST_PASSWORD
from tests.helpers import signup_data

Member = get_user_model()


@pytest.mark.django_db
def test_signup_page_shows_korean_form(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    body = response.content.decode()
    for label in ("회원가입", "이메일", "닉네임", "비밀번호 확인", "개인정보 수집"):
        assert label in body


@pytest.mark.django_db
def test_signup_creates_member_and_logs_in(client):
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302
    member = Member.objects.get(email="new@example.com")
    assert member.nickname == "새싹" and member.privacy_agree is True
    assert member.check_password(TEST_PASSWORD)
    assert "새싹님" in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"password2": "different-Pass-99"}, "비밀번호가 서로 달라요."),
        ({"password1": "1234", "password2": "1234"}, "비밀번호"),
        ({"privacy_agree": ""}, "개인정보 수집 및 이용에 동의해야"),
        ({"email": "not-an-email"}, "이메일"),
    ],
)
def test_signup_rejects_bad_input_and_creates_nothing(client, overrides, field_message):
    data = signup_data(**overrides)
    if not data["privacy_agree"]:
        del data["privacy_agree"]
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_duplicate_email(client, member):
    response = client.post("/accounts/signup/", signup_data(email="MEMBER@example.com"))
    assert "이미 가입된 이메일" in response.content.decode()
    assert Member.objects.count() == 1


@pytest.mark.django_db
def test_signup_needs_csrf_token(member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/signup/", signup_data(email="x@example.com"))
    assert response.status_code == 403
    assert not Member.objects.filter(email="x@example.com").exists()


@pytest.mark.django_db
def test_login_with_email_and_logout_by_post(client, member):
    response = client.post("/accounts/login/", {"username": "member@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "틴플님" in client.get("/").content.decode()

    assert client.get("/accounts/logout/").status_code == 405  # logout is POST only
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "틴플님" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_with_wrong_password_shows_korean_message(client, member):
    response = client.post("/accounts/login/", {"username": "member@example.com", "password": "wrong-pass"})
    assert response.status_code == 200
    assert "이메일 또는 비밀번호가 올바르지 않아요." in response.content.decode()
