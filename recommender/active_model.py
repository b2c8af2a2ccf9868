"""The shipped model as the web app uses it: the pipeline plus its counts as plain arrays,
built once per process per model version."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from recommender.core.engine import BaseCounts, sparse_row
from recommender.model_store import LoadedModel, load_model


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the feature cache
class ActiveModel:
    loaded: LoadedModel
    counts: BaseCounts

    @property
    def version(self) -> str:
        return self.loaded.version

    @property
    def pipeline(self):
        return self.loaded.pipeline

    def features(self, text: str) -> dict[int, float]:
        """Token counts of an already preprocessed text, as {feature index: count}."""
        if not text:
            return {}
        return _features(self, text)


_lock = threading.Lock()
_current: dict[int, ActiveModel] = {}


def active_model() -> ActiveModel:
    """The shipped model (raises model_store.ModelUnavailable when missing or corrupt)."""
    loaded = load_model(settings.RECOMMENDER_MODEL_PATH)
    cached = _current.get(id(loaded))
    if cached is not None and cached.loaded is loaded:
        return cached
    with _lock:
        model = ActiveModel(loaded=loaded, counts=BaseCounts.from_estimator(loaded.pipeline.named_steps["mnnb"]))
        _current.clear()
        _current[id(loaded)] = model
        return model


@lru_cache(maxsize=4096)
def _features(model: ActiveModel, text: str) -> dict[int, float]:
    # Activity texts repeat (every view of a popular activity); tokenizing Korean is the slow part.
    return sparse_row(model.pipeline.named_steps["count_v"].transform([text]))
