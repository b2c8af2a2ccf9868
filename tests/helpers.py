"""Helpers shared by several test modules (a test module never imports another test module)."""
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent

# What the test run sets (tests/pytest_env.py, pytest.ini) and a deploy would not.
_TEST_RUN_VARIABLES = {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                       "STATIC_MANIFEST", "DJANGO_SETTINGS_MODULE"}


def run_manage(*args, **env_overrides):
    """manage.py in a new process on the production settings (teenplay.settings, not the test
    run's tests.settings), with the test run's own variables removed and env_overrides added."""
    env = {k: v for k, v in os.environ.items() if k not in _TEST_RUN_VARIABLES}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def signup_data(**overrides):
    """The signup form's fields, filled in."""
    data = {
        "email": "new@example.com",
        "nickname": "새싹",
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        "privacy_agree": "on",
    }
    data.update(overrides)
    return data


def small_frame(rows_per_category=6):
    """A small training dataset with distinct vocabulary per category."""
    words = {
        1: "뜨개질 캔들 공방", 2: "전시 미술관 공연", 3: "러닝 등산 클라이밍", 4: "와인 베이킹 요리",
        5: "여행 바다 제주", 6: "습관 글쓰기 커리어", 7: "동네 또래 산책", 8: "소개팅 연애 설렘",
        9: "주식 ETF 부동산", 10: "영어 회화 일본어", 11: "자격증 스터디 코딩", 12: "축제 불꽃 먹거리", 13: "봉사 플로깅 반려견",
    }
    rows = []
    for category_id, vocabulary in words.items():
        for index in range(rows_per_category):
            rows.append({
                "activity_title": f"{vocabulary.split()[index % 3]} 모임 {index}",
                "activity_content": f"<p>{vocabulary}&nbsp;함께해요</p>",
                "activity_intro": vocabulary.split()[(index + 1) % 3],
                "activity_address_location": "서울",
                "category_id": str(category_id),
            })
    return pd.DataFrame(rows)


def table_counts() -> dict[str, int]:
    """Rows per table that loading the demo data fills."""
    from activity.models import Activity, ActivityLike, ActivityMember, Club, ClubCategory
    from member.models import Member

    return {
        model.__name__: model.objects.count()
        for model in (Member, Club, ClubCategory, Activity, ActivityMember, ActivityLike)
    }
