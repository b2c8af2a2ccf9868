"""A like or an unlike as the site records it: the like row (activity.services) and what the
member's model learns from it, in one transaction."""
from __future__ import annotations

from django.db import transaction

from activity import services as activity_services
from activity.models import Activity
from recommender.events import record_like_after_click, record_like_learning, record_unlike_learning
from teenplay.instrumentation import timed


@transaction.atomic
def like_activity_and_learn(*, member, activity: Activity) -> bool:
    """Like (idempotent); a new or renewed like teaches the member's model and, after a
    recommendation click, counts as a like from it. True when the like is new or renewed."""
    if not activity_services.like_activity(member=member, activity=activity):
        return False
    with timed("like_learning"):  # the part of a like that learning adds (bench/)
        record_like_learning(member=member, activity=activity)
    record_like_after_click(member=member, activity_id=activity.pk)
    return True


@transaction.atomic
def unlike_activity_and_learn(*, member, activity: Activity) -> bool:
    """Unlike (idempotent); the member's model forgets what the like taught. True when a like
    was cancelled."""
    if not activity_services.unlike_activity(member=member, activity=activity):
        return False
    record_unlike_learning(member=member, activity=activity)
    return True
