"""Finding and starting headless Chromium; the browser-test helper's skip/fail rule."""
import os
import stat
import tempfile

import pytest

import crawler.driver as driver_module
from crawler.driver import find_browser_binary, find_chromedriver, start_chrome
from crawler.errors import BrowserUnavailable
from tests.browser import require_browser, start_browser


def fake_executable(directory, name, script="exit 1"):
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    """No CHROME_BIN/CHROMEDRIVER, and a PATH holding only an empty folder."""
    monkeypatch.delenv("CHROME_BIN", raising=False)
    monkeypatch.delenv("CHROMEDRIVER", raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def no_download(browser_binary):
    raise ConnectionError("no internet")


def test_chromedriver_from_the_environment_comes_first(bare_environment, tmp_path, monkeypatch):
    on_path = fake_executable(bare_environment, "chromedriver")
    configured = fake_executable(tmp_path, "my-chromedriver")
    monkeypatch.setenv("CHROMEDRIVER", configured)
    assert find_chromedriver() == configured != on_path


def test_chromedriver_on_path_comes_before_a_download(bare_environment, monkeypatch):
    on_path = fake_executable(bare_environment, "chromedriver")
    monkeypatch.setattr(driver_module, "download_chromedriver", no_download)
    assert find_chromedriver() == on_path


def test_webdriver_manager_is_the_last_resort(bare_environment, monkeypatch):
    downloaded = []
    monkeypatch.setattr(driver_module, "download_chromedriver",
                        lambda browser: downloaded.append(browser) or "/cache/chromedriver")
    assert find_chromedriver("/usr/bin/chromium") == "/cache/chromedriver"
    assert downloaded == ["/usr/bin/chromium"]


def test_no_chromedriver_anywhere_says_what_to_install(bare_environment, monkeypatch):
    monkeypatch.setattr(driver_module, "download_chromedriver", no_download)
    with pytest.raises(BrowserUnavailable, match="no internet.*apt-get install chromium chromium-driver"):
        find_chromedriver()


def test_a_wrong_chromedriver_setting_is_reported_not_skipped(bare_environment, monkeypatch):
    fake_executable(bare_environment, "chromedriver")
    monkeypatch.setenv("CHROMEDRIVER", "/nowhere/chromedriver")
    with pytest.raises(BrowserUnavailable, match="CHROMEDRIVER=/nowhere/chromedriver"):
        find_chromedriver()


def test_browser_binary_from_chrome_bin_then_path(bare_environment, tmp_path, monkeypatch):
    chromium = fake_executable(bare_environment, "chromium")
    assert find_browser_binary() == chromium
    configured = fake_executable(tmp_path, "chrome")
    monkeypatch.setenv("CHROME_BIN", configured)
    assert find_browser_binary() == configured


def test_google_chrome_is_found_too(bare_environment):
    chrome = fake_executable(bare_environment, "google-chrome")
    assert find_browser_binary() == chrome


def test_no_browser_says_what_to_install(bare_environment):
    with pytest.raises(BrowserUnavailable, match="apt-get install chromium chromium-driver"):
        find_browser_binary()


def test_browser_helper_skips_without_a_browser(bare_environment, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        start_browser()
    with pytest.raises(pytest.skip.Exception):
        require_browser()


def test_browser_helper_fails_on_ci_without_a_browser(bare_environment, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required on CI"):
        start_browser()
    with pytest.raises(pytest.fail.Exception):
        require_browser()


@pytest.mark.browser
def test_starts_headless_chromium_with_our_settings_and_cleans_up():
    driver = start_browser(window_size=(1024, 700), user_agent="TestAgent/1.0", page_load_timeout=9)
    profile_dir = driver.profile_dir
    try:
        assert os.path.isdir(profile_dir)
        driver.get("data:text/html,<title>ok</title>")
        assert driver.title == "ok"
        assert driver.execute_script("return navigator.userAgent") == "TestAgent/1.0"
        assert driver.get_window_size() == {"width": 1024, "height": 700}
        assert driver.timeouts.page_load == 9
    finally:
        driver.quit()
    assert not os.path.exists(profile_dir)


def test_launch_flags_suit_a_container():
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"):
        assert flag in driver_module.LAUNCH_FLAGS


def test_start_chrome_reports_a_broken_driver_clearly(bare_environment, tmp_path, monkeypatch):
    monkeypatch.setenv("CHROME_BIN", fake_executable(tmp_path, "chromium"))
    monkeypatch.setenv("CHROMEDRIVER", fake_executable(tmp_path, "chromedriver"))  # fails at once
    profiles = tmp_path / "tmp"
    profiles.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(profiles))
    with pytest.raises(BrowserUnavailable, match="Could not start .*apt-get install chromium"):
        start_chrome()
    assert list(profiles.iterdir()) == []  # the throw-away profile went too
