"""One form of an email everywhere: signup, login, the admin's forms and its login (issue 14, item 2).
There is no password reset in the product, so there is nothing to normalize there."""
import pytest
from django.test import Client

from member.models import Member
from tests.conftest import TEST_PASSWORD
from tests.helpers import signup_data

pytestmark = pytest.mark.django_db

TYPED = "Kim.Mixed@Example.com"


def test_signing_up_with_capitals_then_logging_in_with_what_was_typed(client):
    assert client.post("/accounts/signup/", signup_data(email=TYPED)).status_code == 302
    assert Member.objects.get().email == "kim.mixed@example.com"
    client.post("/accounts/logout/")
    for typed in (TYPED, "kim.mixed@example.com", "  KIM.MIXED@EXAMPLE.COM "):
        fresh = Client()
        response = fresh.post("/accounts/login/", {"username": typed, "password": TEST_PASSWORD})
        assert response.status_code == 302, typed
        assert "_auth_user_id" in fresh.session


def test_signup_refuses_another_casing_of_a_taken_email(client, make_member):
    make_member(email=TYPED)
    response = client.post("/accounts/signup/", signup_data(email="KIM.mixed@example.COM"))
    assert response.status_code == 200
    assert Member.objects.filter(email__iexact=TYPED).count() == 1


def test_the_admin_login_takes_any_casing():
    Member.objects.create_superuser(TYPED, TEST_PASSWORD)
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "KIM.MIXED@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"


NO_INLINES = {"favorite_category_links-TOTAL_FORMS": "0", "favorite_category_links-INITIAL_FORMS": "0"}


@pytest.fixture
def operator_client():
    operator = Member.objects.create_superuser("boss@example.com", TEST_PASSWORD)
    client = Client()
    client.force_login(operator)
    return client


def test_an_operator_adding_a_member_stores_the_email_lower_cased(operator_client):
    response = operator_client.post("/admin/member/member/add/", {
        "email": TYPED, "nickname": "혼합", "usable_password": "true",
        "password1": TEST_PASSWORD, "password2": TEST_PASSWORD, **NO_INLINES,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Member.objects.filter(email="kim.mixed@example.com").exists()
    assert Client().post("/accounts/login/", {"username": TYPED, "password": TEST_PASSWORD}).status_code == 302


def test_the_admin_refuses_another_casing_of_a_taken_email(operator_client, make_member):
    make_member(email="taken@example.com")
    response = operator_client.post("/admin/member/member/add/", {
        "email": "Taken@Example.com", "nickname": "중복", "usable_password": "true",
        "password1": TEST_PASSWORD, "password2": TEST_PASSWORD, **NO_INLINES,
    })
    assert response.status_code == 200
    assert Member.objects.filter(email__iexact="taken@example.com").count() == 1


def test_an_operator_editing_an_email_keeps_it_lower_cased(operator_client, member):
    url = f"/admin/member/member/{member.pk}/change/"
    form = operator_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, (list, tuple))}
    data.update({"email": "Renamed@Example.com", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
                 "favorite_category_links-TOTAL_FORMS": "0", "favorite_category_links-INITIAL_FORMS": "0"})
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("region", None)
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.email == "renamed@example.com"
