"""Temporary: the recommender's writes that activity/ and member/ still import from here.

Each lives in the module of its concern (member_models, events, similar). This file only
keeps those apps' imports working until they import from there; delete it then. Nothing
inside recommender/ imports it.
"""
from recommender.events import (
    LearningRateExceeded,
    record_activity_view,
    record_click,
    record_like_after_click,
    record_like_learning,
    record_unlike_learning,
    spend_learning_budget,
)
from recommender.member_models import create_member_model
from recommender.similar import rebuild_similar_activities, refresh_similar_activities

__all__ = [
    "LearningRateExceeded", "create_member_model", "rebuild_similar_activities", "record_activity_view", "record_click",
    "record_like_after_click", "record_like_learning", "record_unlike_learning", "refresh_similar_activities",
    "spend_learning_budget",
]
