"""Failed logins are throttled per account and per client address (issue 14, item 1).
The clock is moved with time-machine, never slept."""
import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from member.models import Member
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def attempt(client, email, password, path=LOGIN, address="203.0.113.7"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_ten_failures_lock_the_account_with_a_429_and_korean_cool_down(member, clock, caplog):
    client = Client()
    statuses = [attempt(client, "member@example.com", f"wrong-{i}").status_code for i in range(10)]
    assert statuses[:9] == [200] * 9  # the form again, with its message
    assert statuses[9] == 429
    caplog.set_level(logging.WARNING)
    response = attempt(client, "member@example.com", TEST_PASSWORD)  # the right password, too late
    assert response.status_code == 429
    body = response.content.decode()
    assert "로그인 시도가 너무 많아요" in body and "15분 뒤에 다시 시도해 주세요" in body
    assert int(response["Retry-After"]) == 15 * 60
    assert not logged_in(client)
    assert any("locked out" in record.getMessage() for record in caplog.records)

    clock.shift(timedelta(minutes=14))
    assert attempt(client, "member@example.com", TEST_PASSWORD).status_code == 429
    clock.shift(timedelta(minutes=16))
    assert attempt(client, "member@example.com", TEST_PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_account_is_locked_from_any_address(member, clock):
    for i in range(10):
        attempt(Client(), "member@example.com", f"wrong-{i}", address=f"198.51.100.{i}")
    response = attempt(Client(), "MEMBER@example.com", TEST_PASSWORD, address="192.0.2.1")
    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_locked(make_member, clock):
    victims = [make_member(email=f"victim{i}@example.com") for i in range(10)]
    client = Client()
    for victim in victims:
        attempt(client, victim.email, "wrong-password")
    other = make_member(email="other@example.com")
    assert attempt(client, other.email, TEST_PASSWORD).status_code == 429
    # Another address is not affected.
    assert attempt(Client(), other.email, TEST_PASSWORD, address="192.0.2.99").status_code == 302


def test_failures_older_than_the_window_do_not_count(member, clock):
    client = Client()
    for i in range(9):
        attempt(client, "member@example.com", f"wrong-{i}")
    clock.shift(timedelta(minutes=16))
    for i in range(9):
        assert attempt(client, "member@example.com", f"again-{i}").status_code == 200
    assert attempt(client, "member@example.com", TEST_PASSWORD).status_code == 302


def test_a_successful_login_resets_the_accounts_count(member, clock):
    client = Client()
    for i in range(9):
        attempt(client, "member@example.com", f"wrong-{i}")
    assert attempt(client, "member@example.com", TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for i in range(9):
        assert attempt(client, "member@example.com", f"wrong-again-{i}").status_code == 200


def test_logging_into_ones_own_account_does_not_clear_failures_against_others(make_member, clock):
    victim = make_member(email="victim@example.com")
    make_member(email="attacker@example.com")
    client = Client()
    for i in range(9):
        attempt(client, victim.email, f"guess-{i}", address=f"198.51.100.{i}")
    assert attempt(client, "attacker@example.com", TEST_PASSWORD, address="198.51.100.200").status_code == 302
    client.post("/accounts/logout/")
    assert attempt(client, victim.email, "guess-9", address="198.51.100.201").status_code == 429


def test_the_admin_login_is_throttled_too(make_member, clock):
    operator = Member.objects.create_superuser("boss@example.com", TEST_PASSWORD)
    client = Client()
    for i in range(10):
        attempt(client, operator.email, f"wrong-{i}", path=ADMIN_LOGIN)
    assert attempt(client, operator.email, TEST_PASSWORD, path=ADMIN_LOGIN).status_code == 429


def test_an_operator_unlocks_an_account_from_the_admin(member, clock):
    for i in range(10):
        attempt(Client(), "member@example.com", f"wrong-{i}")
    assert attempt(Client(), "member@example.com", TEST_PASSWORD, address="192.0.2.5").status_code == 429

    operator = Member.objects.create_superuser("boss@example.com", TEST_PASSWORD)
    admin = Client()
    admin.force_login(operator)
    response = admin.post(
        "/admin/member/member/", {"action": "unlock_login", "_selected_action": [member.pk]}, follow=True
    )
    assert "로그인 잠금을 풀었어요" in response.content.decode()
    assert attempt(Client(), "member@example.com", TEST_PASSWORD, address="192.0.2.5").status_code == 302


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(member, clock, settings):
    # A guesser rotating X-Forwarded-For is still one address...
    client = Client()
    for i in range(10):
        client.post(LOGIN, {"username": f"nobody{i}@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert attempt(client, "member@example.com", TEST_PASSWORD, address="127.0.0.1").status_code == 429
    # ...while behind a trusted proxy the address it appended is the client's.
    settings.TRUST_PROXY_HEADERS = True
    response = client.post(LOGIN, {"username": "member@example.com", "password": TEST_PASSWORD},
                           HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.77")
    assert response.status_code == 302
