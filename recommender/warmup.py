"""Loading what the first request would otherwise wait for: the shipped model, the tokenizer and
its related-words model, and the words every member's query is made of."""
import logging
import time

from django.conf import settings

from reference import CATEGORY_NAMES, REGION_NAMES
from recommender.active_model import active_model
from recommender.model_store import ModelUnavailable
from recommender.core.text import query_text

logger = logging.getLogger(__name__)


def warm_up() -> bool:
    """Load the model and tokenizer and put the season keywords and every category and region
    name through them (their features are cached). Returns False, after logging why, when the
    model file is unavailable: the site then serves its newest-activities fallback."""
    started = time.perf_counter()
    try:
        model = active_model()
    except ModelUnavailable as error:
        logger.warning("warm-up skipped: %s", error)
        return False
    for words in (settings.RECOMMENDER_DEFAULT_SEASON_KEYWORDS, *CATEGORY_NAMES, *REGION_NAMES):
        model.features(query_text(words))
    logger.info("recommender warmed up in %.1f s (model %s)", time.perf_counter() - started, model.version)
    return True
