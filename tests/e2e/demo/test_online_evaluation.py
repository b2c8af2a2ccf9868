"""Online evaluation in a real browser: a visitor sees the AI tab, opens a card, goes back and
opens a 인기 card; the report counts the impressions and both clicks; the operator dashboard
shows its charts. Every page checked here (and in test_main_flows) passes axe-core with 0 violations."""
from __future__ import annotations

import io
import json
import time

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By

from member.models import Member
from recommender.models import Click, Impression
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import DESKTOP, Browser
from tests.e2e.pages import ai_tab_cards, click, switch_tab, wait_for_path

# The demo data, its live server and database access come from tests/e2e/demo/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]


def wait_for_rows(browser: Browser, queryset, count: int, what: str) -> None:
    browser.wait(lambda driver: queryset.count() >= count, what)


def report_rows() -> dict:
    out = io.StringIO()
    call_command("recommendation_report", "--days", "1", "--format", "json", stdout=out)
    return {row["tab"]: row for row in json.loads(out.getvalue())["rows"]}


def open_card(browser: Browser, card) -> str:
    link = card.find_element(By.CSS_SELECTOR, ".card-link")
    href = link.get_attribute("href")
    assert "?rec=" in href, href
    path = href[len(browser.base_url.rstrip("/")):].split("?")[0]
    click(browser, link)
    # The click is counted; card-origin.js takes ?rec= out of the address bar.
    wait_for_path(browser, path)
    return path


def test_visitor_impressions_and_clicks_reach_the_report_and_the_dashboard(demo_data, open_browser):
    # The report counts this visitor's impressions and clicks only: the flows before it in this
    # package browsed the same site.
    Impression.objects.all().delete()
    Click.objects.all().delete()
    browser = open_browser(DESKTOP)

    # The AI tab: 8 cards, their impressions sent in one batch.
    assert browser.open("/").status == 200
    cards = ai_tab_cards(browser)
    assert len(cards) == 8
    wait_for_rows(browser, Impression.objects.filter(tab="ai"), 8, "the AI tab's impressions")
    browser.check_page("main page, AI tab")

    first_path = open_card(browser, cards[0])
    wait_for_rows(browser, Click.objects.filter(tab="ai"), 1, "the AI card's click")
    browser.check_page(f"activity {first_path} from the AI tab")

    # Back to the main page, the 인기 tab, its first card.
    browser.driver.back()  # possibly restored from the back/forward cache: no new document then
    browser.wait(lambda driver: browser.path() == "/", "the browser to go back to the main page")
    ai_tab_cards(browser)
    popular = switch_tab(browser, "인기 활동", "tab-popular")
    wait_for_rows(browser, Impression.objects.filter(tab="popular"), len(popular), "the 인기 tab's impressions")
    browser.check_page("main page, 인기 tab")
    popular_path = open_card(browser, popular[0])
    wait_for_rows(browser, Click.objects.filter(tab="popular"), 1, "the 인기 card's click")
    browser.check_page(f"activity {popular_path} from the 인기 tab")

    rows = report_rows()
    assert rows["ai"]["impressions"] >= 8 and rows["ai"]["clicks"] == 1, rows
    assert rows["ai"]["source"] == "season" and rows["ai"]["arm"] == "personal" and rows["ai"]["model_version"]
    assert rows["popular"]["impressions"] == 8 and rows["popular"]["clicks"] == 1, rows
    assert "newest" not in rows  # its tab was never opened
    assert Impression.objects.filter(member__isnull=False).count() == 0

    # Logged-out pages not visited by the other flows.
    for path in ("/activities/", "/accounts/login/", "/accounts/signup/"):
        assert browser.open(path).status == 200
        browser.check_page(path)
    browser.driver.get(browser.url("/no-such-page/"))
    browser.driver.get_log("browser")  # the 404 itself is logged as a console error; the page is what is checked
    browser.driver.get_log("performance")
    assert not browser.accessibility_violations()

    # The operator: the admin index links the dashboard; its charts load.
    Member.objects.create_superuser("operator@example.com", TEST_PASSWORD)
    assert browser.open("/admin/login/?next=/admin/").status == 200
    browser.find("#id_username").send_keys("operator@example.com")
    browser.find("#id_password").send_keys(TEST_PASSWORD)
    click(browser, browser.find("input[type=submit]"))
    wait_for_path(browser, "/admin/")
    click(browser, browser.driver.find_element(By.LINK_TEXT, "추천 대시보드"))
    wait_for_path(browser, "/admin/recommender/dashboard/")
    images = browser.find_all(".recommender-dashboard img")
    assert len(images) == 4  # three charts and the confusion matrix
    browser.wait(lambda driver: all(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
                                    for image in images), "the dashboard's charts to load")
    body = browser.find("#content-main").text
    assert "추천 성과" in body and "모델 카드" in body and "학습 상태" in body
    assert "AI 추천 활동" in body and "인기 활동" in body
    charts = [response for response in browser.drain_logs() if response.url.endswith(".png")]
    assert all(response.status == 200 for response in charts)
    browser.screenshot("admin-dashboard", full_page=True)
    browser.check_page("admin dashboard")
