"""Writes for activities: likes. Learning from a like belongs to the recommender
(recommender.likes wraps these in the same transaction as the learning event).

Each runs in a transaction of its own, or inside the caller's without a savepoint: a like
and what is learned from it commit or roll back together, and a savepoint would only add two
statements to every like."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from activity.models import Activity, ActivityLike


@transaction.atomic(savepoint=False)
def like_activity(*, member, activity: Activity) -> bool:
    """Like (idempotent). True when the like is new or renewed, False when it was already there."""
    like, created = ActivityLike.objects.select_for_update().get_or_create(member=member, activity=activity)
    if created:
        return True
    if like.status:
        return False
    like.status = True
    like.updated_date = timezone.now()
    like.save(update_fields=["status", "updated_date"])
    return True


@transaction.atomic(savepoint=False)
def unlike_activity(*, member, activity: Activity) -> bool:
    """Unlike (idempotent): a soft delete. True when a like was cancelled."""
    like = ActivityLike.objects.select_for_update().filter(member=member, activity=activity, status=True).first()
    if like is None:
        return False
    like.status = False
    like.updated_date = timezone.now()
    like.save(update_fields=["status", "updated_date"])
    return True
