"""Reads for the recommender: category predictions and the AI 추천 활동 tab."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from activity import selectors as activity_selectors
from activity.models import Activity, Club
from reference import CATEGORY_NAMES, REGION_NAMES
from activity.selectors import cards_in_order, cards_of_kept_ids, open_activities
from member.selectors import favorite_category_ids
from recommender.active_model import ActiveModel, active_model
from recommender.core.engine import (
    MemberDelta,
    RankingSettings,
    WithinCategorySettings,
    order_within_category,
    predict_proba,
    rank_categories,
    top_categories,
    wilson_interval,
)
from recommender.experiments import arm_for
from recommender.model_store import ModelUnavailable
from recommender.models import (
    Click,
    EventPrune,
    Impression,
    LearningEvent,
    MemberModel,
    SeasonKeywordSet,
    SimilarActivity,
    Tab,
)
from recommender.member_models import N_CLASSES, MemberState, current_member_state
from recommender.core.text import activity_text, query_text
from recommender.tokens import ShownCards
from recommender.visitors import Viewer
from teenplay.caching import ExpiringCache

logger = logging.getLogger(__name__)

TAB_SIZE = 8
QUOTAS = (6, 2)  # newest of the first category, newest of the second


def predict_top_categories(text: str, k: int = 3) -> list[dict]:
    """The k most probable categories for a free text, through the shared preprocessing.
    An empty text (after cleaning) predicts nothing."""
    cleaned = query_text(text)
    if not cleaned:
        return []
    pipeline = active_model().pipeline
    probabilities = pipeline.predict_proba([cleaned])[0]
    return [
        _category(category_id, probability, digits=4)
        for category_id, probability in top_categories(probabilities, pipeline.classes_, k)
    ]


def _category(category_id: int, probability: float, digits: int | None = None) -> dict:
    probability = float(probability) if digits is None else round(float(probability), digits)
    return {"id": int(category_id), "name": CATEGORY_NAMES[category_id - 1], "probability": probability}


# --- what to ask ------------------------------------------------------------------


# Every logged-out AI tab asks for today's season keywords: kept a minute per process, emptied
# in the process where an operator saves a keyword set.
_season_cache: ExpiringCache[str] = ExpiringCache(
    "recommender.season", lambda: settings.RECOMMENDER_SEASON_CACHE_SECONDS, cleared_by=(SeasonKeywordSet,)
)


def season_keywords(*, today: date | None = None) -> str:
    """The operators' keywords for today: the enabled set whose dates contain today, the
    narrowest range first; the built-in default when none does."""
    today = today or timezone.localdate()
    return _season_cache.get(today, lambda: _season_keywords_of(today))


def _season_keywords_of(today: date) -> str:
    candidates = SeasonKeywordSet.objects.filter(is_enabled=True).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=today), Q(end_date__isnull=True) | Q(end_date__gte=today)
    )

    def span(keyword_set):
        start = keyword_set.start_date or date.min
        end = keyword_set.end_date or date.max
        return (end - start).days, -keyword_set.id

    chosen = min(candidates, key=span, default=None)
    return chosen.keywords if chosen else settings.RECOMMENDER_DEFAULT_SEASON_KEYWORDS


def member_query(member) -> str:
    """Favourite category names, three keywords and region, through the shared preprocessing.
    The favourites are member.selectors' one read of them (one small query); names come from
    the fixed reference lists."""
    category_ids = favorite_category_ids(member=member)
    region = REGION_NAMES[member.region_id - 1] if member.region_id else ""
    return query_text(*(CATEGORY_NAMES[category_id - 1] for category_id in category_ids), *member.keywords, region)


def ranking_settings(arm: str | None = None) -> RankingSettings:
    """The category ranking of an arm: `plain` is the member model's prediction alone, `personal`
    and `ranked` mix in the member's recent behaviour."""
    arm = arm or settings.RECOMMENDER_RANKING
    return RankingSettings(mode="plain" if arm == "plain" else "personal")


def member_category_probabilities(model: ActiveModel, state: MemberState | None, query: str,
                                  arm: str | None = None) -> np.ndarray:
    """Category probabilities for a query: the base model's without a member, else the
    member's ranking (their model's prediction mixed with their recent behaviour)."""
    features = model.features(query)
    if state is None:
        return predict_proba(model.counts, MemberDelta(N_CLASSES), features)
    recent = state.recent_now(timezone.now())
    return rank_categories(model.counts, state.delta, features, recent, float(recent.sum()), ranking_settings(arm))


# --- the AI tab --------------------------------------------------------------------


@dataclass
class RecommendationResult:
    source: str  # "season", "member" or "fallback"
    query: str
    categories: list[dict] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    arm: str = ""
    model_version: str = ""
    recommendation_id: str = ""  # set by ai_tab: ties the impressions and clicks of this answer
    impression_token: str = ""


def recommended_activities(*, member=None, arm: str | None = None) -> RecommendationResult:
    """The AI 추천 활동 tab: the two most probable categories and their newest activities
    that have not ended (6 + 2, filled from the next categories when one has too few).
    With the model file missing or corrupt: the newest activities, source "fallback".

    `arm` (default RECOMMENDER_RANKING): `plain` ranks categories by the model's prediction alone; `personal`
    mixes in the member's behaviour; `ranked` picks the same categories as `personal` but orders
    the activities inside the two shown categories by the member's own model and freshness."""
    arm = arm or settings.RECOMMENDER_RANKING
    logged_in = member is not None and member.is_authenticated
    state = None
    try:
        model = active_model()
        if logged_in:
            state = current_member_state(member=member)
            query = member_query(member)
            probabilities = member_category_probabilities(model, state, query, arm)
            source = "member"
        else:
            query = query_text(season_keywords())
            probabilities = member_category_probabilities(model, None, query, arm)
            source = "season"
    except ModelUnavailable as error:
        logger.warning("AI 추천 활동 falls back to the newest activities: %s", error)
        newest = list(open_activities().order_by("-created_date", "-id").values_list("id", flat=True)[:TAB_SIZE])
        return RecommendationResult("fallback", "", [], cards_in_order(newest, member=member if logged_in else None), arm=arm)

    ranked = top_categories(probabilities, model.counts.classes, len(model.counts.classes))
    ranked_ids = [category_id for category_id, _ in ranked]

    def pick() -> list[int]:
        if arm == "ranked" and state is not None and not state.delta.is_empty:
            return _pick_activity_ids(ranked_ids, first=_ordered_by_member(model, state, ranked_ids[: len(QUOTAS)]))
        return _pick_activity_ids(ranked_ids)

    cards = cards_of_kept_ids(pick, kept=_newest_cache, member=member if logged_in else None, open_only=True)
    return RecommendationResult(
        source=source,
        query=query,
        categories=[_category(category_id, probability) for category_id, probability in ranked[: len(QUOTAS)]],
        activities=cards,
        arm=arm,
        model_version=model.version,
    )


def _ordered_by_member(model: ActiveModel, state: MemberState, category_ids: list[int]) -> dict[int, list[int]]:
    """The `ranked` arm: each category's newest open activities (up to the candidates setting)
    ordered by engine.order_within_category — the lift of their text under the member's counts,
    mixed with freshness. Texts are what learning events learn from; their features are cached."""
    within = WithinCategorySettings()
    now = timezone.now()
    ordered: dict[int, list[int]] = {}
    for category_id in category_ids:
        rows = list(
            open_activities().filter(category_id=category_id).order_by("-created_date", "-id")
            .values_list("id", "title", "intro", "address_location", "created_date")[: within.candidates]
        )
        name = CATEGORY_NAMES[category_id - 1]
        documents = [
            model.features(activity_text(category_name=name, title=title, intro=intro, address_location=place))
            for _, title, intro, place, _ in rows
        ]
        ages = np.array([(now - created).total_seconds() / 86400.0 for *_, created in rows])
        order = order_within_category(model.counts, state.delta, model.counts.class_index(category_id), documents,
                                      ages, within)
        ordered[category_id] = [rows[i][0] for i in order]
    return ordered


# Each category's newest open activities, kept a few seconds per process with their end times,
# so a tab never lists one that has ended since; the cards are loaded fresh (cards_in_order).
NEWEST_KEPT = 2 * TAB_SIZE
_newest_cache: ExpiringCache[list[tuple]] = ExpiringCache(
    "recommender.newest", lambda: settings.RECOMMENDER_NEWEST_CACHE_SECONDS, cleared_by=(Activity, Club)
)


def _newest_of_each(category_ids: list[int]) -> dict[int, list[int]]:
    """Up to TAB_SIZE newest open activity ids of each category, from the per-process cache."""
    now = timezone.now()

    def still_open(category_id: int) -> list[int]:
        return [activity_id for activity_id, ends in kept[category_id] if ends >= now]

    kept = _newest_cache.get_many(category_ids, _query_newest_of_each)
    # A full list that has too few left open (they ended since): asked again, and kept in its place.
    short = [category_id for category_id in category_ids
             if len(kept[category_id]) == NEWEST_KEPT and len(still_open(category_id)) < TAB_SIZE]
    if short:
        _newest_cache.discard(short)
        kept.update(_newest_cache.get_many(short, _query_newest_of_each))
    return {category_id: still_open(category_id)[:TAB_SIZE] for category_id in category_ids}


def _query_newest_of_each(category_ids: list[int]) -> dict[int, list[tuple]]:
    """Up to NEWEST_KEPT newest open (id, end) of each category: a short walk down the
    (category, status, -created_date) index per category, sent as one UNION ALL where the
    database allows ordered, limited parts (PostgreSQL) and as one query each elsewhere."""
    parts = [
        open_activities().filter(category_id=category_id).order_by("-created_date", "-id")
        .values_list("category_id", "created_date", "id", "activity_end")[:NEWEST_KEPT]
        for category_id in category_ids
    ]
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [row for part in parts for row in part]
    newest: dict[int, list[tuple]] = {category_id: [] for category_id in category_ids}
    for category_id, created, activity_id, ends in rows:
        newest[category_id].append((created, activity_id, ends))
    return {category_id: [(activity_id, ends) for _, activity_id, ends in sorted(found, reverse=True)]
            for category_id, found in newest.items()}


def _newest_per_category(category_ids: list[int]) -> dict[int, list[int]]:
    """Up to TAB_SIZE newest open activity ids for each of the given categories, in one query
    (a window over all of them: used only for the rarely needed rest)."""
    rows = (
        open_activities()
        .filter(category_id__in=category_ids)
        .annotate(newest_rank=Window(RowNumber(), partition_by=F("category_id"), order_by=[F("created_date").desc(), F("id").desc()]))
        .filter(newest_rank__lte=TAB_SIZE)
        .values_list("category_id", "id")
        .order_by("category_id", "newest_rank")
    )
    newest: dict[int, list[int]] = {category_id: [] for category_id in category_ids}
    for category_id, activity_id in rows:
        newest[category_id].append(activity_id)
    return newest


def _pick_activity_ids(ranked_category_ids: list[int], first: dict[int, list[int]] | None = None) -> list[int]:
    """6 from the first category and 2 from the second; a shortfall moves on to the next
    categories in rank order, so the tab shows 8 whenever 8 exist. The top three categories
    almost always suffice; the rest cost one more query. `first` gives some categories' own
    order (the `ranked` arm) instead of newest first."""
    first = first or {}
    head = ranked_category_ids[:3]
    newest = _newest_of_each([category_id for category_id in head if category_id not in first])
    newest.update(first)
    picked = _fill(ranked_category_ids, newest)
    if len(picked) < TAB_SIZE and len(ranked_category_ids) > len(head):
        newest.update(_newest_per_category(ranked_category_ids[len(head):]))
        picked = _fill(ranked_category_ids, newest)
    return picked


def _fill(ranked_category_ids: list[int], newest: dict[int, list[int]]) -> list[int]:
    picked: list[int] = []
    shortfall = 0
    for position, category_id in enumerate(ranked_category_ids):
        wanted = (QUOTAS[position] if position < len(QUOTAS) else 0) + shortfall
        taken = newest.get(category_id, [])[:wanted]
        picked.extend(taken)
        shortfall = wanted - len(taken)
    # Still short (e.g. the first category has more than 6 and the rest too few): top up in rank order.
    for category_id in ranked_category_ids:
        for activity_id in newest.get(category_id, []):
            if len(picked) >= TAB_SIZE:
                return picked
            if activity_id not in picked:
                picked.append(activity_id)
    return picked[:TAB_SIZE]


def similar_activities(*, activity_id: int, member=None, count: int | None = None) -> list[Activity]:
    """The most similar enabled activities, open ones first, from the precomputed index (two queries)."""
    count = count or settings.RECOMMENDER_SIMILAR_COUNT
    ids = list(SimilarActivity.objects.filter(activity_id=activity_id).order_by("rank").values_list("similar_id", flat=True))
    cards = cards_in_order(ids, member=member)
    # Ones a member can still join come first; ended ones only fill up the list.
    now = timezone.now()
    return sorted(cards, key=lambda activity: activity.activity_end < now)[:count]


# --- online evaluation: signed lists of shown cards, the report, the dashboard -----------


def shown_cards(*, tab: str, activities: list[Activity], viewer: Viewer, arm: str, source: str = "",
                model_version: str = "") -> ShownCards:
    """The list of cards a tab is about to show this viewer, with a new recommendation id.
    Nothing is stored: the impressions endpoint gets it back signed (ShownCards.token)."""
    return ShownCards(
        recommendation_id=uuid.uuid4(), tab=tab, source=source, arm=arm, model_version=model_version,
        activity_ids=tuple(activity.id for activity in activities),
        category_ids=tuple(activity.category_id for activity in activities), viewer_key=viewer.key,
    )


def ai_tab(*, member, viewer: Viewer) -> RecommendationResult:
    """The AI tab for this viewer in their experiment arm, with its recommendation id and the
    signed list its impressions are checked against."""
    result = recommended_activities(member=member, arm=arm_for(viewer))
    shown = shown_cards(tab=Tab.AI, activities=result.activities, viewer=viewer, arm=result.arm,
                        source=result.source, model_version=result.model_version)
    result.recommendation_id = shown.recommendation_id.hex
    result.impression_token = shown.token
    return result


@dataclass
class MainTabs:
    popular: list[Activity]
    newest: list[Activity]
    popular_shown: ShownCards
    newest_shown: ShownCards


def main_tabs(*, member, viewer: Viewer) -> MainTabs:
    """The main page's 인기 and 최신 tabs, each with its signed list of shown cards."""
    popular = activity_selectors.popular_activities(member=member)
    newest = activity_selectors.newest_activities(member=member)
    arm = arm_for(viewer)
    return MainTabs(
        popular, newest,
        shown_cards(tab=Tab.POPULAR, activities=popular, viewer=viewer, arm=arm),
        shown_cards(tab=Tab.NEWEST, activities=newest, viewer=viewer, arm=arm),
    )


TAB_ORDER = {Tab.AI: 0, Tab.POPULAR: 1, Tab.NEWEST: 2}


@dataclass
class ReportRow:
    tab: str
    source: str
    arm: str
    model_version: str
    impressions: int = 0
    clicks: int = 0
    likes_after_click: int = 0

    @property
    def ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0

    @property
    def ctr_interval(self) -> tuple[float, float]:
        return wilson_interval(min(self.clicks, self.impressions), self.impressions)

    @property
    def ctr_display(self) -> str:
        return f"{100 * self.ctr:.2f}%"

    @property
    def interval_display(self) -> str:
        low, high = self.ctr_interval
        return f"{100 * low:.2f}–{100 * high:.2f}%"

    @property
    def tab_label(self) -> str:
        return Tab(self.tab).label

    def as_dict(self) -> dict:
        return {"tab": self.tab, "source": self.source, "arm": self.arm, "model_version": self.model_version,
                "impressions": self.impressions, "clicks": self.clicks, "ctr": round(self.ctr, 6),
                "likes_after_click": self.likes_after_click}


@dataclass
class RecommendationReport:
    start: datetime
    end: datetime
    rows: list[ReportRow]
    cut_before: datetime | None  # impressions and clicks before this were deleted (retention)
    retention_days: int

    def as_dict(self) -> dict:
        return {
            "from": timezone.localtime(self.start).isoformat(),
            "to": timezone.localtime(self.end).isoformat(),
            "rows": [row.as_dict() for row in self.rows],
            "retention_days": self.retention_days,
            "cut_before": timezone.localtime(self.cut_before).isoformat() if self.cut_before else None,
        }


def recommendation_report(*, days: int, now: datetime | None = None) -> RecommendationReport:
    """Impressions, clicks, CTR and likes after a click over the last `days` days, one row per
    tab × source × arm × model version (two grouped queries over the created_at indexes)."""
    end = now or timezone.now()
    start = end - timedelta(days=days)
    keys = ("tab", "source", "arm", "model_version")
    rows: dict[tuple, ReportRow] = {}
    for values in (Impression.objects.filter(created_at__gte=start, created_at__lt=end)
                   .values(*keys).annotate(count=Count("id")).order_by()):
        key = tuple(values[k] for k in keys)
        rows.setdefault(key, ReportRow(*key)).impressions = values["count"]
    for values in (Click.objects.filter(created_at__gte=start, created_at__lt=end).values(*keys)
                   .annotate(count=Count("id"), liked=Count("id", filter=Q(liked_at__isnull=False))).order_by()):
        key = tuple(values[k] for k in keys)
        row = rows.setdefault(key, ReportRow(*key))
        row.clicks, row.likes_after_click = values["count"], values["liked"]
    ordered = sorted(rows.values(), key=lambda r: (TAB_ORDER.get(r.tab, 9), r.source, r.arm, r.model_version))
    prune = EventPrune.objects.filter(cutoff__gt=start).order_by("-cutoff").first()
    return RecommendationReport(start, end, ordered, prune.cutoff if prune else None,
                                settings.RECOMMENDER_EVENTS_RETENTION_DAYS)


def daily_click_through(*, by: str, days: int = 30, now: datetime | None = None) -> dict:
    """Per local day of the last `days` days, impressions and clicks per `by` ("tab" or "arm",
    the AI tab only for arms): {"days": [date, ...], "series": {name: [(impressions, clicks), ...]}}."""
    end = now or timezone.now()
    first_day = timezone.localdate(end) - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    day_list = [first_day + timedelta(days=n) for n in range(days)]
    index = {day: n for n, day in enumerate(day_list)}
    series: dict[str, list[list[int]]] = {}
    for slot, model in ((0, Impression), (1, Click)):
        queryset = model.objects.filter(created_at__gte=start, created_at__lt=end)
        if by == "arm":
            queryset = queryset.filter(tab=Tab.AI)
        for values in (queryset.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
                       .values("day", by).annotate(count=Count("id")).order_by()):
            name = values[by] or "-"
            counts = series.setdefault(name, [[0, 0] for _ in day_list])
            if values["day"] in index:
                counts[index[values["day"]]][slot] = values["count"]
    return {"days": day_list, "series": {name: [tuple(pair) for pair in counts] for name, counts in series.items()}}


def learning_events_per_day(*, days: int = 30, now: datetime | None = None) -> dict:
    end = now or timezone.now()
    first_day = timezone.localdate(end) - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    day_list = [first_day + timedelta(days=n) for n in range(days)]
    counts = {kind: [0] * days for kind in LearningEvent.Kind.values}
    for values in (LearningEvent.objects.filter(created_at__gte=start, created_at__lt=end)
                   .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
                   .values("day", "kind").annotate(count=Count("id")).order_by()):
        offset = (values["day"] - first_day).days
        if 0 <= offset < days:
            counts[values["kind"]][offset] = values["count"]
    return {"days": day_list, "series": counts}


@dataclass
class LearningHealth:
    pending: int
    oldest_pending_at: datetime | None
    members_with_models: int
    members_who_learned: int
    last_taken_in_at: datetime | None
    last_prune: EventPrune | None

    @property
    def oldest_pending_age(self) -> timedelta | None:
        return timezone.now() - self.oldest_pending_at if self.oldest_pending_at else None


def learning_health() -> LearningHealth:
    pending = LearningEvent.objects.filter(state=LearningEvent.State.PENDING)
    summary = pending.aggregate(count=Count("id"), oldest=Min("created_at"))
    models = MemberModel.objects.aggregate(count=Count("id"), learned=Count("id", filter=Q(event_count__gt=0)),
                                           last=Max("updated_date", filter=Q(event_count__gt=0)))
    return LearningHealth(summary["count"], summary["oldest"], models["count"], models["learned"], models["last"],
                          EventPrune.objects.order_by("-ran_at").first())


def most_recommended_categories(*, days: int = 30, limit: int = 13, now: datetime | None = None) -> list[dict]:
    """The categories the AI tab showed most over the last `days` days, with their clicks."""
    end = now or timezone.now()
    start = end - timedelta(days=days)
    shown = dict(Impression.objects.filter(tab=Tab.AI, created_at__gte=start, created_at__lt=end)
                 .values_list("category_id").annotate(count=Count("id")).order_by())
    clicked = dict(Click.objects.filter(tab=Tab.AI, created_at__gte=start, created_at__lt=end)
                   .values_list("category_id").annotate(count=Count("id")).order_by())
    total = sum(shown.values()) or 1
    rows = [
        {"id": category_id, "name": CATEGORY_NAMES[category_id - 1] if category_id else "-", "impressions": count,
         "share": f"{100 * count / total:.1f}%", "clicks": clicked.get(category_id, 0)}
        for category_id, count in shown.items()
    ]
    return sorted(rows, key=lambda row: (-row["impressions"], row["id"] or 0))[:limit]


def model_card() -> dict | None:
    """What the dashboard shows about the shipped model: its metrics file (None when unavailable)."""
    try:
        metadata = active_model().loaded.metadata
    except ModelUnavailable:
        return None
    held_out, check_set = metadata.get("held_out") or {}, metadata.get("check_set") or {}
    real = metadata.get("real_text") or metadata.get("real") or {}
    return {
        "version": metadata.get("version", ""),
        "trained_at": metadata.get("trained_at", ""),
        "tokenizer": metadata.get("tokenizer", ""),
        "training_rows": metadata.get("training_rows"),
        "rows_per_category": list((metadata.get("training_rows_per_category") or {}).items()),
        "metrics": [
            (label, values) for label, values in (("검증 분할(held-out)", held_out), ("점검 세트(check set)", check_set),
                                                ("실제 문장(real text)", real)) if values
        ],
        "has_confusion_picture": confusion_picture_path() is not None,
    }


def confusion_picture_path():
    """The normalized confusion matrix written next to the shipped model (a path from settings only)."""
    directory = settings.RECOMMENDER_MODEL_PATH.parent
    for name in ("confusion_matrix_normalized.png", "confusion_matrix.png"):
        if (directory / name).is_file():
            return directory / name
    return None
