"""Experiment arms of the AI tab (RECOMMENDER_EXPERIMENT), assigned by a stable hash."""
from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from recommender.core.engine import ARMS, assign_arm, parse_experiment
from recommender.visitors import Viewer


@lru_cache(maxsize=4)
def _arms(spec: str) -> tuple[tuple[str, float], ...]:
    try:
        return parse_experiment(spec)
    except ValueError as error:
        raise ImproperlyConfigured(f"RECOMMENDER_EXPERIMENT={spec!r}: {error}") from error


def experiment_arms() -> tuple[tuple[str, float], ...]:
    """The configured arms with their weights; empty when no experiment runs."""
    return _arms(settings.RECOMMENDER_EXPERIMENT)


def default_arm() -> str:
    ranking = settings.RECOMMENDER_RANKING
    if ranking not in ARMS:
        raise ImproperlyConfigured(f"RECOMMENDER_RANKING={ranking!r}: choose from {', '.join(ARMS)}")
    return ranking


def arm_for(viewer: Viewer) -> str:
    """The viewer's arm: by member id when logged in, by the visitor cookie otherwise; without
    an experiment (or without either id), the site-wide RECOMMENDER_RANKING."""
    arms = experiment_arms()
    if not arms or (viewer.member_id is None and viewer.visitor_id is None):
        return default_arm()
    return assign_arm(viewer.key, settings.RECOMMENDER_EXPERIMENT_NAME, arms)
