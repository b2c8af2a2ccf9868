"""What recording impressions and reading the report cost, at 1,000,000 impression rows (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/teenplay_bench_online DEBUG=1 \\
        python bench/bench_online_eval.py [--rows 1000000] [--requests 600] [--repeat 5]

It **drops and recreates** the database named in DATABASE_URL (same safety checks as
bench_member_models.py: PostgreSQL, "bench" in the name, a loopback host), migrates, and fills
`recommender_impression` with `--rows` rows over the last 45 days (8 cards per recommendation,
tabs 60 % ai / 25 % popular / 15 % newest, three arms, two model versions, a third of them members'),
plus clicks on 3 % of the cards (a fifth of them liked), with one INSERT … SELECT generate_series each.

Then, with DEBUG off:

1. **the impression endpoint**, in-process through Django's test client (middleware, session, DRF,
   the signed list check and the INSERT): a logged-out visitor POSTs one batch of 8 ids per request,
   each with a fresh signed list (signed beforehand, as the AI tab's GET does). Median and p95 of
   `--requests` requests after 50 warm-up ones. Goal: median ≤ 2 ms.
2. **the report** over the last 30 days (`recommender.selectors.recommendation_report(days=30)`, the
   code behind `manage.py recommendation_report --days 30`): median of `--repeat` runs. Goal: ≤ 2 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teenplay.settings")

from bench.database import bench_database, recreate_database, setup_django  # noqa: E402
from bench.timing import wait_for_quiet  # noqa: E402

GOAL_IMPRESSION_MS = 2.0
GOAL_REPORT_S = 2.0

FILL_IMPRESSIONS = """
INSERT INTO recommender_impression
    (recommendation_id, tab, source, arm, model_version, position, activity_id, category_id, member_id, visitor_id, created_at)
SELECT md5('rec' || (n / 8))::uuid,
       (ARRAY['ai','ai','ai','ai','ai','ai','popular','popular','popular','newest'])[1 + ((n / 8) %% 10)],
       CASE WHEN (n / 8) %% 10 < 6 THEN (CASE WHEN (n / 8) %% 3 = 0 THEN 'member' ELSE 'season' END) ELSE '' END,
       (ARRAY['plain','personal','ranked'])[1 + ((n / 8) %% 3)],
       CASE WHEN (n / 8) %% 10 < 6 THEN (CASE WHEN n < %(rows)s / 2 THEN 'model-a' ELSE 'model-b' END) ELSE '' END,
       n %% 8, 1 + (n * 7919) %% 20000, 1 + (n %% 13),
       NULL, md5('visitor' || (n / 64))::uuid,
       now() - make_interval(secs => (45 * 86400.0) * (%(rows)s - n) / %(rows)s)
FROM generate_series(0::bigint, %(rows)s - 1) AS n
"""

FILL_CLICKS = """
INSERT INTO recommender_click
    (recommendation_id, tab, source, arm, model_version, position, activity_id, category_id, member_id, visitor_id,
     created_at, liked_at)
SELECT recommendation_id, tab, source, arm, model_version, position, activity_id, category_id, member_id, visitor_id,
       created_at + interval '20 seconds', CASE WHEN id % 5 = 0 THEN created_at + interval '2 minutes' END
FROM recommender_impression WHERE id % 33 = 0
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quiet-wait", type=float, default=60, help="seconds to wait for other work to leave the CPUs")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", message="No directory at")
    config = bench_database()
    recreate_database(config)
    setup_django(config)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.app import Click, Impression, ShownCards, recommendation_report

    settings.ALLOWED_HOSTS = ["testserver"]

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL_IMPRESSIONS, {"rows": args.rows})
        cursor.execute(FILL_CLICKS)
        cursor.execute("ANALYZE recommender_impression; ANALYZE recommender_click")
        cursor.execute("SELECT pg_total_relation_size('recommender_impression'), pg_indexes_size('recommender_impression')")
        table_bytes, index_bytes = cursor.fetchone()
    fill_seconds = time.perf_counter() - started
    impressions, clicks = Impression.objects.count(), Click.objects.count()
    print(f"filled {impressions:,} impressions and {clicks:,} clicks in {fill_seconds:.1f} s; "
          f"impression table {table_bytes / impressions:.0f} B/row incl. {index_bytes / impressions:.0f} B/row of indexes")

    # 1. The impression endpoint.
    visitor = uuid.uuid4()
    client = Client()
    client.cookies[settings.RECOMMENDER_VISITOR_COOKIE] = visitor.hex
    total = args.requests + 50
    ids = list(range(1, 9))
    tokens = [
        ShownCards(uuid.uuid4(), "ai", "season", "personal", "model-b", tuple(ids), (5,) * 8, f"v{visitor.hex}").token
        for _ in range(total)
    ]
    quiet_impressions = wait_for_quiet(args.quiet_wait)
    times = []
    for number, token in enumerate(tokens):
        begin = time.perf_counter()
        response = client.post("/api/recommendations/impressions/", {"impression_token": token, "activity_ids": ids},
                               content_type="application/json")
        elapsed = time.perf_counter() - begin
        assert response.status_code == 204, response.content
        if number >= 50:
            times.append(elapsed * 1000)
    assert Impression.objects.count() == impressions + 8 * total
    times.sort()
    median_ms, p95_ms = statistics.median(times), times[int(0.95 * len(times)) - 1]

    # 2. The report over 30 days.
    quiet_report = wait_for_quiet(args.quiet_wait)
    report_times = []
    for _ in range(args.repeat):
        begin = time.perf_counter()
        report = recommendation_report(days=30)
        report_times.append(time.perf_counter() - begin)
    report_s = statistics.median(report_times)
    rows_in_window = sum(row.impressions for row in report.rows)

    print()
    print(f"| measure ({impressions:,} impression rows, PostgreSQL) | result | goal |")
    print("|---|---:|---:|")
    print(f"| impression endpoint, batch of 8, median (p95) | {median_ms:.2f} ms ({p95_ms:.2f} ms) "
          f"| ≤ {GOAL_IMPRESSION_MS:g} ms {'met' if median_ms <= GOAL_IMPRESSION_MS else 'NOT met'} |")
    print(f"| report, last 30 days ({rows_in_window:,} impressions, {len(report.rows)} rows), median of {args.repeat} "
          f"| {report_s:.2f} s | ≤ {GOAL_REPORT_S:g} s {'met' if report_s <= GOAL_REPORT_S else 'NOT met'} |")
    print(f"CPU pressure before the parts: impressions {quiet_impressions}, report {quiet_report}")
    return {"impression_ms": median_ms, "impression_p95_ms": p95_ms, "report_s": report_s}


if __name__ == "__main__":
    main()
