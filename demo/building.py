"""Building the demo datasets: raw crawl CSVs -> DB-ready CSVs (clean and enrich).

Pure functions over pandas DataFrames, no Django. Every random choice comes from one seeded
numpy Generator, so the same input and seed give byte-identical output. The raw files are
validated completely (crawler.raw) before anything is written, and the three files are
written together or not at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from crawler.raw import RawDataError, raw_activity_paths, read_raw_activity_files, read_raw_clubs
from demo.contracts import ACTIVITY_COLUMNS, CLUB_CATEGORY_COLUMNS, CLUB_COLUMNS, DATE_FORMAT, OUTPUT_FILES, REFERENCE_DATE
from reference import CATEGORY_ID_BY_NAME, CATEGORY_NAMES, REGION_NAMES
from teenplay.files import replaced_together

DEFAULT_SEED = 2024
HISTORY_DAYS = 300
DEMO_LEADER_COUNT = 60

CLUB_INTRO_TEMPLATES = (
    "{club}은(는) {category}을(를) 좋아하는 사람들이 모인 곳이에요.",
    "{category}에 관심 있다면 누구나 환영하는 {club}입니다.",
    "처음이어도 괜찮아요. {club}에서 {category}을(를) 함께 시작해요.",
    "{club}, {category}로 주말을 채우는 모임.",
    "같이 하면 더 재밌는 {category}, {club}이(가) 함께할게요.",
    "{category} 취향이 맞는 친구를 만나는 {club}.",
)
CLUB_INFO_TEMPLATES = (
    "{club}은(는) 한 달에 두세 번 {category} 활동을 엽니다. 활동 후기는 모임 게시판에 남겨 주세요.",
    "{category} 초보와 경험자가 골고루 있어요. {club}의 활동은 모두 소규모로 진행됩니다.",
    "{club}의 모임장과 운영진이 {category} 활동을 직접 기획해요. 궁금한 점은 언제든 문의해 주세요.",
    "정기 활동과 번개 활동이 함께 열리는 {category} 모임, {club}입니다. 노쇼 없는 모임을 지향해요.",
    "{club}에서는 {category}을(를) 즐기며 서로의 일상을 응원합니다. 매너 있는 분이라면 누구나 환영해요.",
)
ADDRESS_DETAILS = (
    "주차 공간이 없어요. 대중교통을 이용해 주세요.",
    "역에서 도보 5분 거리예요.",
    "정확한 위치는 참가 확정 후 안내해 드려요.",
    "건물 1층 입구에서 모여요.",
    "근처 공영주차장을 이용할 수 있어요.",
    "집결지는 단체 채팅방에서 공지해요.",
    "",
)

# Place names that identify a region without naming it (cities, districts, landmarks).
REGION_ALIASES = {
    "서울": ("강남", "홍대", "성수", "망원", "을지로", "종로", "여의도", "잠실", "한강", "이태원", "연남", "합정", "마포", "용산"),
    "경기": ("수원", "성남", "판교", "분당", "고양", "일산", "용인", "가평", "양평", "파주", "안양", "부천"),
    "인천": ("송도", "강화", "영종", "월미도"),
    "부산": ("해운대", "광안리", "서면", "기장", "감천"),
    "울산": ("간절곶", "태화강"),
    "경남": ("창원", "통영", "거제", "진주", "남해", "김해"),
    "대구": ("동성로", "수성못"),
    "경북": ("경주", "포항", "안동", "울릉"),
    "충청": ("충북", "충남", "청주", "천안", "공주", "부여", "단양", "태안", "보령"),
    "대전": ("유성",),
    "세종": (),
    "전라": ("전북", "전남", "전주", "여수", "순천", "군산", "목포", "담양"),
    "광주": ("무등산", "충장로"),
    "강원": ("강릉", "속초", "춘천", "양양", "평창", "원주", "정선"),
    "제주": ("서귀포", "애월", "성산", "한라산", "우도"),
}


@dataclass(frozen=True)
class BuildResult:
    clubs: pd.DataFrame
    club_categories: pd.DataFrame
    activities: pd.DataFrame


def _format(moment: datetime) -> str:
    return moment.strftime(DATE_FORMAT)


def _random_moment(rng: np.random.Generator, start: datetime, end: datetime) -> datetime:
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=int(rng.integers(0, seconds + 1))) if seconds > 0 else start


def _created_and_updated(rng: np.random.Generator) -> tuple[str, str]:
    created = _random_moment(rng, REFERENCE_DATE - timedelta(days=HISTORY_DAYS + 120), REFERENCE_DATE)
    return _format(created), _format(_random_moment(rng, created, REFERENCE_DATE))


def demo_leader_email(number: int) -> str:
    return f"leader{number:03d}@demo.teenplay.example"


def enrich_clubs(raw_clubs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for club_id, raw in enumerate(raw_clubs.itertuples(index=False), start=1):
        category_id = CATEGORY_ID_BY_NAME[raw.category_name]
        names = {"club": raw.club_title, "category": raw.category_name}
        created, updated = _created_and_updated(rng)
        rows.append({
            "id": club_id,
            "club_name": raw.club_title,
            "club_intro": CLUB_INTRO_TEMPLATES[rng.integers(len(CLUB_INTRO_TEMPLATES))].format(**names),
            "club_info": CLUB_INFO_TEMPLATES[rng.integers(len(CLUB_INFO_TEMPLATES))].format(**names),
            "club_main_category_id": category_id,
            "club_region_id": int(rng.integers(1, len(REGION_NAMES) + 1)),
            "leader_email": demo_leader_email(int(rng.integers(1, DEMO_LEADER_COUNT + 1))),
            "status": 1,
            "created_date": created,
            "updated_date": updated,
        })
    return pd.DataFrame(rows, columns=list(CLUB_COLUMNS))


def enrich_club_categories(clubs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """1–3 distinct extra categories per club, never its main category."""
    rows = []
    for club in clubs.itertuples(index=False):
        others = [cid for cid in range(1, len(CATEGORY_NAMES) + 1) if cid != club.club_main_category_id]
        count = int(rng.integers(1, 4))
        for category_id in sorted(rng.choice(others, size=count, replace=False).tolist()):
            created, updated = _created_and_updated(rng)
            rows.append({"club_id": club.id, "category_id": int(category_id), "status": 1,
                         "created_date": created, "updated_date": updated})
    return pd.DataFrame(rows, columns=list(CLUB_CATEGORY_COLUMNS))


def region_named_in(*texts: str) -> str | None:
    """The first region a text names, directly or through a well-known place in it."""
    for text in texts:
        if not text:
            continue
        best: tuple[int, str] | None = None
        for region, aliases in REGION_ALIASES.items():
            for word in (region, *aliases):
                position = text.find(word)
                if position >= 0 and (best is None or position < best[0]):
                    best = (position, region)
        if best:
            return best[1]
    return None


def activity_location(raw_location: str, title: str, content: str, club_region_id: int) -> str:
    """The club's region, corrected when the listing's place, title or content names another.
    A crawled place that names its region ("부산 해운대구") is kept as it is."""
    named = region_named_in(raw_location)
    if named:
        return raw_location if raw_location.startswith(named) else f"{named} {raw_location}"
    return region_named_in(title, _strip_tags(content)) or REGION_NAMES[club_region_id - 1]


_TAG = re.compile(r"<[^>]*>")


def _strip_tags(text: str) -> str:
    return _TAG.sub(" ", text or "")


def _activity_dates(rng: np.random.Generator) -> dict[str, str]:
    # Listings pile up towards the present (u² skews toward recent), as on a growing platform.
    created = REFERENCE_DATE - timedelta(seconds=int(HISTORY_DAYS * 86400 * rng.random() ** 2))
    updated = _random_moment(rng, created, max(created, min(REFERENCE_DATE, created + timedelta(days=30))))
    recruit_start = created + timedelta(hours=int(rng.integers(0, 5 * 24)))
    recruit_end = recruit_start + timedelta(days=int(rng.integers(3, 46)))
    activity_start = recruit_end + timedelta(hours=int(rng.integers(12, 14 * 24)))
    # Most are a day or less; some run for weeks (a class course, a challenge).
    if rng.random() < 0.75:
        length = timedelta(hours=int(rng.integers(2, 10)))
    else:
        length = timedelta(days=int(rng.integers(2, 60)))
    return {
        "created_date": _format(created), "updated_date": _format(updated),
        "recruit_start": _format(recruit_start), "recruit_end": _format(recruit_end),
        "activity_start": _format(activity_start), "activity_end": _format(activity_start + length),
    }


def enrich_activities(raw_activities: pd.DataFrame, clubs: pd.DataFrame, rng: np.random.Generator,
                      path: Path | str = "activities.csv") -> pd.DataFrame:
    club_ids_by_category = {
        category_id: group["id"].tolist() for category_id, group in clubs.groupby("club_main_category_id")
    }
    region_by_club = dict(zip(clubs["id"], clubs["club_region_id"]))
    rows = []
    for activity_id, raw in enumerate(raw_activities.itertuples(index=False), start=1):
        category_id = CATEGORY_ID_BY_NAME[raw.category_name]
        candidates = club_ids_by_category.get(category_id)
        if not candidates:
            raise RawDataError(getattr(raw, "raw_path", path), raw.source_line,
                               f"no club has main category {raw.category_name!r}")
        club_id = int(candidates[rng.integers(len(candidates))])
        rows.append({
            "id": activity_id,
            "club_id": club_id,
            "category_id": category_id,
            "activity_title": raw.activity_title,
            "activity_content": raw.activity_content,
            "activity_intro": raw.activity_intro,
            "activity_address_location": activity_location(
                raw.activity_address_location, raw.activity_title, raw.activity_content,
                int(region_by_club[club_id]),
            ),
            "activity_address_detail": ADDRESS_DETAILS[rng.integers(len(ADDRESS_DETAILS))],
            "status": 1,
            "source": raw.source,
            **_activity_dates(rng),
        })
    return pd.DataFrame(rows, columns=list(ACTIVITY_COLUMNS))


def build_datasets(raw_clubs: pd.DataFrame, raw_activities: pd.DataFrame, seed: int = DEFAULT_SEED,
                   activities_path: Path | str = "activities.csv") -> BuildResult:
    rng = np.random.default_rng(seed)
    clubs = enrich_clubs(raw_clubs, rng)
    club_categories = enrich_club_categories(clubs, rng)
    activities = enrich_activities(raw_activities, clubs, rng, activities_path)
    return BuildResult(clubs=clubs, club_categories=club_categories, activities=activities)


def write_datasets(result: BuildResult, out_dir: Path | str) -> list[Path]:
    """Write all three files or none: each goes to a temporary file first, then all are
    renamed into place."""
    paths = [Path(out_dir) / filename for filename in OUTPUT_FILES.values()]
    with replaced_together(paths) as temporaries:
        for attribute, temporary in zip(OUTPUT_FILES, temporaries):
            getattr(result, attribute).to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n")
    return paths


def clean_and_enrich(raw_dir: Path | str, out_dir: Path | str, seed: int = DEFAULT_SEED) -> BuildResult:
    """Validate every raw file, enrich the rows, and write the DB-ready CSVs."""
    raw_dir = Path(raw_dir)
    raw_clubs = read_raw_clubs(raw_dir / "clubs.csv")
    activity_paths = raw_activity_paths(raw_dir)
    raw_activities = read_raw_activity_files(activity_paths)
    result = build_datasets(raw_clubs, raw_activities, seed=seed, activities_path=activity_paths[0])
    write_datasets(result, out_dir)
    return result
