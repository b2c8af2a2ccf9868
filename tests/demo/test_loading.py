"""load_datasets and export_activities against the real database (the command's first and second
run on the whole demo data: tests/e2e/demo/test_loading_command.py, on the data loaded there)."""
import csv
import shutil
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import Activity
from demo.services import DatasetError, load_datasets
from tests.helpers import table_counts

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "datasets"

pytestmark = pytest.mark.django_db


def test_dates_are_shifted_so_the_demo_is_alive_on_the_loading_day():
    load_datasets(directory=DATASETS, show_progress=False)
    now = timezone.now()
    recruiting = Activity.objects.filter(recruit_start__lte=now, recruit_end__gte=now).count()
    under_way = Activity.objects.filter(activity_start__lte=now, activity_end__gte=now).count()
    finished = Activity.objects.filter(activity_end__lt=now).count()
    assert recruiting > 50 and under_way > 5 and finished > 100
    assert not Activity.objects.filter(created_date__gt=now).exists()


def test_loading_on_another_day_shifts_by_that_day():
    load_datasets(directory=DATASETS, today=datetime(2030, 1, 15), show_progress=False)
    newest = Activity.objects.order_by("-created_date").first()
    assert timezone.localtime(newest.created_date).date() <= datetime(2030, 1, 15).date()
    assert timezone.localtime(newest.created_date).year in (2029, 2030)


def test_loading_just_after_midnight_creates_nothing_in_the_future():
    # The datasets' reference moment is noon: loaded at 00:05 it maps to yesterday noon.
    loading_moment = timezone.make_aware(datetime(2030, 1, 15, 0, 5))
    load_datasets(directory=DATASETS, today=loading_moment, show_progress=False)
    assert not Activity.objects.filter(created_date__gt=loading_moment).exists()
    newest = Activity.objects.order_by("-created_date").first()
    assert loading_moment - newest.created_date < timedelta(days=2)
    recruiting = Activity.objects.filter(recruit_start__lte=loading_moment, recruit_end__gte=loading_moment)
    assert recruiting.count() > 50


def _small_copy(tmp_path, activities_rows=40):
    directory = tmp_path / "datasets"
    directory.mkdir()
    shutil.copy(DATASETS / "clubs.csv", directory)
    shutil.copy(DATASETS / "club_categories.csv", directory)
    activities = pd.read_csv(DATASETS / "activities.csv", dtype=str, keep_default_na=False).head(activities_rows)
    activities.to_csv(directory / "activities.csv", index=False)
    return directory, activities


def test_failure_part_way_rolls_everything_back(tmp_path):
    directory, activities = _small_copy(tmp_path)
    activities.loc[30, "club_id"] = "99999"  # after clubs and some activities were prepared
    activities.to_csv(directory / "activities.csv", index=False)
    before = table_counts()
    with pytest.raises(DatasetError, match="unknown club_id 99999"):
        load_datasets(directory=directory, show_progress=False)
    assert table_counts() == before


def test_command_reports_a_missing_file_and_changes_nothing(tmp_path):
    directory, _ = _small_copy(tmp_path)
    (directory / "club_categories.csv").unlink()
    before = table_counts()
    with pytest.raises(CommandError, match="club_categories.csv: file not found"):
        call_command("load_datasets", "--dir", str(directory), "--no-progress", stdout=StringIO())
    assert table_counts() == before


def test_export_round_trip_matches_the_database(tmp_path):
    directory, _ = _small_copy(tmp_path, activities_rows=25)
    load_datasets(directory=directory, show_progress=False)
    hidden = Activity.objects.order_by("id")[3]
    hidden.status = False
    hidden.save()

    path = tmp_path / "export.csv"
    call_command("export_activities", str(path), stdout=StringIO())
    exported = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(exported.columns) == [
        "id", "activity_title", "activity_content", "activity_intro", "activity_address_location",
        "category_id", "category_name",
    ]
    enabled = Activity.enabled_objects.select_related("category").order_by("id")
    assert len(exported) == enabled.count() == 24
    assert str(hidden.id) not in set(exported.id)
    for row, activity in zip(exported.itertuples(), enabled):
        assert (row.activity_title, row.activity_content, row.activity_intro) == (activity.title, activity.content, activity.intro)
        assert int(row.category_id) == activity.category_id and row.category_name == activity.category.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 24
