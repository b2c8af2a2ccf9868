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
    "record_activity_view": "recommender.services",
    "take_in_member_events": "recommender.services",
    "current_member_state": "recommender.services",
    "learning_text": "recommender.services",
    "MemberState": "recommender.services",
    "N_CLASSES": "recommender.services",
    "rebuild_similar_activities": "recommender.services",
    # the model and its arithmetic (simulate_personalization.py uses the engine without Django)
    "active_model": "recommender.active_model",
    "BaseCounts": "recommender.engine",
    "MemberDelta": "recommender.engine",
    "RankingSettings": "recommender.engine",
    "WithinCategorySettings": "recommender.engine",
    "decay": "recommender.engine",
    "order_within_category": "recommender.engine",
    "predict_proba": "recommender.engine",
    "rank_categories": "recommender.engine",
    "sparse_row": "recommender.engine",
    "top_categories": "recommender.engine",
    "activity_text": "recommender.text",
    "query_text": "recommender.text",
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
TOKEN_CACHES = (("recommender.active_model", "_features"), ("recommender.text", "_morphemes"))

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
