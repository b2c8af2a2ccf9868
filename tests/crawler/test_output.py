"""The raw CSV: UTF-8 with BOM, csv-module quoting, resume without duplicates."""
import csv

import pandas as pd
import pytest

from crawler.errors import OutputFormatError
from crawler.formats import ACTIVITIES, CLUBS
from crawler.output import CsvSink

BOM = b"\xef\xbb\xbf"


def activity(title, source="campaign", **values):
    row = dict.fromkeys(ACTIVITIES.columns, "")
    row.update(activity_title=title, source=source, **values)
    return row


TRICKY_ROW = activity(
    '성수 팝업 전시 "빛의 정원", 관람 체험단',
    activity_content="관람권 2매 제공\n후기 작성, 사진 10장",
    activity_intro="  앞뒤 공백은 그대로  ",
    activity_address_location="서울 성동구",
    category_name="문화·예술",
)


def test_a_new_file_starts_with_a_bom_and_the_header(tmp_path):
    out = tmp_path / "raw" / "activities.csv"
    with CsvSink(out, ACTIVITIES) as sink:
        sink.write([activity("강남 필라테스 체험")])

    data = out.read_bytes()
    assert data.startswith(BOM)
    assert data[len(BOM):].decode("utf-8").splitlines()[0] == ",".join(ACTIVITIES.columns)


def test_fields_are_quoted_by_the_csv_module_not_stripped(tmp_path):
    out = tmp_path / "activities.csv"
    with CsvSink(out, ACTIVITIES) as sink:
        sink.write([TRICKY_ROW])

    text = out.read_text(encoding="utf-8-sig")
    assert '"성수 팝업 전시 ""빛의 정원"", 관람 체험단"' in text  # quotes doubled, comma kept
    assert '"관람권 2매 제공\n후기 작성, 사진 10장"' in text  # the line break stays inside one field
    assert ",서울 성동구," in text  # plain fields stay unquoted (QUOTE_MINIMAL)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.DictReader(handle)) == [TRICKY_ROW]


def test_round_trips_through_pandas_with_the_exact_raw_columns(tmp_path):
    out = tmp_path / "activities.csv"
    rows = [TRICKY_ROW, activity("잠실 클라이밍 체험권", source="experience_board")]
    with CsvSink(out, ACTIVITIES) as sink:
        sink.write(rows)

    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(ACTIVITIES.columns)
    assert frame.to_dict("records") == rows


def test_duplicates_within_a_run_are_dropped_and_counted(tmp_path):
    out = tmp_path / "clubs.csv"
    with CsvSink(out, CLUBS) as sink:
        first = sink.write([{"club_title": "책읽는 밤"}, {"club_title": "주말 등산회"}])
        second = sink.write([{"club_title": "책읽는 밤"}, {"club_title": "캠핑 크루 별밤"}])

    assert (first.written, first.duplicates) == (2, 0)
    assert (second.written, second.duplicates) == (1, 1)
    assert pd.read_csv(out, encoding="utf-8-sig")["club_title"].tolist() == ["책읽는 밤", "주말 등산회", "캠핑 크루 별밤"]


def test_resuming_appends_only_new_rows_and_writes_no_second_bom(tmp_path):
    out = tmp_path / "activities.csv"
    with CsvSink(out, ACTIVITIES) as sink:
        sink.write([activity("강남 필라테스 체험", source="experience_board"), TRICKY_ROW])

    with CsvSink(out, ACTIVITIES) as sink:
        assert sink.existing_rows == 2
        counts = sink.write([
            activity("강남  필라테스\n체험", source="experience_board"),  # same title, other whitespace
            activity("강남 필라테스 체험", source="campaign"),  # same title, other source: a new row
            TRICKY_ROW,
        ])

    assert (counts.written, counts.duplicates) == (1, 2)
    data = out.read_bytes()
    assert data.count(BOM) == 1
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(zip(frame["activity_title"], frame["source"])) == [
        ("강남 필라테스 체험", "experience_board"),
        (TRICKY_ROW["activity_title"], "campaign"),
        ("강남 필라테스 체험", "campaign"),
    ]


def test_resuming_a_file_without_final_newline_or_bom(tmp_path):
    out = tmp_path / "clubs.csv"
    out.write_text("club_title,category_name\n책읽는 밤,취미", encoding="utf-8")  # hand-made

    with CsvSink(out, CLUBS) as sink:
        counts = sink.write([{"club_title": "책읽는 밤"}, {"club_title": "주말 등산회"}])

    assert (counts.written, counts.duplicates) == (1, 1)
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert frame.to_dict("records") == [
        {"club_title": "책읽는 밤", "category_name": "취미"},
        {"club_title": "주말 등산회", "category_name": ""},
    ]


def test_refuses_to_append_to_a_file_of_another_format(tmp_path):
    out = tmp_path / "clubs.csv"
    with CsvSink(out, CLUBS) as sink:
        sink.write([{"club_title": "책읽는 밤"}])
    before = out.read_bytes()

    with pytest.raises(OutputFormatError, match="club_title, category_name.*activity_title"):
        with CsvSink(out, ACTIVITIES):
            pass
    assert out.read_bytes() == before


def test_an_empty_existing_file_is_started_afresh(tmp_path):
    out = tmp_path / "clubs.csv"
    out.write_bytes(b"")
    with CsvSink(out, CLUBS) as sink:
        sink.write([{"club_title": "책읽는 밤"}])
    assert out.read_bytes().startswith(BOM + b"club_title,category_name")
