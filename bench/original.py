"""The original's request, for http_load.py to serve with the same gunicorn and config: per-member
pickles (built by `build_original_models`) and `original_app`, a WSGI app that loads the member's
pickle and asks it on every request.

Only the standard library at the top: gunicorn imports this module (`bench.original:original_app`).
"""
from __future__ import annotations

import json
import os
import re
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL_PATH = "/original/ai-tab/"
ORIGINAL_TRAINING_LISTINGS = 850


def _original_text(*parts: str) -> str:
    """The original's preprocessing: HTML tags out, then everything but Hangul, digits, Latin letters and spaces."""
    text = " ".join(part for part in parts if part)
    text = re.sub(r"<.*?>", "", text).replace('"', "")
    return re.sub(r"[^0-9a-zA-Zㄱ-ㅎ가-힣ㅏ-ㅣ ]", " ", text)


def build_original_models(directory: Path, members: int, seed: int) -> dict:
    """The original's per-member pickles: a CountVectorizer splitting on whitespace + MultinomialNB
    fitted on 850 listings of datasets/raw/activities.csv (category, title, intro, place: the text
    the original learned from), then per member 0–20 `partial_fit` events on other listings, as the
    original's detail page and like did; each member's pipeline `joblib.dump`ed to its own file."""
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline

    from bench.app import CATEGORY_ID_BY_NAME, CATEGORY_NAMES
    from bench.population import KEYWORDS

    frame = pd.read_csv(ROOT / "datasets" / "raw" / "activities.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    texts = [_original_text(row.category_name, row.activity_title, row.activity_intro, row.activity_address_location)
             for row in frame.itertuples(index=False)]
    labels = [CATEGORY_ID_BY_NAME[name] for name in frame["category_name"]]
    train_x, rest_x, train_y, rest_y = train_test_split(texts, labels, train_size=ORIGINAL_TRAINING_LISTINGS,
                                                        stratify=labels, random_state=seed)
    base = Pipeline([("count_v", CountVectorizer(tokenizer=str.split, token_pattern=None)), ("mnnb", MultinomialNB())])
    base.fit(train_x, train_y)
    joblib.dump(base, directory / "base.pkl")  # what the original copied for each new member
    rng = np.random.default_rng(seed)
    classes = sorted(set(labels))
    queries, sizes = [], []
    for member in range(members):
        categories = rng.choice(len(CATEGORY_NAMES), size=int(rng.integers(1, 4)), replace=False) + 1
        query = " ".join([CATEGORY_NAMES[c - 1] for c in categories] + list(KEYWORDS[int(categories[0])]))
        queries.append(_original_text(query))
        events = rng.choice(len(rest_x), size=int(rng.integers(0, 21)), replace=False)
        model = joblib.load(directory / "base.pkl")
        vectorizer, classifier = model.named_steps["count_v"], model.named_steps["mnnb"]
        for event in events:
            classifier.partial_fit(vectorizer.transform([rest_x[event]]), [rest_y[event]], classes=classes)
        path = directory / f"member_{member:05d}.pkl"
        joblib.dump(model, path)
        sizes.append(path.stat().st_size)
    (directory / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
    return {"members": members, "features": len(base.named_steps["count_v"].vocabulary_),
            "pickle_bytes_median": int(statistics.median(sizes)), "training_listings": len(train_x)}


_original_queries: list[str] | None = None


def original_app(environ, start_response):
    """The original's AI tab for a logged-in member, as a WSGI app: load the member's pickle
    (joblib), predict_proba on their interests, answer the two most probable categories as JSON.
    GET /original/ai-tab/?member=N; the files come from $TEENPLAY_ORIGINAL_MODELS."""
    global _original_queries
    import joblib
    from urllib.parse import parse_qs

    directory = Path(os.environ["TEENPLAY_ORIGINAL_MODELS"])
    if _original_queries is None:
        _original_queries = json.loads((directory / "queries.json").read_text())
    try:
        member = int(parse_qs(environ.get("QUERY_STRING", "")).get("member", ["x"])[0])
        query = _original_queries[member]
    except (ValueError, IndexError):
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"no such member"}']
    model = joblib.load(directory / f"member_{member:05d}.pkl")
    probabilities = model.predict_proba([query])[0]
    classes = model.named_steps["mnnb"].classes_
    top = sorted(zip(probabilities.tolist(), classes.tolist()), reverse=True)[:2]
    body = json.dumps({"source": "member", "query": query,
                       "categories": [{"id": int(c), "probability": p} for p, c in top]},
                      ensure_ascii=False, separators=(",", ":")).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
