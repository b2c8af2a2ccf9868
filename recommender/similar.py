"""The similar-activities index: each enabled activity's TF-IDF vector and nearest neighbours,
built after training and loading, and kept current when one activity changes
(selectors.similar_activities reads it)."""
from __future__ import annotations

import numpy as np
from django.db import transaction
from tqdm import tqdm

from activity.models import Activity
from recommender.active_model import active_model
from recommender.core import similarity
from recommender.core.text import activity_text, tokenize_many_for
from recommender.model_store import ModelUnavailable
from recommender.models import ActivityVector, SimilarActivity, SimilarityIndex

SIMILAR_STORED = 12  # more than shown: hidden or ended neighbours still leave enough to show


def _similarity_text(activity: Activity) -> str:
    return activity_text(title=activity.title, content=activity.content, intro=activity.intro,
                         address_location=activity.address_location)


@transaction.atomic
def rebuild_similar_activities(*, show_progress: bool = False) -> int:
    """Build the whole index for the current model: vectors of every enabled activity and
    each one's nearest neighbours. Run after training and after loading datasets."""
    model = active_model()
    vectorizer = model.pipeline.named_steps["count_v"]
    activities = list(
        Activity.enabled_objects.filter(club__status=True).order_by("id")
        .only("id", "title", "content", "intro", "address_location")
    )
    texts = [_similarity_text(activity) for activity in tqdm(activities, desc="활동 텍스트", disable=not show_progress)]
    # One batch, which kiwipiepy spreads over the cores (one text at a time uses one).
    tokenize_many_for(vectorizer, texts)
    counts = vectorizer.transform(texts) if texts else None
    SimilarActivity.objects.all().delete()
    ActivityVector.objects.all().delete()
    SimilarityIndex.objects.all().delete()
    if counts is None:
        return 0
    idf = similarity.inverse_document_frequency(counts)
    vectors = similarity.tfidf_vectors(counts, idf)
    neighbours, scores = similarity.nearest_neighbours(vectors, SIMILAR_STORED)
    # Rows built from ids, not instances: ~65,000 neighbour rows for the demo data, and setting a
    # foreign key through its descriptor costs more than the insert itself.
    ids = [activity.id for activity in activities]
    ActivityVector.objects.bulk_create(
        (ActivityVector(activity_id=activity_id, model_version=model.version, data=similarity.vector_to_bytes(vectors[i]))
         for i, activity_id in enumerate(ids)),
        batch_size=1000,
    )
    SimilarActivity.objects.bulk_create(
        (
            SimilarActivity(activity_id=ids[i], similar_id=ids[int(j)], rank=rank, score=float(score),
                            model_version=model.version)
            for i in range(len(ids))
            for rank, (j, score) in enumerate(zip(neighbours[i], scores[i]))
        ),
        batch_size=2000,
    )
    SimilarityIndex.objects.create(model_version=model.version, idf=idf.astype("<f8").tobytes(),
                                   activity_count=len(activities))
    return len(activities)


@transaction.atomic
def refresh_similar_activities(*, activity: Activity) -> bool:
    """Keep the index current when one activity is created or changed: its vector and
    neighbours, and its place in the other activities' lists. Returns False when there is
    no index for the current model (rebuild_similar_activities builds one)."""
    try:
        model = active_model()
    except ModelUnavailable:
        return False
    index = SimilarityIndex.objects.select_for_update().filter(model_version=model.version).first()
    if index is None:
        return False
    SimilarActivity.objects.filter(activity=activity).delete()
    if not (activity.status and activity.club.status):
        ActivityVector.objects.filter(activity=activity).delete()
        SimilarActivity.objects.filter(similar=activity).delete()
        return True
    idf = np.frombuffer(bytes(index.idf), dtype="<f8")
    counts = model.pipeline.named_steps["count_v"].transform([_similarity_text(activity)])
    vector = similarity.tfidf_vectors(counts, idf)
    ActivityVector.objects.update_or_create(
        activity=activity, defaults={"model_version": model.version, "data": similarity.vector_to_bytes(vector)}
    )
    others = list(ActivityVector.objects.exclude(activity=activity).values_list("activity_id", "data"))
    if not others:
        return True
    other_ids = np.array([activity_id for activity_id, _ in others])
    matrix = similarity.vectors_from_bytes([data for _, data in others], counts.shape[1])
    scores_with_new = similarity.scores_against(matrix, vector)
    top = np.argsort(-scores_with_new, kind="stable")[:SIMILAR_STORED]
    SimilarActivity.objects.bulk_create(
        SimilarActivity(activity=activity, similar_id=int(other_ids[i]), rank=rank, score=float(scores_with_new[i]),
                        model_version=model.version)
        for rank, i in enumerate(top)
    )
    # Others whose list it now belongs in: merge it in by score and renumber.
    position = {int(activity_id): i for i, activity_id in enumerate(other_ids)}
    SimilarActivity.objects.filter(similar=activity).delete()
    lists: dict[int, list[tuple[float, int]]] = {}
    for owner_id, similar_id, score in SimilarActivity.objects.filter(activity_id__in=other_ids.tolist()).values_list(
        "activity_id", "similar_id", "score"
    ):
        lists.setdefault(owner_id, []).append((score, similar_id))
    changed = []
    for owner_id in other_ids.tolist():
        current = lists.get(owner_id, [])
        score = float(scores_with_new[position[owner_id]])
        if score <= 0 or (len(current) >= SIMILAR_STORED and score <= min(current)[0]):
            continue
        merged = sorted(current + [(score, activity.id)], key=lambda item: (-item[0], item[1]))[:SIMILAR_STORED]
        changed.append((owner_id, merged))
    if changed:
        SimilarActivity.objects.filter(activity_id__in=[owner for owner, _ in changed]).delete()
        SimilarActivity.objects.bulk_create(
            SimilarActivity(activity_id=owner, similar_id=similar_id, rank=rank, score=score, model_version=model.version)
            for owner, merged in changed
            for rank, (score, similar_id) in enumerate(merged)
        )
    return True
