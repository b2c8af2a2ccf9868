"""Writes for the recommender: member models, learning events, rebuilding after retraining."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from activity.models import Activity
from activity.reference import CATEGORY_IDS
from recommender.active_model import ActiveModel, active_model
from recommender.engine import MemberDelta, decay
from recommender.model_store import ModelUnavailable
from recommender.models import LearningEvent, MemberModel
from recommender.text import activity_text

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
    try:
        version = active_model().version
    except ModelUnavailable:
        version = ""  # built from the (empty) event log once the model is back
    member_model, _ = MemberModel.objects.get_or_create(
        member=member, defaults={"base_version": version, "recent_counts": [0.0] * N_CLASSES}
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
        row.save()
        return row


def _locked_member_model(member) -> MemberModel:
    """The member's model row, locked for this transaction (created if the member has none)."""
    create_member_model(member=member)
    return MemberModel.objects.select_for_update().get(member=member)


def _replay(model: ActiveModel, row: MemberModel) -> MemberState:
    """A member's state rebuilt from their whole event log on `model`."""
    state = MemberState(row, MemberDelta(N_CLASSES), np.zeros(N_CLASSES), None)
    events = LearningEvent.objects.filter(member_id=row.member_id).select_related("activity__category").order_by("id")
    count = 0
    for event in events.iterator(chunk_size=500):
        state.apply(model, event, model.features(learning_text(event.activity)))
        count += 1
    state.row.event_count = count
    return state


def _current_state(model: ActiveModel, row: MemberModel) -> MemberState:
    if row.base_version == model.version:
        return MemberState.of(row)
    # The base model was retrained: the old counts refer to another vocabulary.
    state = _replay(model, row)
    state.save(model.version, state.row.event_count)
    logger.info("rebuilt member model of member %s for model %s", row.member_id, model.version)
    return state


def ensure_member_model_current(*, member) -> MemberModel | None:
    """Rebuild the member's counts from the event log if the base model changed (lazily,
    on first use). Returns None when the model file is unavailable."""
    try:
        model = active_model()
    except ModelUnavailable:
        return None
    row = MemberModel.objects.filter(member=member).first()
    if row is not None and row.base_version == model.version:
        return row
    with transaction.atomic():
        row = _locked_member_model(member)
        _current_state(model, row)
        return row


# --- learning events ---------------------------------------------------------------


def _learn(*, member, activity: Activity, kind: str, category_id: int, weight: float, now: datetime) -> LearningEvent:
    """Append the event and add it to the member's counts (the caller holds the member's row lock)."""
    event = LearningEvent(member=member, activity=activity, kind=kind, category_id=category_id,
                          weight=weight, created_at=now)
    try:
        model = active_model()
    except ModelUnavailable as error:
        # The log is the source of truth: the counts catch up when the model is back.
        event.save()
        logger.warning("learning event %s logged but not applied: %s", event.pk, error)
        return event
    row = MemberModel.objects.select_for_update().get(member=member)
    state = _current_state(model, row)  # replays the log first if the base model changed
    event.save()
    state.apply(model, event, model.features(learning_text(activity)))
    state.save(model.version, state.row.event_count + 1)
    return event


@transaction.atomic
def record_activity_view(*, member, activity: Activity, now: datetime | None = None) -> LearningEvent | None:
    """A member opened the activity's page. Reloads within the cool-down learn once."""
    now = now or timezone.now()
    _locked_member_model(member)  # serializes this member's events, so the check below is exact
    window = now - timedelta(minutes=settings.RECOMMENDER_VIEW_COOLDOWN_MINUTES)
    if LearningEvent.objects.filter(
        member=member, activity=activity, kind=LearningEvent.Kind.VIEW, created_at__gt=window
    ).exists():
        return None
    return _learn(member=member, activity=activity, kind=LearningEvent.Kind.VIEW, category_id=activity.category_id,
                  weight=settings.RECOMMENDER_EVENT_WEIGHTS["view"], now=now)


def record_like_learning(*, member, activity: Activity, now: datetime | None = None) -> LearningEvent:
    """Learn from a like (call inside the like's transaction)."""
    _locked_member_model(member)
    return _learn(member=member, activity=activity, kind=LearningEvent.Kind.LIKE, category_id=activity.category_id,
                  weight=settings.RECOMMENDER_EVENT_WEIGHTS["like"], now=now or timezone.now())


def record_unlike_learning(*, member, activity: Activity, now: datetime | None = None) -> LearningEvent | None:
    """Remove exactly what the member's last like of this activity added. A like that
    never learned (imported demo data) has nothing to remove."""
    _locked_member_model(member)
    last = (
        LearningEvent.objects.filter(member=member, activity=activity)
        .exclude(kind=LearningEvent.Kind.VIEW).order_by("-id").first()
    )
    if last is None or last.kind != LearningEvent.Kind.LIKE:
        return None
    return _learn(member=member, activity=activity, kind=LearningEvent.Kind.UNLIKE, category_id=last.category_id,
                  weight=-last.weight, now=now or timezone.now())


# --- rebuilding -------------------------------------------------------------------


def rebuild_member_models(*, force: bool = False, show_progress: bool = True) -> int:
    """Rebuild every stale member model (all of them with `force`) from the event log."""
    model = active_model()
    stale = MemberModel.objects.all() if force else MemberModel.objects.exclude(base_version=model.version)
    member_ids = list(stale.values_list("member_id", flat=True).order_by("member_id"))
    for member_id in tqdm(member_ids, desc="회원 모델 재구성", disable=not show_progress, unit="명"):
        with transaction.atomic():
            row = MemberModel.objects.select_for_update().get(member_id=member_id)
            state = _replay(model, row)
            state.save(model.version, state.row.event_count)
    return len(member_ids)
