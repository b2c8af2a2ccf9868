"""Parts 3 and 4 of bench_member_models.py: the AI tab (selector + serializer, and the API view
through Django's test client) and similar activities from the precomputed index."""
from __future__ import annotations

import cProfile
import inspect
import time
from dataclasses import dataclass

import numpy as np

from bench.profiling import ORM_PARTS, SQL, profile_breakdown, tab_parts
from bench.timing import StatementTimes, Timing, clocked, count_queries, query_range, time_calls

def bench_recommendations(with_events: list[int], without_events: list[int], activity_ids: list[int], repeat: int,
                          warmup: int, rng: np.random.Generator
                          ) -> tuple[dict[str, Timing], list[tuple[str, float, float]], StatementTimes]:
    """Timings per scenario; a profile and each statement's time of the selector + serializer for
    members with events."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.app import Member, RecommendationSerializer, recommended_activities

    def tab(member):
        return RecommendationSerializer(recommended_activities(member=member)).data

    def fresh_members(ids: list[int], n: int) -> list:
        # One instance per call, as a request loads request.user: nothing cached on it between calls.
        return [Member.objects.get(pk=ids[i % len(ids)]) for i in range(n)]

    results: dict[str, Timing] = {}
    n = repeat + warmup
    for label, ids in (("member with events", with_events), ("member without events", without_events)):
        members = fresh_members(ids, n + 1)
        sample = tab(members[-1])
        if sample["source"] != "member" or not sample["activities"]:
            raise RuntimeError(f"unexpected AI tab for a {label}: {sample['source']}, {len(sample['activities'])} activities")
        results[f"selector+serializer, {label}"] = time_calls([lambda m=m: tab(m) for m in members[:n]], warmup)
        results[f"selector+serializer, {label}"].queries = count_queries(
            [lambda m=m: tab(m) for m in fresh_members(ids, 10)])
    anonymous = AnonymousUser()
    results["selector+serializer, logged out"] = time_calls([lambda: tab(anonymous)] * n, warmup)
    results["selector+serializer, logged out"].queries = count_queries([lambda: tab(anonymous)] * 3)

    url = reverse("recommender:recommendations")
    clients = []
    for member in Member.objects.in_bulk(with_events[:50]).values():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(member)
        clients.append(client)
    anonymous_client = Client(HTTP_HOST="127.0.0.1")
    for label, pool in (("GET API view (session), member with events", clients), ("GET API view, logged out", [anonymous_client])):
        response = pool[0].get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
        results[label] = time_calls([lambda c=pool[i % len(pool)]: c.get(url) for i in range(n)], warmup)
        results[label].queries = count_queries([lambda c=c: c.get(url) for c in pool[:10]])

    # The usual path to the tab: the member opens an activity page (untimed; its view is logged and,
    # once the page's response is sent, taken into their counts), then comes back to the main page.
    pages = [reverse("activity:detail", args=[activity_id]) for activity_id in rng.choice(activity_ids, size=n).tolist()]
    after_view = Timing()
    for i in range(n):
        client = clients[i % len(clients)]
        if client.get(pages[i]).status_code != 200:
            raise RuntimeError(f"{pages[i]} did not answer 200")
        with clocked(after_view, count=i >= warmup):
            client.get(url)
    counts = []
    for client, page in zip(clients[:10], pages):
        client.get(page)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    after_view.queries = query_range(counts)
    results["GET API view (session), right after the member opened an activity page"] = after_view

    members = fresh_members(with_events, min(repeat, 100))
    profile = cProfile.Profile()
    for member in members:
        profile.runcall(tab, member)
    statements = StatementTimes()
    for member in fresh_members(with_events, min(repeat, 100)):
        with statements.call():
            tab(member)
    return results, profile_breakdown(profile, len(members), tab_parts(), overlapping=[SQL, *ORM_PARTS],
                                      rest="serializing (RecommendationSerializer(...).data) and the rest"), statements


@dataclass
class Similar:
    timing: Timing | None = None
    build_seconds: float = float("nan")
    empty_share: float = float("nan")
    note: str = ""


def bench_similar(activity_ids: list[int], repeat: int, warmup: int, rng: np.random.Generator) -> Similar:
    from bench import app

    rebuild = app.optional("rebuild_similar_activities")
    if rebuild is None:
        return Similar(note=f"similar index not available ({app.WHERE['rebuild_similar_activities']}"
                            ".rebuild_similar_activities is missing)")
    kwargs = {"show_progress": True} if "show_progress" in inspect.signature(rebuild).parameters else {}
    start = time.perf_counter()
    try:
        rebuild(**kwargs)
    except Exception as error:  # the index is being written while this runs: report, do not stop
        return Similar(note=f"similar index not available (rebuild_similar_activities failed: {error!r})")
    result = Similar(build_seconds=time.perf_counter() - start)
    ids = rng.choice(activity_ids, size=repeat + warmup).tolist()
    answers = []
    result.timing = time_calls([lambda a=a: answers.append(app.similar_activities(activity_id=a)) for a in ids], warmup)
    result.timing.queries = count_queries([lambda a=a: app.similar_activities(activity_id=a) for a in ids[:10]])
    result.empty_share = sum(not answer for answer in answers) / len(answers)
    if result.empty_share == 1.0:
        result.note = "similar_activities returned nothing for every activity (index empty?)"
    return result

