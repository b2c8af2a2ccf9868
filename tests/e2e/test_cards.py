"""One card, two ways onto the page: the 최신 tab's cards are rendered by the server from
templates/activity/_card.html; the AI tab's are clones of the same template that
static/js/recommendations.js fills from the recommendations API. For the same activity both
must be the same markup, character for character (only the ?rec= click id differs: each list
has its own), before and after a like pressed on a script-filled card."""
from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from activity.models import ActivityLike
from tests.e2e.conftest import DESKTOP, Browser
from tests.e2e.pages import LIKED, NOT_LIKED, ai_tab_cards, click, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REC = re.compile(r"\?rec=([0-9a-f]{32})")


def cards_by_id(browser: Browser, grid_selector: str) -> tuple[str, dict[int, str]]:
    """A list's recommendation id and its cards' outer HTML by activity id (hidden panels too)."""
    grid = browser.find(grid_selector)
    cards = browser.find_all(".card", root=grid)
    by_id = {int(card.get_attribute("data-activity-id")): card.get_attribute("outerHTML") for card in cards}
    assert len(by_id) == len(cards), "an activity is twice in one list"
    return grid.get_attribute("data-recommendation-id"), by_id


def without_rec(card: str, recommendation_id: str) -> str:
    """The card with its click id checked (it is the list's) and taken out."""
    found = REC.findall(card)
    assert found == [recommendation_id], (found, recommendation_id, card)
    return REC.sub("?rec=…", card)


def assert_same_cards(browser: Browser, expected_ids: set[int]) -> dict[int, str]:
    """Every AI-tab card equals the 최신 tab's card of that activity; returns the AI tab's."""
    ai_tab_cards(browser)
    ai_rec, ai = cards_by_id(browser, "#tab-ai .card-grid")
    newest_rec, newest = cards_by_id(browser, "#tab-newest .card-grid")
    assert set(ai) == set(newest) == expected_ids
    assert ai_rec and newest_rec and ai_rec != newest_rec
    for activity_id, card in ai.items():
        assert without_rec(card, ai_rec) == without_rec(newest[activity_id], newest_rec), activity_id
    return ai


def heart_of(browser: Browser, panel: str, activity_id: int):
    return browser.find(f"#{panel} .card[data-activity-id='{activity_id}'] .like-button")


def heart_state(button) -> tuple[str, str, str]:
    return (button.get_attribute("aria-pressed"), button.find_element(By.CSS_SELECTOR, ".like-icon").get_attribute("textContent"),
            button.find_element(By.CSS_SELECTOR, ".like-count").get_attribute("textContent"))


def test_a_script_filled_card_is_the_server_card_and_its_heart_works(live_server, open_browser, settings,
                                                                       make_activity, make_member, add_like, add_participant):
    # Thumbnails are read from the static files here (the test server serves no media).
    settings.MEDIA_URL = "/static/"
    pictured = make_activity(title="사진이 있는 도자기 클래스", category_id=1, thumbnail="img/favicon.svg")
    liked = make_activity(title="함께 걷는 <주말> 등산 & 피크닉", category_id=5)
    plain = make_activity(title="처음 만나는 재테크 스터디", category_id=9)
    member = make_member(nickname="카드")
    add_like(member, liked)
    add_like(make_member(), liked)
    add_participant(make_member(), plain)
    ids = {pictured.id, liked.id, plain.id}
    browser = open_browser(DESKTOP)

    # Logged out: hearts are links to the login page, in both lists alike.
    assert browser.open("/").status == 200
    cards = assert_same_cards(browser, ids)
    assert 'class="like-button like-login" href="/accounts/login/?next=/"' in cards[liked.id]
    assert 'src="/static/img/favicon.svg"' in cards[pictured.id] and "card-thumb-empty" not in cards[pictured.id]
    assert 'card-thumb card-thumb-empty cat-9"' in cards[plain.id] and "<img" not in cards[plain.id]
    assert "함께 걷는 &lt;주말&gt; 등산 &amp; 피크닉" in cards[liked.id]  # text, not markup
    assert '참가 <span data-field="member_count">1</span>명' in cards[plain.id]
    browser.check_page("main page, logged out")

    # Logged in: the member's like shows as a filled heart in both lists.
    log_in(browser, email=member.email, nickname=member.nickname)
    assert browser.path() == "/"
    cards = assert_same_cards(browser, ids)
    assert heart_state(heart_of(browser, "tab-ai", liked.id)) == ("true", LIKED, "2")
    assert heart_state(heart_of(browser, "tab-ai", plain.id)) == ("false", NOT_LIKED, "0")
    assert f'href="/activities/{plain.id}/?rec=' in cards[plain.id]

    # A like pressed on a script-filled card is saved, and every heart of that activity shows it.
    click(browser, heart_of(browser, "tab-ai", plain.id))
    browser.wait(lambda driver: heart_state(heart_of(browser, "tab-ai", plain.id)) == ("true", LIKED, "1"), "the heart to fill")
    assert heart_state(heart_of(browser, "tab-newest", plain.id)) == ("true", LIKED, "1")
    assert ActivityLike.objects.filter(member=member, activity=plain, status=True).exists()
    assert_same_cards(browser, ids)
    browser.check_page("main page, liked from the AI tab")

    # After a reload both lists are drawn again from the saved like.
    assert browser.reload().status == 200
    assert_same_cards(browser, ids)
    assert heart_state(heart_of(browser, "tab-ai", plain.id)) == ("true", LIKED, "1")
