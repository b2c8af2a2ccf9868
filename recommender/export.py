"""A member's model exported as an ordinary scikit-learn Pipeline (export_member_model)."""
from __future__ import annotations

import copy

from recommender.active_model import active_model
from recommender.member_models import events_of, learning_text, take_in_member_events
from recommender.models import LearningEvent


def member_pipeline(*, member):
    """The member's model as an ordinary scikit-learn Pipeline: a copy of the base model
    with `partial_fit` on each event their model learned (what the stored counts add up to)."""
    model = active_model()
    take_in_member_events(member_id=member.pk)  # pending events first, as the worker would
    pipeline = copy.deepcopy(model.pipeline)
    vectorizer, classifier = pipeline.named_steps["count_v"], pipeline.named_steps["mnnb"]
    for event in events_of(member.pk, LearningEvent.State.LEARNED).iterator(chunk_size=500):
        classifier.partial_fit(
            vectorizer.transform([learning_text(event.activity)]), [event.category_id],
            classes=list(model.counts.classes), sample_weight=[event.weight],
        )
    return pipeline
