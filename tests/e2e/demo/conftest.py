"""The browser flows on the shipped demo data, loaded and indexed once for this package by
`manage.py load_datasets` (test_loading_command.py checks what that run did).

Loading the 5,412 listings and building their similar-activities index takes 14-16 s on 2 cores
(most of it the tokenizer's first pass over them). pytest-django's ``live_server``
would make each test transactional, and a transactional test ends by flushing every table, so
each flow would load it all again. Here one live server runs on data loaded once, committed, for
the package's tests, which tests/conftest.py keeps on one worker one after another; each flow
uses accounts of its own. Afterwards every table is emptied and the rows the migrations wrote are
put back, so the tests that run later in this process find a fresh test database.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command

from tests.e2e.conftest import put_back_migration_rows
from tests.helpers import table_counts
from tests.live_server import start_live_server


@dataclass(frozen=True)
class DemoData:
    similar_pairs: int
    url: str
    load_output: str  # what `manage.py load_datasets` printed
    counts_after_loading: dict[str, int]

    @property
    def activities(self) -> int:
        return self.counts_after_loading["Activity"]


@pytest.fixture(autouse=True)
def _django_db_marker():
    """Replaces pytest-django's fixture of this name for this package. The tests here carry the
    django_db marker so that pytest-django creates the test database (and serializes the rows the
    migrations wrote) even when they run alone; the marker would also wrap each test in a
    transaction (invisible to the live server) or end it with a flush (the demo data gone). They
    use the data committed once by demo_site instead."""


@pytest.fixture(scope="package")
def demo_site(django_db_setup, django_db_blocker):
    """`manage.py load_datasets` (the datasets and the similar-activities index) run once,
    committed, and a live server over it."""
    from recommender.models import SimilarActivity

    with django_db_blocker.unblock():
        output = StringIO()
        call_command("load_datasets", "--no-progress", stdout=output)
        counts = table_counts()
        pairs = SimilarActivity.objects.count()
    server = start_live_server()
    server._live_server_modified_settings.enable()
    try:
        yield DemoData(similar_pairs=pairs, url=server.url, load_output=output.getvalue(),
                       counts_after_loading=counts)
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        with django_db_blocker.unblock():
            put_back_migration_rows(flush_first=True)


@pytest.fixture
def demo_data(demo_site, django_db_blocker):
    """The demo data, with database access for the test itself (committed at once, so the
    live server sees what the test writes and the test sees what the browser did)."""
    with django_db_blocker.unblock():
        yield demo_site


@pytest.fixture
def site_url(demo_site) -> str:
    return demo_site.url
