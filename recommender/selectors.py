"""Reads for the recommender: category predictions and the AI 추천 활동 tab."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from activity.models import Activity
from activity.reference import CATEGORY_NAMES, REGION_NAMES
from activity.selectors import activity_cards, open_activities
from recommender.active_model import ActiveModel, active_model
from recommender.engine import MemberDelta, RankingSettings, predict_proba, rank_categories, top_categories
from recommender.model_store import ModelUnavailable
from recommender.models import SeasonKeywordSet, SimilarActivity
from recommender.services import N_CLASSES, MemberState, current_member_state
from recommender.text import query_text

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


def season_keywords(*, today: date | None = None) -> str:
    """The operators' keywords for today: the enabled set whose dates contain today, the
    narrowest range first; the built-in default when none does."""
    today = today or timezone.localdate()
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
    Names come from the fixed reference lists, so this is one small query."""
    category_ids = member.favorite_category_links.filter(status=True).order_by("category_id").values_list("category_id", flat=True)
    region = REGION_NAMES[member.region_id - 1] if member.region_id else ""
    return query_text(*(CATEGORY_NAMES[category_id - 1] for category_id in category_ids), *member.keywords, region)


def ranking_settings() -> RankingSettings:
    return RankingSettings(mode=settings.RECOMMENDER_RANKING)


def member_category_probabilities(model: ActiveModel, state: MemberState | None, query: str) -> np.ndarray:
    """Category probabilities for a query: the base model's without a member, else the
    member's ranking (their model's prediction mixed with their recent behaviour)."""
    features = model.features(query)
    if state is None:
        return predict_proba(model.counts, MemberDelta(N_CLASSES), features)
    recent = state.recent_now(timezone.now())
    return rank_categories(model.counts, state.delta, features, recent, float(recent.sum()), ranking_settings())


# --- the AI tab --------------------------------------------------------------------


@dataclass
class RecommendationResult:
    source: str  # "season", "member" or "fallback"
    query: str
    categories: list[dict] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)


def recommended_activities(*, member=None) -> RecommendationResult:
    """The AI 추천 활동 tab: the two most probable categories and their newest activities
    that have not ended (6 + 2, filled from the next categories when one has too few).
    With the model file missing or corrupt: the newest activities, source "fallback"."""
    logged_in = member is not None and member.is_authenticated
    try:
        model = active_model()
        if logged_in:
            state = current_member_state(member=member)
            query = member_query(member)
            probabilities = member_category_probabilities(model, state, query)
            source = "member"
        else:
            query = query_text(season_keywords())
            probabilities = member_category_probabilities(model, None, query)
            source = "season"
    except ModelUnavailable as error:
        logger.warning("AI 추천 활동 falls back to the newest activities: %s", error)
        newest = list(open_activities().order_by("-created_date", "-id").values_list("id", flat=True)[:TAB_SIZE])
        return RecommendationResult("fallback", "", [], _cards(newest, member if logged_in else None))

    ranked = top_categories(probabilities, model.counts.classes, len(model.counts.classes))
    ids = _pick_activity_ids([category_id for category_id, _ in ranked])
    return RecommendationResult(
        source=source,
        query=query,
        categories=[_category(category_id, probability) for category_id, probability in ranked[: len(QUOTAS)]],
        activities=_cards(ids, member if logged_in else None),
    )


def _newest_of_each(category_ids: list[int]) -> dict[int, list[int]]:
    """Up to TAB_SIZE newest open activity ids of each category: a short walk down the
    (category, status, -created_date) index per category, sent as one UNION ALL where the
    database allows ordered, limited parts (PostgreSQL) and as one query each elsewhere."""
    parts = [
        open_activities().filter(category_id=category_id).order_by("-created_date", "-id")
        .values_list("category_id", "created_date", "id")[:TAB_SIZE]
        for category_id in category_ids
    ]
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [row for part in parts for row in part]
    newest: dict[int, list[tuple]] = {category_id: [] for category_id in category_ids}
    for category_id, created, activity_id in rows:
        newest[category_id].append((created, activity_id))
    return {category_id: [activity_id for _, activity_id in sorted(found, reverse=True)] for category_id, found in newest.items()}


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


def _pick_activity_ids(ranked_category_ids: list[int]) -> list[int]:
    """6 from the first category and 2 from the second; a shortfall moves on to the next
    categories in rank order, so the tab shows 8 whenever 8 exist. The top three categories
    almost always suffice; the rest cost one more query."""
    head = ranked_category_ids[:3]
    newest = _newest_of_each(head)
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


def _cards(ids: list[int], member) -> list[Activity]:
    """The cards for these ids in this order, with counts and is_like in one query."""
    by_id = {activity.id: activity for activity in activity_cards(member=member).filter(id__in=ids).defer("content")}
    return [by_id[activity_id] for activity_id in ids if activity_id in by_id]


def similar_activities(*, activity_id: int, member=None, count: int | None = None) -> list[Activity]:
    """The most similar enabled activities, open ones first, from the precomputed index (two queries)."""
    count = count or settings.RECOMMENDER_SIMILAR_COUNT
    ids = list(SimilarActivity.objects.filter(activity_id=activity_id).order_by("rank").values_list("similar_id", flat=True))
    cards = _cards(ids, member)
    # Ones a member can still join come first; ended ones only fill up the list.
    now = timezone.now()
    return sorted(cards, key=lambda activity: activity.activity_end < now)[:count]
