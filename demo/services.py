"""Loading the demo datasets (datasets/*.csv) into the database, with demo members."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from activity.models import Activity, ActivityLike, ActivityMember, Club, ClubCategory
from demo.contracts import ACTIVITY_COLUMNS, CLUB_CATEGORY_COLUMNS, CLUB_COLUMNS, DATE_FORMAT, REFERENCE_DATE
from member.models import Member, MemberFavoriteCategory
from member.services import signup_member

logger = logging.getLogger(__name__)

DEMO_PARTICIPANT_COUNT = 120
DEMO_ENGAGEMENT_SEED = 7


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    nickname: str
    favorite_category_ids: tuple[int, ...]
    keywords: tuple[str, str, str]


# The README names these logins.
DEMO_ACCOUNTS = (
    DemoAccount("demo@teenplay.example", "teenplay-demo-1", "여행러버", (5, 3), ("바다", "캠핑", "등산")),
    DemoAccount("money@teenplay.example", "teenplay-demo-2", "월급쟁이", (9, 11), ("주식", "ETF", "자격증")),
)


class DatasetError(ValueError):
    """A DB-ready CSV does not match what the loader needs."""


@dataclass
class LoadReport:
    members: int = 0
    clubs: int = 0
    club_categories: int = 0
    activities: int = 0
    participations: int = 0
    likes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def created_anything(self) -> bool:
        return any((self.members, self.clubs, self.club_categories, self.activities, self.participations, self.likes))


def _read_dataset(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise DatasetError(f"{path}: file not found (run `python manage.py build_datasets` first)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DatasetError(f"{path}: missing column(s): {', '.join(missing)}")
    return frame


def _date_shifter(today: datetime):
    """Move the datasets' dates by whole days so REFERENCE_DATE becomes the last moment at its
    time of day that is not after `today` (before noon that is yesterday noon: nothing is created
    in the future)."""
    reference_day = today.date() if today.time() >= REFERENCE_DATE.time() else today.date() - timedelta(days=1)
    shift = datetime.combine(reference_day, REFERENCE_DATE.time()) - REFERENCE_DATE
    current_zone = timezone.get_current_timezone()

    def shifted(text: str) -> datetime:
        return timezone.make_aware(datetime.strptime(text, DATE_FORMAT) + shift, current_zone)

    return shifted


def _progress(iterable, description: str, show: bool, total: int | None = None):
    return tqdm(iterable, desc=description, total=total, disable=not show, unit="행")


def _ensure_members(emails: list[str], report: LoadReport) -> dict[str, Member]:
    """Members by email, created with no usable password when missing (leaders, participants)."""
    existing = {member.email: member for member in Member.objects.filter(email__in=emails)}
    for email in emails:
        if email not in existing:
            existing[email] = signup_member(
                email=email, password=None, nickname=email.split("@")[0], privacy_agree=True
            )
            report.members += 1
    return existing


def _ensure_demo_accounts(report: LoadReport) -> None:
    """The README's demo logins, with favourite categories and keywords already set."""
    existing = set(Member.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).values_list("email", flat=True))
    for account in DEMO_ACCOUNTS:
        if account.email in existing:
            continue
        member = signup_member(
            email=account.email, password=account.password, nickname=account.nickname, privacy_agree=True
        )
        member.keyword_1, member.keyword_2, member.keyword_3 = account.keywords
        member.save(update_fields=["keyword_1", "keyword_2", "keyword_3"])
        MemberFavoriteCategory.objects.bulk_create(
            MemberFavoriteCategory(member=member, category_id=category_id) for category_id in account.favorite_category_ids
        )
        report.members += 1


def _demo_engagement(activity_ids: list[int], report: LoadReport) -> None:
    """Seeded participations and likes from demo participants, so 인기 활동 has an order."""
    rng = np.random.default_rng(DEMO_ENGAGEMENT_SEED)
    emails = [f"member{number:03d}@demo.teenplay.example" for number in range(1, DEMO_PARTICIPANT_COUNT + 1)]
    members = _ensure_members(emails, report)
    # A few activities draw crowds, most draw a handful: weights from a heavy-tailed draw.
    weights = rng.pareto(1.5, size=len(activity_ids)) + 0.05
    weights /= weights.sum()
    participations, likes = [], []
    for email in emails:
        member = members[email]
        joined = rng.choice(activity_ids, size=int(rng.integers(0, 9)), replace=False, p=weights)
        liked = rng.choice(activity_ids, size=int(rng.integers(0, 7)), replace=False, p=weights)
        participations += [ActivityMember(member=member, activity_id=int(a)) for a in joined]
        likes += [ActivityLike(member=member, activity_id=int(a)) for a in liked]
    ActivityMember.objects.bulk_create(participations, batch_size=500)
    ActivityLike.objects.bulk_create(likes, batch_size=500)
    report.participations += len(participations)
    report.likes += len(likes)


@transaction.atomic
def load_datasets(*, directory: Path | str, today: datetime | None = None, show_progress: bool = True) -> LoadReport:
    """Load the DB-ready CSVs (clubs, club categories, activities) with demo members.

    Rows already in the database (clubs by name, activities by club and title) are left
    alone, so a second run changes nothing. Everything happens in one transaction: a
    failure part-way leaves the database as it was.
    """
    directory = Path(directory)
    clubs = _read_dataset(directory / "clubs.csv", CLUB_COLUMNS)
    club_categories = _read_dataset(directory / "club_categories.csv", CLUB_CATEGORY_COLUMNS)
    activities = _read_dataset(directory / "activities.csv", ACTIVITY_COLUMNS)
    shifted = _date_shifter(today or timezone.localtime())
    report = LoadReport()

    leaders = _ensure_members(sorted(set(clubs["leader_email"])), report)
    _ensure_demo_accounts(report)

    club_by_csv_id: dict[str, Club] = {}
    existing_clubs = {club.name: club for club in Club.objects.filter(name__in=list(clubs["club_name"]))}
    new_clubs: list[tuple[str, Club]] = []
    for row in _progress(clubs.itertuples(index=False), "모임", show_progress, len(clubs)):
        if row.club_name in existing_clubs:
            club_by_csv_id[row.id] = existing_clubs[row.club_name]
            continue
        club = Club(
            name=row.club_name, intro=row.club_intro, info=row.club_info,
            main_category_id=int(row.club_main_category_id), region_id=int(row.club_region_id),
            leader=leaders[row.leader_email], status=row.status == "1",
            created_date=shifted(row.created_date), updated_date=shifted(row.updated_date),
        )
        new_clubs.append((row.id, club))
    Club.objects.bulk_create([club for _, club in new_clubs], batch_size=500)
    for csv_id, club in new_clubs:
        club_by_csv_id[csv_id] = club
    report.clubs = len(new_clubs)
    report.skipped["clubs"] = len(clubs) - len(new_clubs)

    new_club_csv_ids = {csv_id for csv_id, _ in new_clubs}
    extras = [
        ClubCategory(
            club=club_by_csv_id[row.club_id], category_id=int(row.category_id), status=row.status == "1",
            created_date=shifted(row.created_date), updated_date=shifted(row.updated_date),
        )
        for row in club_categories.itertuples(index=False)
        if row.club_id in new_club_csv_ids
    ]
    ClubCategory.objects.bulk_create(extras, batch_size=500)
    report.club_categories = len(extras)

    existing_activities = set(
        Activity.objects.filter(club__in=list(club_by_csv_id.values())).values_list("club_id", "title")
    )
    new_activities = []
    for row in _progress(activities.itertuples(index=False), "활동", show_progress, len(activities)):
        club = club_by_csv_id.get(row.club_id)
        if club is None:
            raise DatasetError(f"{directory / 'activities.csv'}: activity {row.id} names unknown club_id {row.club_id}")
        if (club.pk, row.activity_title) in existing_activities:
            continue
        new_activities.append(Activity(
            club=club, category_id=int(row.category_id), title=row.activity_title,
            content=row.activity_content, intro=row.activity_intro,
            address_location=row.activity_address_location, address_detail=row.activity_address_detail,
            recruit_start=shifted(row.recruit_start), recruit_end=shifted(row.recruit_end),
            activity_start=shifted(row.activity_start), activity_end=shifted(row.activity_end),
            status=row.status == "1", created_date=shifted(row.created_date), updated_date=shifted(row.updated_date),
        ))
    created = Activity.objects.bulk_create(new_activities, batch_size=500)
    report.activities = len(created)
    report.skipped["activities"] = len(activities) - len(created)

    if created:
        _demo_engagement([activity.pk for activity in created], report)
    logger.info("load_datasets: %s", report)
    return report
