"""The main flows in a real browser, on the live server with the shipped demo data.

1. logged out: the AI 추천 활동 tab (season keywords), the 인기 and 최신 tabs;
2. signup through the form, mypage interests (a good save, then a keyword too long);
3. the AI tab follows the member's interests;
4. hearts on three 여행·동행 activities (fill, count, survive a reload, empty again);
5. the AI tab learns from those visits and likes (the API's probability for 여행·동행 rises);
6. the detail page's 4 similar activities all lead to real activity pages;
7. on every page: no console error and no 5xx response (``Browser.check_page``).

Each step saves a screenshot to SCREENSHOT_DIR (``make screenshots`` writes docs/screenshots).
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from activity import selectors as activity_selectors
from activity.models import ActivityLike
from member.models import Member
from member.selectors import member_interests
from member.services import signup_member
from recommender.models import LearningEvent
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import DESKTOP, MOBILE, Browser
from tests.e2e.pages import LIKED, NOT_LIKED, ai_tab_cards, click, log_in, switch_tab, wait_for_path

# The demo data, its live server and database access come from tests/e2e/demo/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

RECOMMENDATIONS_API = "/api/recommendations/activities/"
SEASON_KEYWORDS = "여행 바다 산 여름 시원한"
FINANCE = "재테크"
FINANCE_ID = 9
STUDY_ID = 11
TRAVEL = "여행·동행"
TRAVEL_ID = 5
FINANCE_KEYWORDS = ("주식", "적금", "ETF")
TOO_LONG_KEYWORD = "공모주 청약 같이 공부할 사람 구해요!"  # 21 characters, one too many
KEYWORD_TOO_LONG_MESSAGE = "키워드는 20자 이하로 입력해 주세요."


# --- small page helpers -----------------------------------------------------------


def badges(cards) -> list[str]:
    return [card.find_element(By.CSS_SELECTOR, ".badge").text for card in cards]


def titles(cards) -> list[str]:
    return [card.find_element(By.CSS_SELECTOR, ".card-title").text for card in cards]


def heart(browser: Browser):
    return browser.find(".detail-likes .like-button")


def heart_state(browser: Browser) -> tuple[str, str, int]:
    button = heart(browser)
    return (
        button.get_attribute("aria-pressed"),
        button.find_element(By.CSS_SELECTOR, ".like-icon").text,
        int(button.find_element(By.CSS_SELECTOR, ".like-count").text),
    )


def category_probability(recommendation: dict, name: str) -> float | None:
    return next((c["probability"] for c in recommendation["categories"] if c["name"] == name), None)


# --- the steps --------------------------------------------------------------------


def step_main_page_logged_out(browser: Browser) -> None:
    """1. The AI tab shows 8 cards chosen with the season keywords; 인기 and 최신 switch and show theirs."""
    assert browser.open("/").status == 200
    cards = ai_tab_cards(browser)
    assert len(cards) == 8, browser.find("#tab-ai").text
    basis = browser.find("#tab-ai .ai-basis").text
    assert SEASON_KEYWORDS in basis and "시즌 키워드" in basis, basis
    # The season query ranks 여행·동행 first: its 6 newest open activities lead the tab.
    assert badges(cards)[:6] == [TRAVEL] * 6, badges(cards)
    assert all(card.find_element(By.CSS_SELECTOR, ".card-title").text for card in cards)
    # Logged out, a heart is a way to the login page.
    assert all("/accounts/login/?next=/" in card.find_element(By.CSS_SELECTOR, ".like-login").get_attribute("href")
               for card in cards)
    browser.screenshot("main-logged-out", full_page=True)

    popular = switch_tab(browser, "인기 활동", "tab-popular")
    assert len(popular) == 8
    participants = [int("".join(filter(str.isdigit, c.find_element(By.CSS_SELECTOR, ".stat-members").text)))
                    for c in popular]
    assert participants == sorted(participants, reverse=True), participants
    assert participants[0] > 0

    newest = switch_tab(browser, "최신 활동", "tab-newest")
    assert titles(newest) == [activity.title for activity in activity_selectors.newest_activities()]

    switch_tab(browser, "AI 추천 활동", "tab-ai")
    assert len(browser.find_all("#tab-ai .card")) == 8
    browser.check_page("main page, logged out")


def step_signup(browser: Browser, *, email: str, nickname: str) -> Member:
    """2a. Signup through the form lands on the main page, logged in."""
    click(browser, browser.find("header a[href='/accounts/signup/']"))
    wait_for_path(browser, "/accounts/signup/")
    browser.find("#id_email").send_keys(email)
    browser.find("#id_nickname").send_keys(nickname)
    browser.find("#id_password1").send_keys(TEST_PASSWORD)
    browser.find("#id_password2").send_keys(TEST_PASSWORD)
    click(browser, browser.find("#id_privacy_agree"))
    click(browser, browser.find("main form button[type=submit]"))
    wait_for_path(browser, "/")
    assert browser.find(".nav-greeting").text == f"{nickname}님"
    ai_tab_cards(browser)
    browser.check_page("signup")
    return Member.objects.get(email=email)


def fill_keywords(browser: Browser, keywords) -> None:
    for slot, keyword in enumerate(keywords, start=1):
        field = browser.find(f"#id_keyword_{slot}")
        field.clear()
        field.send_keys(keyword)


def category_chip(browser: Browser, category_id: int):
    checkbox = browser.find(f"input[name=categories][value='{category_id}']")
    chip = checkbox.find_element(By.XPATH, "./ancestor::label[1]/span")
    return checkbox, chip


def step_interests(browser: Browser, member: Member) -> None:
    """2b. Mypage interests: 재테크 and three keywords are saved; then a keyword of 21 characters
    gets the field message and saves nothing (neither it nor the category ticked with it)."""
    click(browser, browser.driver.find_element(By.LINK_TEXT, "관심사 설정"))
    wait_for_path(browser, "/mypage/interests/")
    checkbox, chip = category_chip(browser, FINANCE_ID)
    assert not checkbox.is_selected()
    click(browser, chip)
    assert checkbox.is_selected()
    fill_keywords(browser, FINANCE_KEYWORDS)
    click(browser, browser.find("main form button[type=submit]"))
    browser.wait(lambda d: "관심사를 저장했어요." in d.find_element(By.CSS_SELECTOR, ".messages").text, "the saved message")
    browser.document_response()
    saved = {"categories": [FINANCE_ID], "keywords": list(FINANCE_KEYWORDS)}
    member.refresh_from_db()
    assert member_interests(member=member) == saved
    assert category_chip(browser, FINANCE_ID)[0].is_selected()
    assert [browser.find(f"#id_keyword_{slot}").get_attribute("value") for slot in (1, 2, 3)] == list(FINANCE_KEYWORDS)
    browser.screenshot("mypage-interests")
    browser.check_page("mypage interests, saved")

    # A keyword one character too long, together with one more category.
    assert len(TOO_LONG_KEYWORD) == 21
    click(browser, category_chip(browser, STUDY_ID)[1])
    fill_keywords(browser, (FINANCE_KEYWORDS[0], TOO_LONG_KEYWORD, FINANCE_KEYWORDS[2]))
    click(browser, browser.find("main form button[type=submit]"))
    message = browser.visible(".keyword-input.has-error .field-error", "the keyword's field message")
    browser.document_response()
    assert message.text == KEYWORD_TOO_LONG_MESSAGE
    assert [slot.get_attribute("id") for slot in browser.find_all(".keyword-input.has-error input")] == ["id_keyword_2"]
    assert not browser.find_all(".messages .message.success")
    browser.screenshot("mypage-interests-invalid-keyword")
    member.refresh_from_db()
    assert member_interests(member=member) == saved
    browser.check_page("mypage interests, invalid keyword")

    assert browser.open("/mypage/interests/").status == 200
    assert [browser.find(f"#id_keyword_{slot}").get_attribute("value") for slot in (1, 2, 3)] == list(FINANCE_KEYWORDS)
    assert category_chip(browser, FINANCE_ID)[0].is_selected()
    assert not category_chip(browser, STUDY_ID)[0].is_selected()
    assert not browser.find_all(".field-error")
    browser.check_page("mypage interests, reloaded")


def step_ai_tab_follows_interests(browser: Browser) -> dict:
    """3. Back on the main page the AI tab leads with 재테크 and says it follows the member's interests."""
    click(browser, browser.find("header a.brand"))
    wait_for_path(browser, "/")
    cards = ai_tab_cards(browser)
    assert len(cards) == 8
    assert badges(cards)[:6] == [FINANCE] * 6, badges(cards)
    basis = browser.find("#tab-ai .ai-basis").text
    assert "관심 분야와 키워드" in basis, basis
    assert [e.text for e in browser.find_all("#tab-ai .ai-category strong")][0] == FINANCE
    assert browser.find("#tab-ai .ai-basis-link").get_attribute("href").endswith("/mypage/interests/")
    browser.screenshot("main-logged-in", full_page=True)
    recommendation = browser.fetch_json(RECOMMENDATIONS_API)
    assert recommendation["source"] == "member"
    assert recommendation["categories"][0]["name"] == FINANCE
    browser.check_page("main page, logged in")
    return recommendation


def open_travel_activities(browser: Browser, count: int) -> list[str]:
    """From 전체 활동, the 여행·동행 chip: the first `count` activity paths."""
    click(browser, browser.driver.find_element(By.LINK_TEXT, "전체 활동"))
    wait_for_path(browser, "/activities/")
    click(browser, browser.driver.find_element(By.XPATH, f"//nav[contains(@class, 'chips')]/a[normalize-space()='{TRAVEL}']"))
    wait_for_path(browser, f"/activities/?category={TRAVEL_ID}")
    cards = browser.find_all(".card")
    assert badges(cards) == [TRAVEL] * len(cards) and len(cards) >= count
    paths = [card.find_element(By.CSS_SELECTOR, ".card-link").get_attribute("href") for card in cards[:count]]
    browser.check_page("activity list, 여행·동행")
    return [path[len(browser.base_url.rstrip("/")):] for path in paths]


def step_likes(browser: Browser, member: Member) -> list[str]:
    """4. Three 여행·동행 activities: the heart fills and the count rises, a reload keeps it;
    on the last one a second press empties it again (and that stays after a reload too)."""
    paths = open_travel_activities(browser, 3)
    for number, path in enumerate(paths, start=1):
        assert browser.open(path).status == 200
        assert browser.find(".detail-head .badge").text == TRAVEL
        pressed, icon, count = heart_state(browser)
        assert (pressed, icon) == ("false", NOT_LIKED)
        click(browser, heart(browser))
        browser.wait(lambda d: heart_state(browser) == ("true", LIKED, count + 1), "the heart to fill")
        activity_id = int(heart(browser).get_attribute("data-activity-id"))
        assert ActivityLike.objects.filter(member=member, activity_id=activity_id, status=True).exists()
        if number == 1:
            browser.screenshot("activity-liked")
        browser.check_page(f"activity {path}, liked")

        assert browser.reload().status == 200
        assert heart_state(browser) == ("true", LIKED, count + 1)
        browser.check_page(f"activity {path}, reloaded after the like")

        if number == len(paths):
            click(browser, heart(browser))
            browser.wait(lambda d: heart_state(browser) == ("false", NOT_LIKED, count), "the heart to empty")
            assert browser.reload().status == 200
            assert heart_state(browser) == ("false", NOT_LIKED, count)
            assert not ActivityLike.objects.filter(member=member, activity_id=activity_id, status=True).exists()
            browser.check_page(f"activity {path}, unliked")
    return paths


def step_ai_tab_learns(browser: Browser, member: Member, before: dict) -> None:
    """5. After three visits and the likes, the API's probability for 여행·동행 has risen and
    the AI tab shows 여행·동행 among its categories and cards."""
    assert LearningEvent.objects.filter(member=member).exists()
    click(browser, browser.find("header a.brand"))
    wait_for_path(browser, "/")
    cards = ai_tab_cards(browser)
    after = browser.fetch_json(RECOMMENDATIONS_API)
    travel_after = category_probability(after, TRAVEL)
    assert travel_after is not None, f"{TRAVEL} is not among the top categories after the likes: {after['categories']}"
    travel_before = category_probability(before, TRAVEL)
    if travel_before is None:  # not in the top two before: below the second one's probability
        travel_before = min(c["probability"] for c in before["categories"])
    assert travel_after > travel_before, (before["categories"], after["categories"])
    assert TRAVEL in [e.text for e in browser.find_all("#tab-ai .ai-category strong")]
    assert TRAVEL in badges(cards)
    browser.screenshot("main-after-likes", full_page=True)
    browser.check_page("main page, after the likes")


def step_similar_activities(browser: Browser, path: str) -> None:
    """6. The detail page shows 4 similar activities; each link opens that activity's page."""
    assert browser.open(path).status == 200
    cards = browser.find_all(".similar .card")
    assert len(cards) == 4, browser.find(".similar").text
    links = [(card.find_element(By.CSS_SELECTOR, ".card-title").text,
              card.find_element(By.CSS_SELECTOR, ".card-link").get_attribute("href")) for card in cards]
    browser.screenshot("activity-detail", full_page=True)
    browser.check_page(f"activity {path}")
    for title, href in links:
        assert href.startswith(browser.base_url) and href != browser.url(path)
        response = browser.open(href[len(browser.base_url.rstrip("/")):])
        assert response.status == 200, f"{href}: {response.status}"
        assert browser.find(".detail-title").text == title
        browser.check_page(f"similar activity {href}")


# --- the tests ----------------------------------------------------------------------


def test_visitor_signs_up_sets_interests_likes_and_follows_similar_activities(demo_data, open_browser):
    assert demo_data.activities > 1000 and demo_data.similar_pairs > 0
    browser = open_browser(DESKTOP)

    step_main_page_logged_out(browser)
    member = step_signup(browser, email="e2e-member@example.com", nickname="이투이")
    step_interests(browser, member)
    before = step_ai_tab_follows_interests(browser)
    liked_paths = step_likes(browser, member)
    step_ai_tab_learns(browser, member, before)
    step_similar_activities(browser, liked_paths[0])

    # 7. Each step above ended with check_page: no console error, no 5xx, on every page it saw.
    browser.check_page("the last page")
    documents = [r for r in browser.responses if r.kind == "Document"]
    assert len(documents) >= 15 and all(r.status == 200 for r in documents), [(r.status, r.url) for r in documents]


def test_mobile_main_page_and_likes(demo_data, open_browser):
    browser = open_browser(MOBILE, screenshot_prefix="mobile-")

    step_main_page_logged_out(browser)
    assert browser.driver.execute_script("return window.innerWidth") == MOBILE[0]
    member = signup_member(email="e2e-mobile@example.com", password=TEST_PASSWORD, nickname="모바일", privacy_agree=True)
    log_in(browser, email=member.email, nickname=member.nickname)
    step_likes(browser, member)
    # Nothing on the pages is wider than the phone.
    assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= MOBILE[0]
    browser.check_page("the last page")
