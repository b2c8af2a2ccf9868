"""Per-member models: the state stored per member (the counts their learning events added
to the shared model, and recency-weighted counts per category), decoding it, replaying the event
log into it, taking pending events in, and rebuilding after the shared model is retrained."""
from __future__ import annotations

import copy
import logging
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from tqdm import tqdm

from activity.models import Activity
from reference import CATEGORY_IDS
from recommender.active_model import ActiveModel, active_model
from recommender.core.engine import MemberDelta, decay
from recommender.core.text import activity_text
from recommender.events import view_cooldown
from recommender.model_store import ModelUnavailable
from recommender.models import LearningEvent, MemberModel

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


def events_of(member_id: int, state: int):
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
    events = list(events_of(row.member_id, LearningEvent.State.LEARNED).iterator(chunk_size=500))
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


def _take_in_pending(model: ActiveModel, state: MemberState, pending: list[LearningEvent], changes: LogChanges) -> int:
    """Apply the pending events to `state` in log order and note in `changes` which are learned;
    returns by how much the member's learned-event count grows. A view within the cool-down
    after a learned view of the same activity (two reloads that passed the request's check at
    the same moment) is skipped instead."""
    views = [event for event in pending if event.kind == LearningEvent.Kind.VIEW]
    learned_views: dict[int, list[datetime]] = {}
    if views:
        earliest = min(event.created_at for event in views) - view_cooldown()
        for activity_id, moment in LearningEvent.objects.filter(
            member_id=state.row.member_id, kind=LearningEvent.Kind.VIEW, state=LearningEvent.State.LEARNED,
            activity_id__in={event.activity_id for event in views}, created_at__gt=earliest,
        ).values_list("activity_id", "created_at"):
            learned_views.setdefault(activity_id, []).append(moment)
    learned, cancelled = [], set()
    likes_here: dict[int, LearningEvent] = {}
    for event in pending:
        if event.kind == LearningEvent.Kind.VIEW:
            window_start = event.created_at - view_cooldown()
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
    pending = list(events_of(row.member_id, LearningEvent.State.PENDING))
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
    pending = list(events_of(member.pk, LearningEvent.State.PENDING)) if row.has_pending else []
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
