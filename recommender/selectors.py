"""Reads for the recommender: category predictions from the shipped model."""
from __future__ import annotations

from django.conf import settings

from activity.reference import CATEGORY_NAMES
from recommender.engine import top_categories
from recommender.model_store import LoadedModel, load_model
from recommender.text import query_text


def base_model() -> LoadedModel:
    """The shipped pretrained model (raises ModelUnavailable when missing or corrupt)."""
    return load_model(settings.RECOMMENDER_MODEL_PATH)


def predict_top_categories(text: str, k: int = 3) -> list[dict]:
    """The k most probable categories for a free text, through the shared preprocessing.
    An empty text (after cleaning) predicts nothing."""
    cleaned = query_text(text)
    if not cleaned:
        return []
    pipeline = base_model().pipeline
    probabilities = pipeline.predict_proba([cleaned])[0]
    return [
        {"id": category_id, "name": CATEGORY_NAMES[category_id - 1], "probability": round(probability, 4)}
        for category_id, probability in top_categories(probabilities, pipeline.classes_, k)
    ]
