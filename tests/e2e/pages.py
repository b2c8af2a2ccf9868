"""Small page helpers the browser tests share (the AI tab's cards, tabs, clicks, arriving at a page)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from selenium.webdriver.common.by import By

if TYPE_CHECKING:
    from tests.e2e.conftest import Browser


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
