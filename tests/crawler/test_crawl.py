"""Each adapter crawls its local site copy in real headless Chromium."""
import csv
import dataclasses
import logging

import pandas as pd
import pytest

from crawler.adapters import scroll_until_stable
from crawler.errors import RobotsDisallowed
from crawler.formats import ACTIVITIES, CLUBS
from crawler.runner import crawl
from crawler.sites import SITES
from tests.crawler.conftest import FAST_OPTIONS

pytestmark = pytest.mark.browser

CLUB_NAMES_IN_ORDER = [
    # batch 1
    "책읽는 밤", "주말 등산회", "보드게임 다이스", "한강 러닝크루", "댄스, 힙합 크루",
    # batch 2
    "사진 동호회 찰칵", "우쿨렐레 교실", "홈카페 바리스타", "꽃꽂이 원데이", "영어 회화 스터디",
    # batch 3
    "코딩하는 직장인", "캠핑 크루 별밤", "수채화 그리기 모임", "풋살 FC 수요일", "베이킹 클래스 밀가루",
    "와인 테이스팅 살롱",
    # batch 4
    "재즈 감상회 블루노트", "요가 아침반", "독립영화 보는 모임", "클라이밍 크루 홀드", "플로깅 지구지킴이",
    "기타 동호회 스트링",
]


def options(**changes):
    return dataclasses.replace(FAST_OPTIONS, **changes)


def read_rows(path, raw_format):
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(raw_format.columns)
    return frame.to_dict("records")


def run(site_name, site_server, browser, tmp_path, path, **option_changes):
    out = tmp_path / f"{site_name}.csv"
    summary = crawl(SITES[site_name], out=out, options=options(**option_changes),
                    start_url=site_server.url(path), driver=browser, show_progress=False)
    return summary, out


# --- clubs: the infinitely scrolling blog ------------------------------------------------


def test_scrolling_stops_when_the_page_stops_growing(site_server, browser):
    browser.get(site_server.url("clubs/index.html"))
    scrolls = scroll_until_stable(browser, max_scrolls=50, wait=0.4)
    # three scrolls each brought a new batch; the fourth found nothing more
    assert scrolls == 4
    assert browser.execute_script("return window.loadedBatches") == 4


def test_max_scrolls_bounds_the_scrolling(site_server, browser):
    browser.get(site_server.url("clubs/index.html"))
    assert scroll_until_stable(browser, max_scrolls=1, wait=0.4) == 1
    assert browser.execute_script("return window.loadedBatches") == 2


def test_clubs_are_extracted_cleaned_and_deduplicated(site_server, browser, tmp_path):
    summary, out = run("clubs", site_server, browser, tmp_path, "clubs/index.html")

    assert read_rows(out, CLUBS) == [{"club_title": name, "category_name": ""} for name in CLUB_NAMES_IN_ORDER]
    assert (summary.pages, summary.scrolls, summary.rows, summary.errors) == (1, 4, len(CLUB_NAMES_IN_ORDER), 0)


def test_clubs_with_few_scrolls_get_the_first_batches_only(site_server, browser, tmp_path):
    summary, out = run("clubs", site_server, browser, tmp_path, "clubs/index.html", max_scrolls=1)
    assert [row["club_title"] for row in read_rows(out, CLUBS)] == CLUB_NAMES_IN_ORDER[:10]


# --- activities: paged lists ---------------------------------------------------------------


def test_board_follows_next_links_and_drops_a_row_repeated_across_pages(site_server, browser, tmp_path):
    summary, out = run("experience_board", site_server, browser, tmp_path, "experience_board/index.html")

    rows = read_rows(out, ACTIVITIES)
    titles = [row["activity_title"] for row in rows]
    assert titles == [
        "강남 필라테스 1:1 레슨 체험단 모집", "홍대 보컬 트레이닝 원데이 클래스 체험", "성수동 가죽공방 카드지갑 만들기 체험단",
        "제주 서핑 입문 강습 체험 (2명)", "한남동 와인 클래스 체험단 5명",
        "잠실 클라이밍 체험권 10명 모집", "부산 광안리 요트 투어 체험단", '연남동 향수 공방 "나만의 향" 만들기',
        "대구 도자기 물레 체험 원데이", "일산 승마 체험 (초보 환영)", "인천 베이킹 스튜디오, 마카롱 클래스 체험",
    ]
    assert {row["source"] for row in rows} == {"experience_board"}
    assert {row["category_name"] for row in rows} == {""}  # assigned by hand later
    assert (summary.pages, summary.rows, summary.duplicates, summary.errors) == (3, 11, 1, 0)
    assert [path for path in site_server.requests if "experience_board" in path] == [
        "/experience_board/index.html", "/experience_board/page2.html", "/experience_board/page3.html",
    ]


def test_max_pages_bounds_the_walk(site_server, browser, tmp_path):
    summary, out = run("experience_board", site_server, browser, tmp_path, "experience_board/index.html",
                       max_pages=2)
    assert summary.pages == 2
    assert len(read_rows(out, ACTIVITIES)) == 8
    assert "/experience_board/page3.html" not in site_server.requests


def test_max_items_bounds_the_rows(site_server, browser, tmp_path):
    summary, out = run("experience_board", site_server, browser, tmp_path, "experience_board/index.html",
                       max_items=6)
    assert summary.rows == 6 and summary.item_limit_reached
    assert len(read_rows(out, ACTIVITIES)) == 6
    assert "/experience_board/page3.html" not in site_server.requests  # no page loaded past the limit


def test_category_grid_takes_title_and_intro_and_skips_untitled_cards(site_server, browser, tmp_path):
    summary, out = run("class_market", site_server, browser, tmp_path, "class_market/index.html")

    rows = read_rows(out, ACTIVITIES)
    assert [(row["activity_title"], row["activity_intro"]) for row in rows] == [
        ("왕초보 드로잉 온라인 클래스", "연필 한 자루로 시작하는 4주 완성 드로잉"),
        ("캘리그라피 원데이 클래스", "붓펜으로 손글씨 엽서 만들기"),
        ("홈트 PT 4주 코칭", "집에서 하는 맞춤 운동, 식단 피드백 포함"),
        ("기타 코드 10개로 노래 반주하기", "통기타 입문자를 위한 1:1 레슨"),
        ("사진 보정 라이트룸 기초", ""),
    ]
    assert {row["source"] for row in rows} == {"class_market"}
    assert summary.pages == 1


def test_javascript_list_is_paged_by_query_parameter_until_an_empty_page(site_server, browser, tmp_path):
    summary, out = run("activity_market", site_server, browser, tmp_path, "activity_market/index.html")

    rows = read_rows(out, ACTIVITIES)
    assert len(rows) == 10  # 4 + 4 + 3, less one repeated across pages
    assert rows[0]["activity_title"] == "퍼스널 컬러 진단 1:1"
    assert rows[0]["activity_address_location"] == "서울 마포구"
    assert {row["source"] for row in rows} == {"activity_market"}
    assert (summary.pages, summary.duplicates) == (4, 1)  # page 4 is the empty one that ends the walk
    assert [path for path in site_server.requests if "activity_market" in path] == [
        "/activity_market/index.html", "/activity_market/index.html?page=2",
        "/activity_market/index.html?page=3", "/activity_market/index.html?page=4",
    ]


def test_a_page_that_times_out_is_logged_and_skipped_and_the_others_kept(site_server, browser, tmp_path, caplog):
    site_server.slow_paths["/activity_market/index.html?page=2"] = 3.0

    with caplog.at_level(logging.WARNING, logger="crawler"):
        summary, out = run("activity_market", site_server, browser, tmp_path, "activity_market/index.html",
                           page_timeout=0.5, retries=1)

    titles = [row["activity_title"] for row in read_rows(out, ACTIVITIES)]
    assert "퍼스널 컬러 진단 1:1" in titles and "속눈썹 펌 셀프 클래스" in titles  # pages 1 and 3
    assert "향수 레이어링 워크숍" not in titles  # page 2
    assert (summary.errors, summary.pages) == (1, 3)
    assert site_server.requests.count("/activity_market/index.html?page=2") == 2  # tried, retried
    assert "skipped http://127.0.0.1" in caplog.text and "timed out" in caplog.text


def test_campaign_fields_survive_the_csv(site_server, browser, tmp_path):
    summary, out = run("campaign", site_server, browser, tmp_path, "campaign/index.html")

    rows = read_rows(out, ACTIVITIES)
    assert rows[0] == {
        "activity_title": '[방문] 성수 팝업 전시 "빛의 정원" 관람 체험단',
        "activity_content": "전시 관람권 2매 제공\n관람 후 블로그 후기 작성, 사진 10장 이상",
        "activity_intro": "",
        "activity_address_location": "서울 성동구",
        "category_name": "문화·예술",
        "source": "campaign",
    }
    assert [row["activity_title"] for row in rows[3:]] == [
        "[방문] 대학로 연극 '오늘의 커튼콜' 관람", "[방문] 강릉 서핑 & 캠핑 1박 체험",
    ]
    assert rows[4]["activity_address_location"] == ""
    assert summary.pages == 2

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert '"[방문] 성수 팝업 전시 ""빛의 정원"" 관람 체험단"' in text
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 5


def test_a_second_run_adds_nothing_and_a_resumed_run_adds_only_new_rows(site_server, browser, tmp_path):
    first, out = run("experience_board", site_server, browser, tmp_path, "experience_board/index.html",
                     max_pages=1)
    second, _ = run("experience_board", site_server, browser, tmp_path, "experience_board/index.html")
    third, _ = run("experience_board", site_server, browser, tmp_path, "experience_board/index.html")

    assert (first.rows, second.rows, third.rows) == (5, 6, 0)
    assert second.duplicates == 5 + 1  # page 1 from the first run, plus the row page 2 repeats
    assert third.duplicates == 12
    assert len(read_rows(out, ACTIVITIES)) == 11


# --- robots.txt ------------------------------------------------------------------------


def test_robots_disallow_fetches_nothing(site_server, browser, tmp_path):
    out = tmp_path / "activities.csv"
    with pytest.raises(RobotsDisallowed, match=r"robots\.txt .*disallows .*/private/index\.html.*--ignore-robots"):
        crawl(SITES["experience_board"], out=out, options=options(), start_url=site_server.url("private/index.html"),
              driver=browser, show_progress=False)
    assert site_server.requests == ["/robots.txt"]
    assert not out.exists()


def test_ignore_robots_crawls_anyway(site_server, browser, tmp_path):
    summary, out = run("experience_board", site_server, browser, tmp_path, "private/index.html",
                       respect_robots=False)
    assert [row["activity_title"] for row in read_rows(out, ACTIVITIES)] == ["회원 전용 체험단 모집", "비공개 시식 체험단"]
    assert "/robots.txt" not in site_server.requests


def test_a_missing_page_is_an_error_not_a_crash(site_server, browser, tmp_path):
    summary, out = run("class_market", site_server, browser, tmp_path, "class_market/gone.html")
    assert (summary.pages, summary.errors, summary.rows) == (0, 1, 0)
    assert read_rows(out, ACTIVITIES) == []


# --- into the cleaning step ---------------------------------------------------------------


def test_crawled_csvs_feed_the_cleaning_step_once_categories_are_assigned(site_server, browser, tmp_path):
    from crawler.raw import RawDataError
    from demo.building import clean_and_enrich

    raw = tmp_path / "raw"
    raw.mkdir()
    crawl(SITES["clubs"], out=raw / "clubs.csv", options=options(), start_url=site_server.url("clubs/index.html"),
          driver=browser, show_progress=False)
    crawl(SITES["experience_board"], out=raw / "activities.csv", options=options(),
          start_url=site_server.url("experience_board/index.html"), driver=browser, show_progress=False)

    # As crawled, the main category is still empty: cleaning names the file and line.
    with pytest.raises(RawDataError, match=r"clubs\.csv, line 2: empty category_name"):
        clean_and_enrich(raw, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    # The hand step: assign categories, then clean and enrich.
    for name, category in (("clubs.csv", "취미"), ("activities.csv", "취미")):
        frame = pd.read_csv(raw / name, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        frame["category_name"] = category
        frame.to_csv(raw / name, index=False, encoding="utf-8-sig")
    result = clean_and_enrich(raw, tmp_path / "out")
    crawled = pd.read_csv(raw / "activities.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(result.activities.activity_title) == list(crawled.activity_title)
    assert list(result.clubs.club_name) == CLUB_NAMES_IN_ORDER
    assert (tmp_path / "out" / "activities.csv").exists()
