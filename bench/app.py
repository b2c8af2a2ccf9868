"""Every name bench/ takes from the project's apps, and the module it lives in: the one place to
change when app code moves. Names are imported on first use (`app.like_activity_and_learn`,
`from bench.app import Activity`), so Django must be set up before a model or a service is used."""
from __future__ import annotations

import importlib
from typing import Any

WHERE = {
    # models
    "Activity": "activity.models",
    "ActivityLike": "activity.models",
    "ActivityMember": "activity.models",
    "Club": "activity.models",
    "Member": "member.models",
    "MemberFavoriteCategory": "member.models",
    "Click": "recommender.models",
    "Impression": "recommender.models",
    "LearningEvent": "recommender.models",
    "MemberModel": "recommender.models",
    # fixed reference lists
    "CATEGORY_IDS": "reference",
    "CATEGORY_ID_BY_NAME": "reference",
    "CATEGORY_NAMES": "reference",
    "REGION_NAMES": "reference",
    # the request path: a view, a like, and the take-in the task worker runs after them
    "like_activity_and_learn": "recommender.likes",
    "record_activity_view": "recommender.events",
    "take_in_member_events": "recommender.member_models",
    "current_member_state": "recommender.member_models",
    "learning_text": "recommender.member_models",
    "MemberState": "recommender.member_models",
    "N_CLASSES": "recommender.member_models",
    "rebuild_similar_activities": "recommender.similar",
    # the model and its arithmetic (simulate_personalization.py uses the engine without Django)
    "active_model": "recommender.active_model",
    "BaseCounts": "recommender.core.engine",
    "MemberDelta": "recommender.core.engine",
    "RankingSettings": "recommender.core.engine",
    "WithinCategorySettings": "recommender.core.engine",
    "decay": "recommender.core.engine",
    "order_within_category": "recommender.core.engine",
    "predict_proba": "recommender.core.engine",
    "rank_categories": "recommender.core.engine",
    "sparse_row": "recommender.core.engine",
    "top_categories": "recommender.core.engine",
    "activity_text": "recommender.core.text",
    "query_text": "recommender.core.text",
    # reads
    "RecommendationSerializer": "recommender.apis",
    "recommended_activities": "recommender.selectors",
    "similar_activities": "recommender.selectors",
    "recommendation_report": "recommender.selectors",
    "member_query": "recommender.selectors",
    "member_category_probabilities": "recommender.selectors",
    "_pick_activity_ids": "recommender.selectors",
    "_cards": "recommender.selectors",  # gone: cards are read in activity.selectors now (see profiling.py)
    "ShownCards": "recommender.tokens",
    # the timing points a benchmark listens to
    "listening": "teenplay.instrumentation",
}

# Caches of tokenized texts: (module, attribute) of each functools.lru_cache.
TOKEN_CACHES = (("recommender.active_model", "_features"), ("recommender.core.text", "_morphemes"))

# The name of the timed block around the learning part of a like (`with timed("like_learning")`).
LIKE_LEARNING = "like_learning"


def __getattr__(name: str) -> Any:
    if name not in WHERE:
        raise AttributeError(f"bench.app has no {name!r}: add it to WHERE")
    return getattr(importlib.import_module(WHERE[name]), name)


def optional(name: str) -> Any | None:
    """The named object, or None when its module no longer has it."""
    return getattr(importlib.import_module(WHERE[name]), name, None)


def clear_token_caches() -> None:
    """Forget tokenized texts, so the next event pays for tokenizing a new activity's text."""
    for module, attribute in TOKEN_CACHES:
        cached = getattr(importlib.import_module(module), attribute, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
