"""Small page helpers the browser tests share (the AI tab's cards, tabs, clicks, arriving at a page, logging in)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from selenium.webdriver.common.by import By

from tests.conftest import TEST_PASSWORD

if TYPE_CHECKING:
    from tests.e2e.conftest import Browser


# A card's heart: filled when the member likes the activity.
LIKED, NOT_LIKED = "\u2665", "\u2661"


def click(browser: Browser, element) -> None:
    """Click like a person would, with the element in the middle of the screen (the header is sticky)."""
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", element)
    element.click()


def wait_for_path(browser: Browser, path: str) -> None:
    browser.wait(lambda driver: browser.path() == path, f"the browser to arrive at {path}")
    browser.document_response()


def ai_tab_cards(browser: Browser) -> list:
    """The AI 추천 활동 tab once recommendations.js has filled it."""
    browser.wait(
        lambda driver: driver.find_element(By.CSS_SELECTOR, "[data-recommendations]").get_attribute("aria-busy") == "false",
        "the AI tab to finish loading",
    )
    assert not browser.find_all("#tab-ai .ai-error"), browser.find("#tab-ai").text
    return browser.find_all("#tab-ai .card")


def switch_tab(browser: Browser, name: str, panel_id: str) -> list:
    tab = browser.driver.find_element(By.XPATH, f"//button[@role='tab'][normalize-space()='{name}']")
    click(browser, tab)
    panel = browser.visible(f"#{panel_id}", f"the {name} tab")
    assert tab.get_attribute("aria-selected") == "true"
    others = [p for p in browser.find_all("[role=tabpanel]") if p.get_attribute("id") != panel_id]
    assert all(not other.is_displayed() for other in others), f"another panel is still shown next to {name}"
    return browser.find_all(".card", root=panel)


def log_in(browser: Browser, *, email: str, nickname: str) -> None:
    click(browser, browser.driver.find_element(By.LINK_TEXT, "로그인"))
    wait_for_path(browser, "/accounts/login/")
    browser.find("#id_username").send_keys(email)
    browser.find("#id_password").send_keys(TEST_PASSWORD)
    click(browser, browser.find("main form button[type=submit]"))
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".nav-greeting"), "the member's greeting")
    assert browser.find(".nav-greeting").text == f"{nickname}님"
    browser.check_page("login")
