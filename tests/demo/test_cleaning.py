"""Cleaning and enrichment of the raw crawl CSVs into DB-ready rows."""
import csv
import filecmp
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reference import CATEGORY_ID_BY_NAME, CATEGORY_NAMES, REGION_NAMES
from crawler.raw import (
    RAW_ACTIVITY_COLUMNS,
    RawDataError,
    raw_activity_paths,
    read_raw_activities,
    read_raw_activity_files,
    read_raw_clubs,
)
from demo.building import DEMO_LEADER_COUNT, build_datasets, clean_and_enrich, region_named_in

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "datasets" / "raw"


def all_raw_activities():
    return read_raw_activity_files(raw_activity_paths(RAW))


@pytest.fixture(scope="module")
def built():
    return build_datasets(read_raw_clubs(RAW / "clubs.csv"), all_raw_activities())


def test_every_activity_has_ordered_dates(built):
    frame = built.activities
    for column in ("created_date", "updated_date", "recruit_start", "recruit_end", "activity_start", "activity_end"):
        frame[column] = pd.to_datetime(frame[column])
    assert (frame.created_date <= frame.updated_date).all()
    assert (frame.created_date <= frame.recruit_start).all()
    assert (frame.recruit_start <= frame.recruit_end).all()
    assert (frame.recruit_end <= frame.activity_start).all()
    assert (frame.activity_start <= frame.activity_end).all()


def test_every_activity_belongs_to_a_club_of_its_category(built):
    main_category = dict(zip(built.clubs.id, built.clubs.club_main_category_id))
    assert all(main_category[club] == category for club, category in zip(built.activities.club_id, built.activities.category_id))
    raw = all_raw_activities()
    assert list(built.activities.category_id) == [CATEGORY_ID_BY_NAME[name] for name in raw.category_name]


def test_clubs_have_one_to_three_extra_categories_without_the_main_one(built):
    main_category = dict(zip(built.clubs.id, built.clubs.club_main_category_id))
    extras = built.club_categories.groupby("club_id")["category_id"].apply(list)
    assert set(extras.index) == set(built.clubs.id)
    for club_id, categories in extras.items():
        assert 1 <= len(categories) <= 3
        assert len(set(categories)) == len(categories)
        assert main_category[club_id] not in categories
        assert all(1 <= c <= 13 for c in categories)


def test_clubs_have_valid_regions_leaders_and_texts(built):
    clubs = built.clubs
    assert clubs.club_region_id.between(1, len(REGION_NAMES)).all()
    assert clubs.leader_email.str.fullmatch(r"leader\d{3}@demo\.teenplay\.example").all()
    assert clubs.leader_email.nunique() <= DEMO_LEADER_COUNT
    assert (clubs.status == 1).all()
    for row in clubs.itertuples():
        assert row.club_name in row.club_intro and CATEGORY_NAMES[row.club_main_category_id - 1] in row.club_info
    assert clubs.club_intro.nunique() > 1 and clubs.club_info.nunique() > 1
    assert (pd.to_datetime(clubs.created_date) <= pd.to_datetime(clubs.updated_date)).all()


def test_activity_location_is_a_region_and_follows_the_text(built):
    assert built.activities.activity_address_location.map(lambda text: region_named_in(text) is not None).all()
    assert region_named_in("강릉 안목해변 카페거리 산책") == "강원"
    assert region_named_in("", "해운대 요트 투어") == "부산"
    assert region_named_in("온라인 줌 진행") is None


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path):
    clean_and_enrich(RAW, tmp_path / "a", seed=5)
    clean_and_enrich(RAW, tmp_path / "b", seed=5)
    clean_and_enrich(RAW, tmp_path / "c", seed=6)
    for name in ("clubs.csv", "club_categories.csv", "activities.csv"):
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False)
    assert not filecmp.cmp(tmp_path / "a" / "activities.csv", tmp_path / "c" / "activities.csv", shallow=False)


def test_shipped_db_ready_files_are_the_default_build_of_the_raw_files(tmp_path):
    clean_and_enrich(RAW, tmp_path)
    for name in ("clubs.csv", "club_categories.csv", "activities.csv"):
        assert filecmp.cmp(tmp_path / name, ROOT / "datasets" / name, shallow=False), f"{name} is stale: run build_datasets"


def _copy_raw(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw, ignore=shutil.ignore_patterns("parts"))
    return raw


def _rewrite(path, mutate):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    mutate(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _line_of_record(path, record_index):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for index in range(record_index + 1):
            start = reader.line_num + 1
            next(reader)
    return start


@pytest.mark.parametrize(
    "filename, mutate, problem",
    [
        ("activities.csv", lambda rows: [row.pop(1) for row in rows], "missing column(s): activity_content"),
        ("activities.csv", lambda rows: rows[7].__setitem__(4, "요리교실"), "unknown category_name '요리교실'"),
        ("activities.csv", lambda rows: rows[12].__setitem__(0, "   "), "empty activity_title"),
        ("clubs.csv", lambda rows: rows[3].__setitem__(0, ""), "empty club_title"),
        ("clubs.csv", lambda rows: rows[5].__setitem__(1, ""), "empty category_name"),
    ],
)
def test_malformed_input_names_file_and_line_and_writes_nothing(tmp_path, filename, mutate, problem):
    raw = _copy_raw(tmp_path)
    _rewrite(raw / filename, mutate)
    out = tmp_path / "out"
    with pytest.raises(RawDataError) as caught:
        clean_and_enrich(raw, out)
    message = str(caught.value)
    assert str(raw / filename) in message and problem in message
    if "missing column" in problem:
        assert caught.value.line == 1
    else:
        record_index = {"activities.csv": {7: 6, 12: 11}, "clubs.csv": {3: 2, 5: 4}}[filename]
        expected = [_line_of_record(raw / filename, i) for i in record_index.values()]
        assert caught.value.line in expected
        assert f"line {caught.value.line}" in message
    assert not out.exists() or not any(out.iterdir())


def test_raw_data_meets_the_size_and_variety_the_model_needs():
    clubs = read_raw_clubs(RAW / "clubs.csv")
    crawl_shaped = read_raw_activities(RAW / "activities.csv")
    activities = all_raw_activities()
    assert clubs.club_title.nunique() == len(clubs) >= 400
    assert len(crawl_shaped) >= 1300 and len(activities) >= 4500
    counts = activities.category_name.value_counts()
    assert set(counts.index) == set(CATEGORY_NAMES) and counts.min() >= 250
    # The crawl-shaped file keeps the rich-text quirks; the other voices add title-only listings.
    html_share = crawl_shaped.activity_content.str.contains(r"<p>|<br|&nbsp;").mean()
    assert 0.15 <= html_share <= 0.6
    assert crawl_shaped.activity_content.str.contains('"').any()
    title_only = (activities.activity_content == "").mean()
    assert 0.2 <= title_only <= 0.5
    assert not activities.duplicated(subset=["activity_title", "source"]).any()
    assert set(activities.source) <= {"experience_board", "class_market", "activity_market", "campaign"}
    assert list(activities.columns[: len(RAW_ACTIVITY_COLUMNS)]) == list(RAW_ACTIVITY_COLUMNS)


def test_a_listing_repeated_in_another_voice_file_names_that_file_and_line(tmp_path):
    raw = _copy_raw(tmp_path)
    with (raw / "activities.csv").open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.DictReader(handle))
    extra = raw / "activities_zz_repeat.csv"
    with extra.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(RAW_ACTIVITY_COLUMNS))
        writer.writeheader()
        writer.writerow({**first, "activity_content": "다른 내용"})
    with pytest.raises(RawDataError) as caught:
        clean_and_enrich(raw, tmp_path / "out")
    assert str(extra) in str(caught.value) and caught.value.line == 2 and "duplicate listing" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_dataset_readme_counts_are_measured_from_the_files():
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    activities = all_raw_activities()
    check = read_raw_activities(ROOT / "datasets" / "check" / "activities_check.csv")
    clubs = read_raw_clubs(RAW / "clubs.csv")
    for name in CATEGORY_NAMES:
        row = (
            f"| {name} | {(activities.category_name == name).sum()} | "
            f"{(clubs.category_name == name).sum()} | {(check.category_name == name).sum()} |"
        )
        assert row in readme, row
    assert f"| 합계 | {len(activities)} | {len(clubs)} | {len(check)} |" in readme
    # Every voice file is listed with its row count.
    for path in raw_activity_paths(RAW):
        rows = len(read_raw_activities(path))
        assert f"`raw/{path.name}` | {rows} |" in readme, path.name
