"""`manage.py load_datasets` on the whole demo data: the run in conftest.py's demo_site (the one
the browser flows use) created every row, and a second run changes nothing."""
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from demo.services import DEMO_ACCOUNTS
from member.models import Member
from tests.e2e.conftest import DATASETS_DIR
from tests.helpers import table_counts

# Database access comes from tests/e2e/demo/conftest.py (the marker makes pytest-django create
# the test database when this module runs alone).
pytestmark = pytest.mark.django_db(serialized_rollback=True)


def test_loading_creates_everything_and_a_second_run_changes_nothing(demo_data):
    first = demo_data.counts_after_loading
    assert first["Activity"] == len(pd.read_csv(DATASETS_DIR / "activities.csv"))
    assert first["Club"] == len(pd.read_csv(DATASETS_DIR / "clubs.csv"))
    assert first["ClubCategory"] == len(pd.read_csv(DATASETS_DIR / "club_categories.csv"))
    assert first["ActivityMember"] > 0 and first["ActivityLike"] > 0
    assert f"활동 {first['Activity']}개" in demo_data.load_output
    assert demo_data.similar_pairs > 0
    for account in DEMO_ACCOUNTS:
        member = Member.objects.get(email=account.email)
        assert member.check_password(account.password)
        assert member.keywords == list(account.keywords)

    # The browser flows may have run first and added their own members and likes.
    before = table_counts()
    output = StringIO()
    call_command("load_datasets", "--no-progress", stdout=output)
    assert table_counts() == before
    assert "바뀐 것이 없습니다" in output.getvalue()
