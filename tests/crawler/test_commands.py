"""End to end: ``manage.py crawl`` and ``python -m crawler`` on a local site copy."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from crawler.formats import ACTIVITIES
from tests.browser import require_browser

PROJECT_DIR = Path(__file__).resolve().parents[2]
FAST_ARGUMENTS = ["--delay", "0", "--render-wait", "1", "--scroll-wait", "0.4", "--page-timeout", "10",
                  "--no-progress"]


def board_titles(path):
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(ACTIVITIES.columns)
    return frame["activity_title"].tolist()


def run_module(*arguments):
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # prove it runs without Django set up
    return subprocess.run([sys.executable, "-m", "crawler", *arguments], cwd=PROJECT_DIR, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_manage_py_crawl_writes_the_csv_and_a_summary(site_server, tmp_path):
    require_browser()
    out = tmp_path / "activities.csv"
    stdout = io.StringIO()

    call_command("crawl", "experience_board", "--out", str(out), "--start-url",
                 site_server.url("experience_board/index.html"), *FAST_ARGUMENTS, stdout=stdout)

    assert len(board_titles(out)) == 11
    assert stdout.getvalue().strip() == (
        f"experience_board: 3 pages, 11 rows written, 1 duplicates dropped, 0 errors -> {out}"
    )


@pytest.mark.browser
def test_python_m_crawler_scrolls_the_club_blog(site_server, tmp_path):
    require_browser()
    out = tmp_path / "clubs.csv"

    result = run_module("clubs", "--out", str(out), "--start-url", site_server.url("clubs/index.html"),
                        *FAST_ARGUMENTS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"clubs: 1 page, 4 scrolls, 22 rows written, 0 duplicates dropped, 0 errors -> {out}"
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["club_title", "category_name"]
    assert len(frame) == 22


def test_manage_py_crawl_stops_at_robots_txt_with_a_clear_message(site_server, tmp_path):
    out = tmp_path / "activities.csv"
    with pytest.raises(CommandError, match=r"robots\.txt .* disallows .*private.*--ignore-robots"):
        call_command("crawl", "experience_board", "--out", str(out), "--start-url",
                     site_server.url("private/index.html"), *FAST_ARGUMENTS)
    assert site_server.requests == ["/robots.txt"]
    assert not out.exists()


def test_python_m_crawler_stops_at_robots_txt_with_exit_status_2(site_server, tmp_path):
    result = run_module("experience_board", "--out", str(tmp_path / "a.csv"), "--start-url",
                        site_server.url("private/index.html"), *FAST_ARGUMENTS)
    assert result.returncode == 2
    assert "robots.txt" in result.stderr and "--ignore-robots" in result.stderr
    assert "Traceback" not in result.stderr
    assert site_server.requests == ["/robots.txt"]


def test_start_url_cannot_apply_to_a_group_of_sites(tmp_path):
    with pytest.raises(CommandError, match="--start-url applies to one site"):
        call_command("crawl", "activities", "--out", str(tmp_path / "a.csv"), "--start-url", "http://127.0.0.1/")


def test_bad_option_values_are_rejected_by_the_parser(tmp_path):
    result = run_module("clubs", "--max-pages", "0")
    assert result.returncode == 2
    assert "--max-pages: must be at least 1" in result.stderr


def test_the_crawling_core_does_not_import_django():
    code = (
        "import sys, crawler.cli, crawler.runner, crawler.driver, crawler.adapters;"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_a_browser_one_message_says_what_to_install(site_server, tmp_path, monkeypatch):
    out = tmp_path / "a.csv"
    monkeypatch.setenv("CHROMEDRIVER", str(tmp_path / "missing-chromedriver"))
    result = run_module("class_market", "--out", str(out), "--start-url",
                        site_server.url("class_market/index.html"), *FAST_ARGUMENTS)
    assert result.returncode == 2
    assert "apt-get install chromium chromium-driver" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
