"""Writes for the recommender: member models, learning events, rebuilding after retraining."""
from __future__ import annotations

import copy
import logging
import math
import threading
import uuid
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from tqdm import tqdm

from activity.models import Activity
from reference import CATEGORY_IDS
from recommender import similarity
from recommender.active_model import ActiveModel, active_model
from recommender.engine import MemberDelta, decay
from recommender.model_store import ModelUnavailable
from recommender.models import (
    ActivityVector,
    Click,
    EventPrune,
    Impression,
    LearningEvent,
    LearningRateWindow,
    MemberModel,
    SimilarActivity,
    SimilarityIndex,
)
from recommender.text import activity_text
from recommender.tokens import InvalidToken, ShownCards

logger = logging.getLogger(__name__)

N_CLASSES = len(CATEGORY_IDS)


def _half_life_seconds() -> float:
    return settings.RECOMMENDER_RECENCY_HALF_LIFE_DAYS * 86400


def learning_text(activity: Activity) -> str:
    """What a learning event feeds the member model: category name, title, intro and place."""
    return activity_text(
        category_name=activity.category.name, title=activity.title, intro=activity.intro,
        address_location=activity.address_location,
    )


def create_member_model(*, member) -> MemberModel:
    """A new member's model: the pretrained model with nothing added yet."""
    return _create_member_model(member.pk)


def _create_member_model(member_id: int) -> MemberModel:
    try:
        version = active_model().version
    except ModelUnavailable:
        version = ""  # built from the (empty) event log once the model is back
    member_model, _ = MemberModel.objects.get_or_create(
        member_id=member_id, defaults={"base_version": version, "recent_counts": [0.0] * N_CLASSES}
    )
    return member_model


# --- the state kept per member ---------------------------------------------------


@dataclass
class MemberState:
    """A member model row decoded: the delta and the recency-weighted counts at `recent_at`."""

    row: MemberModel
    delta: MemberDelta
    recent: np.ndarray
    recent_at: datetime | None

    @classmethod
    def of(cls, row: MemberModel) -> "MemberState":
        recent = np.asarray(row.recent_counts or [0.0] * N_CLASSES, dtype=np.float64)
        return cls(row, MemberDelta.from_bytes(row.delta, N_CLASSES), recent, row.recent_at)

    def copy(self, row: MemberModel) -> "MemberState":
        """A copy to add events to, on a copy of `row` (the decoded cache's state stays as stored)."""
        delta = MemberDelta(N_CLASSES, self.delta.class_count.copy(), [dict(counts) for counts in self.delta.token_counts])
        return MemberState(copy.copy(row), delta, self.recent.copy(), self.recent_at)

    def recent_now(self, now: datetime) -> np.ndarray:
        if self.recent_at is None:
            return self.recent
        return decay(self.recent, (now - self.recent_at).total_seconds(), _half_life_seconds())

    def apply(self, model: ActiveModel, event: LearningEvent, features: dict[int, float]) -> None:
        class_index = model.counts.class_index(event.category_id)
        self.delta.add(class_index, features, event.weight)
        self.recent = self.recent_now(event.created_at)
        self.recent_at = event.created_at if self.recent_at is None else max(self.recent_at, event.created_at)
        # An unlike subtracts its like's full weight; the floor keeps an old, decayed like from going negative.
        self.recent[class_index] = max(0.0, self.recent[class_index] + event.weight)

    def save(self, version: str, event_count: int) -> MemberModel:
        row = self.row
        row.delta = b"" if self.delta.is_empty else self.delta.to_bytes()
        row.recent_counts = [round(float(value), 12) for value in self.recent]
        row.recent_at = self.recent_at
        row.base_version = version
        row.event_count = event_count
        row.updated_date = timezone.now()
        row.save(update_fields=["delta", "recent_counts", "recent_at", "base_version", "event_count", "updated_date"])
        return row


class _DecodedStates:
    """Decoded member counts kept per process, keyed by the row's version and event count, so a
    member's repeated reads skip the decompression (8 ms for a member with 150 events). A row whose
    counts changed (the worker took events in) has another event count or update time and is
    decoded again. Bounded by the token counts held (about 100 bytes each, so about 6 MB), not by members."""

    def __init__(self, max_token_counts: int = 60_000):
        self._budget = max_token_counts
        self._held = 0
        self._states: OrderedDict[int, tuple[tuple, MemberState, int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(row: MemberModel) -> tuple:
        return row.base_version, row.event_count, row.updated_date, row.recent_at

    def get(self, row: MemberModel) -> MemberState | None:
        with self._lock:
            found = self._states.get(row.member_id)
            if found is None or found[0] != self._key(row):
                return None
            self._states.move_to_end(row.member_id)
            return found[1]

    def put(self, row: MemberModel, state: MemberState) -> None:
        size = sum(len(counts) for counts in state.delta.token_counts) + 1
        if size > self._budget:
            return
        with self._lock:
            previous = self._states.pop(row.member_id, None)
            if previous is not None:
                self._held -= previous[2]
            self._states[row.member_id] = (self._key(row), state, size)
            self._held += size
            while self._held > self._budget:
                _member, (_key, _state, evicted) = self._states.popitem(last=False)
                self._held -= evicted

    def clear(self) -> None:
        with self._lock:
            self._states.clear()
            self._held = 0


decoded_states = _DecodedStates()


def _locked_member_model(member_id: int) -> MemberModel:
    """The member's model row, locked for this transaction (created if the member has none).
    Taking events into the counts goes through this lock, so it never interleaves."""
    row = MemberModel.objects.select_for_update().filter(member_id=member_id).first()
    if row is None:
        _create_member_model(member_id)
        row = MemberModel.objects.select_for_update().get(member_id=member_id)
    return row


def _events(member_id: int, state: int):
    return (
        LearningEvent.objects.filter(member_id=member_id, state=state)
        .select_related("activity__category").order_by("id")
    )


def _toggle_window() -> timedelta:
    return timedelta(minutes=settings.RECOMMENDER_LIKE_TOGGLE_MINUTES)


def _cancels(like: LearningEvent | None, unlike: LearningEvent) -> bool:
    """Whether `unlike` undoes `like` within the toggle window (so the pair learns nothing)."""
    return like is not None and like.pk < unlike.pk and unlike.created_at - like.created_at <= _toggle_window()


@dataclass
class LogChanges:
    """What taking a member's events in decides about their log. Only the worker writes it
    (`_write_log_changes`); a read computes the same counts in memory and leaves the log alone."""

    learned: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    # Like/unlike pairs undone within the toggle window: they leave the log, so no rebuild replays them.
    removed: set[int] = field(default_factory=set)


def _replay(model: ActiveModel, row: MemberModel, changes: LogChanges) -> MemberState:
    """A member's state rebuilt on `model` from the events their counts hold (all learned ones).
    Like/unlike pairs within the toggle window are left out (and noted in `changes.removed`)."""
    events = list(_events(row.member_id, LearningEvent.State.LEARNED).iterator(chunk_size=500))
    last_like: dict[int, LearningEvent] = {}
    for event in events:
        if event.kind == LearningEvent.Kind.LIKE:
            last_like[event.activity_id] = event
        elif event.kind == LearningEvent.Kind.UNLIKE:
            like = last_like.pop(event.activity_id, None)
            if _cancels(like, event):
                changes.removed.update((like.pk, event.pk))
    state = MemberState(row, MemberDelta(N_CLASSES), np.zeros(N_CLASSES), None)
    count = 0
    for event in events:
        if event.pk in changes.removed:
            continue
        state.apply(model, event, model.features(learning_text(event.activity)))
        count += 1
    state.row.event_count = count
    return state


def _decoded(row: MemberModel) -> MemberState | None:
    """The row's state, or None when its counts can't be read (an older storage format)."""
    cached = decoded_states.get(row)
    if cached is not None:
        return cached
    try:
        state = MemberState.of(row)
    except (ValueError, zlib.error):
        return None
    decoded_states.put(row, state)
    return state


def _cooldown() -> timedelta:
    return timedelta(minutes=settings.RECOMMENDER_VIEW_COOLDOWN_MINUTES)


def _take_in_pending(model: ActiveModel, state: MemberState, pending: list[LearningEvent], changes: LogChanges) -> int:
    """Apply the pending events to `state` in log order and note in `changes` which are learned;
    returns by how much the member's learned-event count grows. A view within the cool-down
    after a learned view of the same activity (two reloads that passed the request's check at
    the same moment) is skipped instead."""
    views = [event for event in pending if event.kind == LearningEvent.Kind.VIEW]
    learned_views: dict[int, list[datetime]] = {}
    if views:
        earliest = min(event.created_at for event in views) - _cooldown()
        for activity_id, moment in LearningEvent.objects.filter(
            member_id=state.row.member_id, kind=LearningEvent.Kind.VIEW, state=LearningEvent.State.LEARNED,
            activity_id__in={event.activity_id for event in views}, created_at__gt=earliest,
        ).values_list("activity_id", "created_at"):
            learned_views.setdefault(activity_id, []).append(moment)
    learned, cancelled = [], set()
    likes_here: dict[int, LearningEvent] = {}
    for event in pending:
        if event.kind == LearningEvent.Kind.VIEW:
            window_start = event.created_at - _cooldown()
            moments = learned_views.setdefault(event.activity_id, [])
            if any(window_start < moment <= event.created_at for moment in moments):
                changes.skipped.append(event.pk)
                continue
            moments.append(event.created_at)
        state.apply(model, event, model.features(learning_text(event.activity)))
        if event.kind == LearningEvent.Kind.LIKE:
            likes_here[event.activity_id] = event
        elif event.kind == LearningEvent.Kind.UNLIKE:
            # A like undone within the toggle window: the unlike has just removed what the like added.
            like = likes_here.pop(event.activity_id, None) or _last_learned_like(event)
            if _cancels(like, event):
                cancelled.update((like.pk, event.pk))
                continue
        learned.append(event.pk)
    learned = [pk for pk in learned if pk not in cancelled]
    changes.learned.extend(learned)
    changes.removed.update(cancelled)
    pending_ids = {event.pk for event in pending}
    undone_earlier = sum(1 for pk in cancelled if pk not in pending_ids)
    # Likes learned before this batch and now cancelled no longer count.
    return len(learned) - undone_earlier


def _last_learned_like(unlike: LearningEvent) -> LearningEvent | None:
    return (
        LearningEvent.objects.filter(member_id=unlike.member_id, activity_id=unlike.activity_id,
                                     kind=LearningEvent.Kind.LIKE, state=LearningEvent.State.LEARNED, pk__lt=unlike.pk)
        .order_by("-id").only("id", "created_at").first()
    )


def _state_with_log(model: ActiveModel, row: MemberModel, pending: list[LearningEvent], *,
                    rebuild: bool = False) -> tuple[MemberState, LogChanges, bool]:
    """The member's counts on `model` with their whole log in them: rebuilt from the log when the
    base model was retrained (the old counts refer to another vocabulary), the counts are
    unreadable or `rebuild` is asked, then with `pending` taken in. Reads only: returns the
    state, what it decided about the log, and whether anything differs from the stored row."""
    changes = LogChanges()
    state = _decoded(row) if row.base_version == model.version and not rebuild else None
    rebuilt = state is None
    if rebuilt:
        state = _replay(model, row, changes)
    elif pending:
        state = state.copy(row)
    added = _take_in_pending(model, state, pending, changes) if pending else 0
    state.row.event_count += added
    return state, changes, rebuilt or bool(pending)


def _write_log_changes(changes: LogChanges) -> None:
    for ids, new_state in ((changes.learned, LearningEvent.State.LEARNED), (changes.skipped, LearningEvent.State.SKIPPED)):
        if ids:
            LearningEvent.objects.filter(pk__in=ids).update(state=new_state)
    if changes.removed:
        LearningEvent.objects.filter(pk__in=changes.removed).delete()


def _bring_up_to_date(model: ActiveModel, row: MemberModel, *, rebuild: bool = False) -> MemberState:
    """`_state_with_log` written back, `row` locked: the counts saved and the log updated."""
    pending = list(_events(row.member_id, LearningEvent.State.PENDING))
    replayed = rebuild or row.base_version != model.version
    state, changes, changed = _state_with_log(model, row, pending, rebuild=rebuild)
    if changed:
        _write_log_changes(changes)
        state.save(model.version, state.row.event_count)
        if replayed:
            logger.info("rebuilt member model of member %s for model %s", row.member_id, model.version)
    return state


def current_member_state(*, member) -> MemberState | None:
    """The member's model as their whole event log makes it, for reading: the stored counts plus
    the events still pending, added in memory (rebuilt in memory after a retraining until the
    worker has rebuilt it). Writes nothing. None when the model file is unavailable."""
    try:
        model = active_model()
    except ModelUnavailable:
        return None
    row = (
        MemberModel.objects.filter(member_id=member.pk)
        .annotate(has_pending=Exists(LearningEvent.objects.filter(member_id=OuterRef("member_id"), state=LearningEvent.State.PENDING)))
        .first()
    )
    if row is None:  # made at signup; a member from before that only has events
        row = MemberModel(member_id=member.pk, base_version=model.version, recent_counts=[0.0] * N_CLASSES)
        row.has_pending = True
    if row.base_version == model.version and not row.has_pending:
        state = _decoded(row)
        if state is not None:
            return state
    pending = list(_events(member.pk, LearningEvent.State.PENDING)) if row.has_pending else []
    state, _changes, _changed = _state_with_log(model, row, pending)
    return state


def take_in_member_events(*, member_id: int) -> MemberState | None:
    """The worker's job: the member's pending events taken into their stored counts under their
    row's lock (the log says what is pending, so a run that died is simply run again and a
    second run finds nothing to do). Rebuilds the counts after a retraining. None (nothing
    changed) while the model file is unavailable: the events wait in the log."""
    try:
        model = active_model()
    except ModelUnavailable:
        logger.warning("member %s's learning events wait: the model file is unavailable", member_id)
        return None
    with transaction.atomic():
        return _bring_up_to_date(model, _locked_member_model(member_id))


def members_with_pending_events(*, older_than: timedelta = timedelta(0), now: datetime | None = None) -> list[int]:
    cutoff = (now or timezone.now()) - older_than
    return sorted(set(
        LearningEvent.objects.filter(state=LearningEvent.State.PENDING, created_at__lte=cutoff)
        .values_list("member_id", flat=True)
    ))


def sweep_pending_events(*, older_than: timedelta = timedelta(0), show_progress: bool = False) -> int:
    """Take in every member's events still pending after `older_than` (a task that never ran:
    a worker that died, a queue that was down). Returns how many members it took in."""
    member_ids = members_with_pending_events(older_than=older_than)
    for member_id in tqdm(member_ids, desc="대기 중인 학습 반영", disable=not show_progress, unit="명"):
        take_in_member_events(member_id=member_id)
    return len(member_ids)


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
                                     created_at__gt=now - max(_cooldown(), RATE_WINDOW), created_at__lte=now)
        .values_list("activity_id", "created_at", "state")
    )
    if any(activity_id == activity.pk and moment > now - _cooldown() and state != LearningEvent.State.SKIPPED
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

# --- rebuilding -------------------------------------------------------------------


def rebuild_member_models(*, force: bool = False, show_progress: bool = True) -> int:
    """Rebuild every stale member model (all of them with `force`) from the event log."""
    model = active_model()
    stale = MemberModel.objects.all() if force else MemberModel.objects.exclude(base_version=model.version)
    member_ids = list(stale.values_list("member_id", flat=True).order_by("member_id"))
    for member_id in tqdm(member_ids, desc="회원 모델 재구성", disable=not show_progress, unit="명"):
        with transaction.atomic():
            row = MemberModel.objects.select_for_update().get(member_id=member_id)
            _bring_up_to_date(model, row, rebuild=True)
    return len(member_ids)


# --- the similar-activities index ---------------------------------------------------

SIMILAR_STORED = 12  # more than shown: hidden or ended neighbours still leave enough to show


def _similarity_text(activity: Activity) -> str:
    return activity_text(title=activity.title, content=activity.content, intro=activity.intro,
                         address_location=activity.address_location)


@transaction.atomic
def rebuild_similar_activities(*, show_progress: bool = False) -> int:
    """Build the whole index for the current model: vectors of every enabled activity and
    each one's nearest neighbours. Run after training and after loading datasets."""
    model = active_model()
    vectorizer = model.pipeline.named_steps["count_v"]
    activities = list(
        Activity.enabled_objects.filter(club__status=True).order_by("id")
        .only("id", "title", "content", "intro", "address_location")
    )
    texts = [_similarity_text(activity) for activity in tqdm(activities, desc="활동 텍스트", disable=not show_progress)]
    counts = vectorizer.transform(texts) if texts else None
    SimilarActivity.objects.all().delete()
    ActivityVector.objects.all().delete()
    SimilarityIndex.objects.all().delete()
    if counts is None:
        return 0
    idf = similarity.inverse_document_frequency(counts)
    vectors = similarity.tfidf_vectors(counts, idf)
    neighbours, scores = similarity.nearest_neighbours(vectors, vectors, SIMILAR_STORED, exclude=np.arange(len(activities)))
    ActivityVector.objects.bulk_create(
        (ActivityVector(activity=activity, model_version=model.version, data=similarity.vector_to_bytes(vectors[i]))
         for i, activity in enumerate(activities)),
        batch_size=1000,
    )
    SimilarActivity.objects.bulk_create(
        (
            SimilarActivity(activity=activities[i], similar=activities[int(j)], rank=rank, score=float(score),
                            model_version=model.version)
            for i in range(len(activities))
            for rank, (j, score) in enumerate(zip(neighbours[i], scores[i]))
        ),
        batch_size=2000,
    )
    SimilarityIndex.objects.create(model_version=model.version, idf=idf.astype("<f8").tobytes(),
                                   activity_count=len(activities))
    return len(activities)


@transaction.atomic
def refresh_similar_activities(*, activity: Activity) -> bool:
    """Keep the index current when one activity is created or changed: its vector and
    neighbours, and its place in the other activities' lists. Returns False when there is
    no index for the current model (rebuild_similar_activities builds one)."""
    try:
        model = active_model()
    except ModelUnavailable:
        return False
    index = SimilarityIndex.objects.select_for_update().filter(model_version=model.version).first()
    if index is None:
        return False
    SimilarActivity.objects.filter(activity=activity).delete()
    if not (activity.status and activity.club.status):
        ActivityVector.objects.filter(activity=activity).delete()
        SimilarActivity.objects.filter(similar=activity).delete()
        return True
    idf = np.frombuffer(bytes(index.idf), dtype="<f8")
    counts = model.pipeline.named_steps["count_v"].transform([_similarity_text(activity)])
    vector = similarity.tfidf_vectors(counts, idf)
    ActivityVector.objects.update_or_create(
        activity=activity, defaults={"model_version": model.version, "data": similarity.vector_to_bytes(vector)}
    )
    others = list(ActivityVector.objects.exclude(activity=activity).values_list("activity_id", "data"))
    if not others:
        return True
    other_ids = np.array([activity_id for activity_id, _ in others])
    matrix = similarity.vectors_from_bytes([data for _, data in others], counts.shape[1])
    scores_with_new = (matrix @ vector.T).toarray().ravel()
    top = np.argsort(-scores_with_new, kind="stable")[:SIMILAR_STORED]
    SimilarActivity.objects.bulk_create(
        SimilarActivity(activity=activity, similar_id=int(other_ids[i]), rank=rank, score=float(scores_with_new[i]),
                        model_version=model.version)
        for rank, i in enumerate(top)
    )
    # Others whose list it now belongs in: merge it in by score and renumber.
    position = {int(activity_id): i for i, activity_id in enumerate(other_ids)}
    SimilarActivity.objects.filter(similar=activity).delete()
    lists: dict[int, list[tuple[float, int]]] = {}
    for owner_id, similar_id, score in SimilarActivity.objects.filter(activity_id__in=other_ids.tolist()).values_list(
        "activity_id", "similar_id", "score"
    ):
        lists.setdefault(owner_id, []).append((score, similar_id))
    changed = []
    for owner_id in other_ids.tolist():
        current = lists.get(owner_id, [])
        score = float(scores_with_new[position[owner_id]])
        if score <= 0 or (len(current) >= SIMILAR_STORED and score <= min(current)[0]):
            continue
        merged = sorted(current + [(score, activity.id)], key=lambda item: (-item[0], item[1]))[:SIMILAR_STORED]
        changed.append((owner_id, merged))
    if changed:
        SimilarActivity.objects.filter(activity_id__in=[owner for owner, _ in changed]).delete()
        SimilarActivity.objects.bulk_create(
            SimilarActivity(activity_id=owner, similar_id=similar_id, rank=rank, score=score, model_version=model.version)
            for owner, merged in changed
            for rank, (score, similar_id) in enumerate(merged)
        )
    return True


# --- export -----------------------------------------------------------------------


def member_pipeline(*, member):
    """The member's model as an ordinary scikit-learn Pipeline: a copy of the base model
    with `partial_fit` on each event their model learned, as the original kept per member."""
    model = active_model()
    take_in_member_events(member_id=member.pk)  # pending events first, as the worker would
    pipeline = copy.deepcopy(model.pipeline)
    vectorizer, classifier = pipeline.named_steps["count_v"], pipeline.named_steps["mnnb"]
    for event in _events(member.pk, LearningEvent.State.LEARNED).iterator(chunk_size=500):
        classifier.partial_fit(
            vectorizer.transform([learning_text(event.activity)]), [event.category_id],
            classes=list(model.counts.classes), sample_weight=[event.weight],
        )
    return pipeline


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
