"""Events the recommender logs as people use the site: learning events (page views, with reloads
learned once, likes and unlikes, within a per-member budget a minute) queued for the worker, and
the impressions and clicks of the cards each tab showed."""
from __future__ import annotations

import logging
import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.models import Activity
from recommender.models import Click, EventPrune, Impression, LearningEvent, LearningRateWindow
from recommender.tokens import InvalidToken, ShownCards

logger = logging.getLogger(__name__)


def view_cooldown() -> timedelta:
    """A view of the same activity within this time after a learned one (a reload) learns nothing."""
    return timedelta(minutes=settings.RECOMMENDER_VIEW_COOLDOWN_MINUTES)


def _learn_soon(member_id: int) -> None:
    """Once the event's transaction commits, queue the worker's take-in for the member (a rolled
    back event queues nothing). If the queue can't be reached the event still waits in the log,
    and the sweep takes it in."""
    from recommender.tasks import take_in_member_events_task

    def enqueue():
        try:
            take_in_member_events_task.enqueue(member_id=member_id)
        except Exception:  # noqa: BLE001 - the event is committed; the sweep will learn it
            logger.exception("could not queue learning for member %s; the sweep will take it in", member_id)

    transaction.on_commit(enqueue)


# --- learning events: appended on the request path ------------------------------------

RATE_WINDOW = timedelta(minutes=1)


class LearningRateExceeded(Exception):
    """The member spent this minute's budget of likes and learning events."""

    def __init__(self, wait_seconds: int):
        super().__init__(f"learning rate exceeded; retry in {wait_seconds}s")
        self.wait_seconds = wait_seconds


def _views_in_last_minute(member_id: int, now: datetime) -> list[datetime]:
    return list(
        LearningEvent.objects.filter(member_id=member_id, kind=LearningEvent.Kind.VIEW, created_at__gt=now - RATE_WINDOW,
                                     created_at__lte=now).values_list("created_at", flat=True)
    )


def _budget_spent(window: LearningRateWindow | None, views: list[datetime], now: datetime) -> tuple[int, datetime]:
    """Events spent in the minute before `now`: the likes and unlikes counted in the member's
    window plus the page views in the log; and when the oldest of them leaves the minute."""
    spent, oldest = len(views), min(views, default=now)
    if window is not None and now - RATE_WINDOW < window.window_start <= now:
        spent += window.count
        oldest = min(oldest, window.window_start)
    return spent, oldest


def _wait_seconds(oldest: datetime, now: datetime) -> int:
    return max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))


def spend_learning_budget(*, member, now: datetime | None = None) -> None:
    """Count one like or unlike against the member's budget of RECOMMENDER_EVENTS_PER_MINUTE
    learning events a minute, or raise LearningRateExceeded with the seconds to wait. Likes are
    counted in the member's window row (locked for this short transaction only; a window that
    has ended, or lies in the future — a clock set back — starts over), page views by the log."""
    now = now or timezone.now()
    limit = settings.RECOMMENDER_EVENTS_PER_MINUTE
    with transaction.atomic():
        window = LearningRateWindow.objects.select_for_update().filter(member_id=member.pk).first()
        if window is None:
            try:
                with transaction.atomic():
                    window = LearningRateWindow.objects.create(member_id=member.pk, window_start=now, count=0)
            except IntegrityError:  # another request made the row first: count against it
                window = LearningRateWindow.objects.select_for_update().get(member_id=member.pk)
        spent, oldest = _budget_spent(window, _views_in_last_minute(member.pk, now), now)
        if spent >= limit:
            raise LearningRateExceeded(_wait_seconds(oldest, now))
        if window.window_start <= now - RATE_WINDOW or window.window_start > now:
            window.window_start, window.count = now, 1
        else:
            window.count += 1
        window.save(update_fields=["window_start", "count"])


def record_activity_view(*, member, activity: Activity, now: datetime | None = None) -> bool:
    """A member opened the activity's page: log a view, unless they already viewed it within
    the cool-down (a reload learns once) or spent this minute's learning budget (the page is
    still shown). A page view only reads and appends: one query for the member's recent views,
    one for their likes' window, the insert, and the worker's task queued on commit.
    Returns whether a view was logged."""
    now = now or timezone.now()
    recent = list(
        LearningEvent.objects.filter(member_id=member.pk, kind=LearningEvent.Kind.VIEW,
                                     created_at__gt=now - max(view_cooldown(), RATE_WINDOW), created_at__lte=now)
        .values_list("activity_id", "created_at", "state")
    )
    if any(activity_id == activity.pk and moment > now - view_cooldown() and state != LearningEvent.State.SKIPPED
           for activity_id, moment, state in recent):
        return False
    window = LearningRateWindow.objects.filter(member_id=member.pk).first()
    spent, _oldest = _budget_spent(window, [moment for _, moment, _ in recent if moment > now - RATE_WINDOW], now)
    if spent >= settings.RECOMMENDER_EVENTS_PER_MINUTE:
        # Faster than anyone reads: the page is still shown, the visit is not learned.
        logger.info("member %s over the learning-event rate: view of activity %s not logged", member.pk, activity.pk)
        return False
    LearningEvent.objects.create(
        member_id=member.pk, activity_id=activity.pk, kind=LearningEvent.Kind.VIEW, category_id=activity.category_id,
        weight=settings.RECOMMENDER_EVENT_WEIGHTS["view"], created_at=now,
    )
    _learn_soon(member.pk)
    return True


def record_like_learning(*, member, activity: Activity, now: datetime | None = None) -> LearningEvent:
    """Log a like for learning (call inside the like's transaction; learned after it commits)."""
    event = LearningEvent.objects.create(
        member_id=member.pk, activity_id=activity.pk, kind=LearningEvent.Kind.LIKE, category_id=activity.category_id,
        weight=settings.RECOMMENDER_EVENT_WEIGHTS["like"], created_at=now or timezone.now(),
    )
    _learn_soon(member.pk)
    return event


def record_unlike_learning(*, member, activity: Activity, now: datetime | None = None) -> LearningEvent | None:
    """Log the reversal of the member's last like of this activity: the same label and the
    negative of its weight, so taking it in removes exactly what the like added. Call inside the
    unlike's transaction (the like row's lock orders likes and unlikes of one activity). A like
    that never learned (imported demo data) has nothing to remove."""
    last = (
        LearningEvent.objects.filter(member_id=member.pk, activity_id=activity.pk)
        .exclude(kind=LearningEvent.Kind.VIEW).order_by("-id").values("kind", "category_id", "weight").first()
    )
    if last is None or last["kind"] != LearningEvent.Kind.LIKE:
        return None
    event = LearningEvent.objects.create(
        member_id=member.pk, activity_id=activity.pk, kind=LearningEvent.Kind.UNLIKE, category_id=last["category_id"],
        weight=-last["weight"], created_at=now or timezone.now(),
    )
    _learn_soon(member.pk)
    return event


# --- online evaluation: impressions, clicks, likes after a click, retention --------------

MAX_IMPRESSION_BATCH = 24  # a tab shows 8 cards


def _shown_fields(shown, position: int, viewer) -> dict:
    return {
        "recommendation_id": shown.recommendation_id, "tab": shown.tab, "source": shown.source, "arm": shown.arm,
        "model_version": shown.model_version, "position": position, "activity_id": shown.activity_ids[position],
        "category_id": shown.category_ids[position], "member_id": viewer.member_id,
        "visitor_id": None if viewer.member_id is not None else viewer.visitor_id,
    }


def record_impressions(*, token: str, activity_ids: list[int], viewer, now: datetime | None = None) -> int:
    """The cards of one signed list (tokens.ShownCards) that this viewer was shown: one row per
    card, appended. Every id must be in the list signed for this viewer, once; otherwise nothing
    is stored and ValidationError says why. Sending the same batch again stores nothing new.
    Returns the number of cards in the batch."""
    try:
        shown = ShownCards.from_token(token)
    except InvalidToken as error:
        raise ValidationError({"impression_token": str(error)}) from error
    if shown.viewer_key != viewer.key:
        raise ValidationError({"impression_token": "다른 방문자에게 보여 준 추천이에요."})
    if len(activity_ids) > MAX_IMPRESSION_BATCH:
        raise ValidationError({"activity_ids": f"한 번에 {MAX_IMPRESSION_BATCH}개까지 보낼 수 있어요."})
    if len(set(activity_ids)) != len(activity_ids):
        raise ValidationError({"activity_ids": "같은 활동이 두 번 들어 있어요."})
    positions = {activity_id: position for position, activity_id in enumerate(shown.activity_ids)}
    not_shown = [activity_id for activity_id in activity_ids if activity_id not in positions]
    if not_shown:
        raise ValidationError({"activity_ids": f"이 추천에서 보여 주지 않은 활동이에요: {', '.join(map(str, not_shown))}"})
    moment = now or timezone.now()
    rows = [{**_shown_fields(shown, positions[activity_id], viewer), "created_at": moment} for activity_id in activity_ids]
    _append_impressions(rows)  # one statement: all cards or none
    return len(activity_ids)


# The fields one batch shares, and the ones that vary per card.
_BATCH_FIELDS = ("recommendation_id", "tab", "source", "arm", "model_version", "member", "visitor_id", "created_at")
_CARD_FIELDS = ("position", "activity_id", "category_id")


def _append_impressions(rows: list[dict]) -> None:
    """One INSERT … ON CONFLICT DO NOTHING for the batch (a repeated card of a recommendation is
    skipped), written out because bulk_create costs about three times as much per batch of 8
    (bench/bench_online_eval.py). On PostgreSQL the cards travel as three arrays, so the statement
    and its 11 parameters are the same for every batch: psycopg reuses its parsed query and the
    server its prepared plan (a VALUES list of 88 parameters is re-parsed every time)."""
    from django.db import connection

    table = connection.ops.quote_name(Impression._meta.db_table)
    batch_fields = [Impression._meta.get_field(name) for name in _BATCH_FIELDS]
    card_fields = [Impression._meta.get_field(name) for name in _CARD_FIELDS]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in [*batch_fields, *card_fields])
    shared = [field.get_db_prep_save(rows[0][field.attname], connection) for field in batch_fields]
    if connection.vendor == "postgresql":
        # set_config(…, true) inside the statement means this transaction's commit does not wait for
        # its WAL to reach the disk, without a round trip of its own (in autocommit the statement is the
        # transaction). Impressions are counts for a report: a crash may lose the last fraction of a
        # second of them, never corrupt anything, and the page's request does not wait for an fsync.
        sql = (f"INSERT INTO {table} ({columns}) SELECT {', '.join(['%s'] * len(shared))}, card.* "
               "FROM unnest(%s::smallint[], %s::bigint[], %s::smallint[]) AS card, "
               "(SELECT set_config('synchronous_commit', 'off', true)) AS relaxed ON CONFLICT DO NOTHING")
        params = [*shared, *([row[field.attname] for row in rows] for field in card_fields)]
    else:
        row_sql = "(" + ", ".join(["%s"] * (len(batch_fields) + len(card_fields))) + ")"
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(rows))} ON CONFLICT DO NOTHING"
        params = [value for row in rows for value in (*shared, *(row[field.attname] for field in card_fields))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record_click(*, recommendation_id: str, activity_id: int, viewer, now: datetime | None = None) -> bool:
    """A card was opened: the detail page was reached from the card of `recommendation_id`.
    Appended only when this viewer's impression of that card was recorded (so every click has its
    impression, and a shared link counts nothing); a reload adds nothing. Returns whether it counted."""
    try:
        rid = uuid.UUID(str(recommendation_id))
    except ValueError:
        return False
    if viewer.member_id is None and viewer.visitor_id is None:
        return False
    impressions = Impression.objects.filter(recommendation_id=rid, activity_id=activity_id)
    impressions = (impressions.filter(member_id=viewer.member_id) if viewer.member_id is not None
                   else impressions.filter(visitor_id=viewer.visitor_id, member__isnull=True))
    impression = impressions.values("tab", "source", "arm", "model_version", "position", "category_id").first()
    if impression is None:
        return False
    created = Click.objects.bulk_create(
        [Click(recommendation_id=rid, activity_id=activity_id, member_id=viewer.member_id,
               visitor_id=None if viewer.member_id is not None else viewer.visitor_id,
               created_at=now or timezone.now(), **impression)],
        ignore_conflicts=True,
    )
    return bool(created)


def record_like_after_click(*, member, activity_id: int, now: datetime | None = None) -> bool:
    """A member liked an activity: if they opened it from a card within the same visit
    (RECOMMENDER_VISIT_MINUTES), that click counts a like after it. Returns whether one did."""
    moment = now or timezone.now()
    click_id = (
        Click.objects.filter(member_id=member.pk, activity_id=activity_id, liked_at__isnull=True,
                             created_at__gte=moment - timedelta(minutes=settings.RECOMMENDER_VISIT_MINUTES),
                             created_at__lte=moment)
        .order_by("-created_at").values_list("id", flat=True).first()
    )
    if click_id is None:
        return False
    return bool(Click.objects.filter(id=click_id, liked_at__isnull=True).update(liked_at=moment))


@transaction.atomic
def prune_recommendation_events(*, days: int | None = None, now: datetime | None = None) -> EventPrune:
    """Delete impressions and clicks older than the retention period (RECOMMENDER_EVENTS_RETENTION_DAYS)
    and note the cut, so the report can say that data before it is gone."""
    days = settings.RECOMMENDER_EVENTS_RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError("보존 기간은 1일 이상이어야 해요.")
    moment = now or timezone.now()
    cutoff = moment - timedelta(days=days)
    impressions, _ = Impression.objects.filter(created_at__lt=cutoff).delete()
    clicks, _ = Click.objects.filter(created_at__lt=cutoff).delete()
    return EventPrune.objects.create(cutoff=cutoff, impressions_deleted=impressions, clicks_deleted=clicks, ran_at=moment)
