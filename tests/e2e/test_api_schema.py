"""The API against its own OpenAPI schema, fuzzed by schemathesis over real HTTP on the live
test server, logged out and with a logged-in session (issue 14, item 6): no server error, no
status, content type, header or body the schema does not document, and bodies that break the
schema refused.

Examples are limited so a run takes well under a minute; `SCHEMATHESIS_MAX_EXAMPLES` raises
them for a deeper local run.
"""
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

# The live server needs a transactional test; serialized_rollback brings back the rows the
# migrations wrote (categories, regions) before each test, as for the browser tests here
# (tests/e2e/conftest.py puts them back after the module).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection", "unsupported_method",
])
SCHEMATHESIS = Path(sys.executable).with_name("st")


def run_schemathesis(base_url: str, activity_id: int, *headers: str, tmp_path: Path):
    # Path ids: a real activity (so likes reach their 200 and 429 answers); negative cases
    # still try ids that are not numbers.
    config = tmp_path / "schemathesis.toml"
    # No cache of earlier runs (it would land in the repository): every run starts fresh.
    config.write_text(f'[cache]\nenabled = false\n\n[parameters]\n"path.activity_id" = {activity_id}\n')
    command = [
        str(SCHEMATHESIS), "--config-file", str(config), "run", f"{base_url}/api/schema/",
        "--checks", CHECKS,
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"),
        "--workers", "1", "--seed", "14", "--request-timeout", "20",
        "--generation-database", "none", "--no-color",
        # The session is sent as a header; leaving the schema's cookie out is not a test case.
        "--generation-with-security-parameters", "false",
    ]
    for header in headers:
        command += ["--header", header]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.fixture
def site(live_server, make_activity):
    """The live server with a few activities; returns its URL and one activity's id."""
    activities = [make_activity(category_id=category_id) for category_id in (1, 3, 5)]
    return live_server.url, activities[0].id


def test_the_api_matches_its_schema_logged_out(site, tmp_path):
    result = run_schemathesis(*site, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]


def test_the_api_matches_its_schema_with_a_logged_in_session(site, make_member, tmp_path):
    member = make_member()
    client = Client()
    client.force_login(member)
    session = client.cookies["sessionid"].value
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    result = run_schemathesis(*site, f"Cookie: sessionid={session}; csrftoken={csrf}", f"X-CSRFToken: {csrf}",
                              tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]

