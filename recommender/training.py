"""Training, evaluation and export of the pretrained category classifier.

CountVectorizer -> MultinomialNB in a Pipeline whose steps are named `count_v` and
`mnnb`, so `named_steps` code and per-member `partial_fit` find the steps by name.
No Django import: the management command and the notebooks call these functions.
"""
from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline

from reference import CATEGORY_ID_BY_NAME, CATEGORY_IDS, CATEGORY_NAMES
from recommender.evaluation import LabelledText, draw_confusion_matrix, evaluate_pipeline, public_report
from recommender.model_store import METRICS_FILENAME, sha256_of
from teenplay.files import replaced_together
from recommender.core.text import (
    activity_text, char_ngrams, kiwi_morphemes, morphemes_and_char_ngrams, morphemes_related_and_char_ngrams,
    FEATURE_CHARS, query_text, tokenize_many,
)

MODEL_FILENAME = "activity_recommender.pkl"
CONFUSION_FILENAME = "confusion_matrix.png"
CONFUSION_NORMALIZED_FILENAME = "confusion_matrix_normalized.png"
SPLIT_RANDOM_STATE = 124
TEST_SIZE = 0.2
# Listings whose first 120 characters share this much of their 2–3-grams are one series.
SERIES_SIMILARITY = 0.5
SERIES_OPENING_CHARS = 120
REAL_TEXT_HEADLINE = ("rows", "f1_macro", "accuracy", "top2")  # per real-text file in the comparison

# `whitespace` splits on spaces and punctuation (kept for comparison); the others read Korean.
TOKENIZERS: dict[str, Callable[[], CountVectorizer]] = {
    "whitespace": lambda: CountVectorizer(),
    "kiwi": lambda: CountVectorizer(tokenizer=kiwi_morphemes, lowercase=False, token_pattern=None),
    "char": lambda: CountVectorizer(analyzer=char_ngrams),
    "kiwi+char": lambda: CountVectorizer(analyzer=morphemes_and_char_ngrams),
    # Terms seen in one listing only are dropped: half the vocabulary, no measurable loss.
    "kiwi+related+char": lambda: CountVectorizer(analyzer=morphemes_related_and_char_ngrams, min_df=2),
}
DEFAULT_TOKENIZER = "kiwi+related+char"
DEFAULT_ALPHA = 0.1


class TrainingDataError(ValueError):
    """The rows to train on are unusable (missing columns, unknown categories, too few rows)."""


@dataclass(frozen=True)
class TrainingReport:
    model_path: Path
    metrics_path: Path
    picture_paths: tuple[Path, ...]
    metadata: dict


def build_pipeline(tokenizer: str = DEFAULT_TOKENIZER, alpha: float = DEFAULT_ALPHA) -> Pipeline:
    if tokenizer not in TOKENIZERS:
        raise ValueError(f"unknown tokenizer {tokenizer!r}; choose one of {', '.join(TOKENIZERS)}")
    return Pipeline([("count_v", TOKENIZERS[tokenizer]()), ("mnnb", MultinomialNB(alpha=alpha))])


# --- rows -> features and target -------------------------------------------


def features_and_target(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Feature text and category id (1–13) from exported activity rows (or raw rows that
    carry `category_name` instead of `category_id`)."""
    required = ("activity_title", "activity_content", "activity_intro", "activity_address_location")
    missing = [column for column in required if column not in frame.columns]
    if "category_id" not in frame.columns and "category_name" not in frame.columns:
        missing.append("category_id")
    if missing:
        raise TrainingDataError(f"missing column(s): {', '.join(missing)}")
    if "category_id" in frame.columns:
        target = pd.to_numeric(frame["category_id"], errors="coerce")
    else:
        target = frame["category_name"].map(CATEGORY_ID_BY_NAME)
    unknown = target.isna() | ~target.isin(CATEGORY_IDS)
    if unknown.any():
        raise TrainingDataError(f"row {int(np.flatnonzero(unknown)[0]) + 1}: category is not one of 1–13")
    features = pd.Series(
        [
            activity_text(title=t, content=c, intro=i, address_location=a)
            for t, c, i, a in zip(
                frame["activity_title"], frame["activity_content"], frame["activity_intro"],
                frame["activity_address_location"],
            )
        ],
        index=frame.index,
        name="feature",
    )
    return features, target.astype(int).rename("category_id")


def series_groups(features: pd.Series, similarity: float = SERIES_SIMILARITY) -> np.ndarray:
    """A group id per row: listings written from one template (a club's weekly series, a
    campaign repeated per city) share a group. Rows are linked when the cosine similarity of
    their opening characters' 2–3-grams is at least `similarity`; groups are the linked components."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    openings = [text[:SERIES_OPENING_CHARS] for text in features]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit_transform(openings)
    graph = NearestNeighbors(radius=1.0 - similarity, metric="cosine").fit(vectors).radius_neighbors_graph(vectors)
    return connected_components(graph, directed=False)[1]


def split(features: pd.Series, target: pd.Series):
    """A held-out fifth of the rows, stratified by category, that never shares a series with
    the training rows (a row-level split would test the model on near-copies of its training
    rows and flatter it)."""
    counts = target.value_counts()
    if len(counts) < 2 or counts.min() < 2:
        raise TrainingDataError("every category needs at least 2 rows for a stratified split")
    folds = StratifiedGroupKFold(n_splits=round(1 / TEST_SIZE), shuffle=True, random_state=SPLIT_RANDOM_STATE)
    train, test = next(folds.split(features, target, series_groups(features)))
    return features.iloc[train], features.iloc[test], target.iloc[train], target.iloc[test]


# --- evaluation --------------------------------------------------------------


def scores(y_true, y_pred) -> dict:
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "precision_macro": round(float(precision_score(y_true, y_pred, average="macro", zero_division=0)), 4),
        "recall_macro": round(float(recall_score(y_true, y_pred, average="macro", zero_division=0)), 4),
        "f1_macro": round(float(f1_score(y_true, y_pred, average="macro", zero_division=0)), 4),
        "rows": int(len(y_true)),
    }


def per_category_report(y_true, y_pred) -> dict:
    present = sorted(set(int(v) for v in y_true) | set(int(v) for v in y_pred))
    report = classification_report(
        y_true, y_pred, labels=present, target_names=[CATEGORY_NAMES[c - 1] for c in present],
        output_dict=True, zero_division=0,
    )
    return {
        name: {key: round(float(value), 4) for key, value in values.items()}
        for name, values in report.items()
        if isinstance(values, dict)
    }


def draw_confusion_matrices(y_true, y_pred, out_dir: Path) -> tuple[Path, Path]:
    """Raw and row-normalized confusion matrices of the held-out split as PNG files."""
    return (
        draw_confusion_matrix(y_true, y_pred, Path(out_dir) / CONFUSION_FILENAME,
                              title="혼동 행렬 (평가용 20%)", normalize=None),
        draw_confusion_matrix(y_true, y_pred, Path(out_dir) / CONFUSION_NORMALIZED_FILENAME,
                              title="정규화한 혼동 행렬 (평가용 20%, 행 기준)", normalize="true"),
    )


def real_text_figures(pipeline: Pipeline, real_text: Sequence[LabelledText]) -> dict:
    """Headline figures of a fitted pipeline on each real-text file, by file name."""
    figures = {}
    for labelled in real_text:
        report = evaluate_pipeline(pipeline, labelled)
        figures[labelled.path.name] = {key: report[key] for key in REAL_TEXT_HEADLINE}
    return figures


def compare_tokenizers(features: pd.Series, target: pd.Series, check: tuple[pd.Series, pd.Series] | None = None,
                       tokenizers=tuple(TOKENIZERS), alpha: float = DEFAULT_ALPHA, progress=None,
                       real_text: Sequence[LabelledText] = ()) -> dict:
    """Each tokenizer on the same split and, trained on all rows, on the check set and on
    each real-text file."""
    X_train, X_test, y_train, y_test = split(features, target)
    results = {}
    for name in tokenizers:
        started = time.perf_counter()
        pipe = build_pipeline(name, alpha).fit(X_train, y_train)
        result = {"held_out": scores(y_test, pipe.predict(X_test))}
        if check is not None or real_text:
            full = build_pipeline(name, alpha).fit(features, target)
            if check is not None:
                result["check_set"] = scores(check[1], full.predict(check[0]))
            if real_text:
                result["real_text"] = real_text_figures(full, real_text)
        result["seconds"] = round(time.perf_counter() - started, 2)
        results[name] = result
        if progress:
            progress(name)
    return results


# --- export -----------------------------------------------------------------


def train_and_export(frame: pd.DataFrame, out_dir: Path | str, *, tokenizer: str = DEFAULT_TOKENIZER,
                     alpha: float = DEFAULT_ALPHA, check_frame: pd.DataFrame | None = None,
                     compare: bool = True, real_text: Sequence[LabelledText] = (),
                     stage: Callable[[str], None] = lambda message: None) -> TrainingReport:
    """Evaluate on the held-out 20%, then refit on all rows and export the model with its
    metrics and confusion-matrix pictures. `real_text` files (text nobody here wrote) are
    only scored, never trained on; their figures go into the metrics beside the others."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stage("특성 만들기")
    features, target = features_and_target(frame)
    check = features_and_target(check_frame) if check_frame is not None else None
    texts = [*features, *(check[0] if check is not None else ()),
             *(query_text(text) for labelled in real_text for text in labelled.texts)]
    # The full texts for the comparison's tokenizers, their openings for the default one.
    tokenize_many([*texts, *(text[:FEATURE_CHARS] for text in texts)])

    stage("80/20 분할 후 학습·평가")
    X_train, X_test, y_train, y_test = split(features, target)
    evaluated = build_pipeline(tokenizer, alpha).fit(X_train, y_train)
    predictions = evaluated.predict(X_test)
    pictures = draw_confusion_matrices(y_test, predictions, out_dir)
    pipe = build_pipeline(tokenizer, alpha).fit(features, target)
    # The exported model scored once on the check set and each real-text file; the comparison's
    # row for the chosen tokenizer and the metadata both read these.
    check_predictions = pipe.predict(check[0]) if check is not None else None
    real_reports = {labelled.path.name: evaluate_pipeline(pipe, labelled) for labelled in real_text}

    comparison = {}
    if compare:
        stage("토크나이저 비교")
        others = tuple(name for name in TOKENIZERS if name != tokenizer)
        comparison = compare_tokenizers(features, target, check, tokenizers=others, alpha=alpha, real_text=real_text)
        # The chosen tokenizer's row comes from the models above rather than two more fits.
        comparison[tokenizer] = {"held_out": scores(y_test, predictions)}
        if check is not None:
            comparison[tokenizer]["check_set"] = scores(check[1], check_predictions)
        if real_text:
            comparison[tokenizer]["real_text"] = {
                name: {key: report[key] for key in REAL_TEXT_HEADLINE} for name, report in real_reports.items()
            }
        comparison = {name: comparison[name] for name in TOKENIZERS}

    stage("전체 데이터로 다시 학습해 내보내기")
    model_path = out_dir / MODEL_FILENAME
    with replaced_together([model_path]) as (temporary,):
        joblib.dump(pipe, temporary)
    digest = sha256_of(model_path)
    trained_at = datetime.now(timezone.utc)
    metadata = {
        "version": f"{trained_at:%Y%m%dT%H%M%SZ}-{digest[:12]}",
        "sha256": digest,
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "tokenizer": tokenizer,
        "alpha": alpha,
        "vocabulary_size": len(pipe.named_steps["count_v"].vocabulary_),
        "training_rows": int(len(target)),
        "training_rows_per_category": {
            CATEGORY_NAMES[c - 1]: int((target == c).sum()) for c in CATEGORY_IDS
        },
        "split": {
            "test_size": TEST_SIZE, "random_state": SPLIT_RANDOM_STATE, "stratified": True,
            "grouped_by": "series", "series_similarity": SERIES_SIMILARITY,
        },
        "held_out": {**scores(y_test, predictions), "per_category": per_category_report(y_test, predictions)},
        "check_set": (
            {**scores(check[1], check_predictions), "per_category": per_category_report(check[1], check_predictions)}
            if check is not None else None
        ),
        # Per file and per category only: per-source keys would name where the text came from.
        "real_text": {
            name: {key: value for key, value in public_report(report).items() if key != "per_source"}
            for name, report in real_reports.items()
        },
        "tokenizer_comparison": comparison,
        "pictures": [path.name for path in pictures],
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "joblib": joblib.__version__,
            "kiwipiepy": _version_of("kiwipiepy"),
        },
        "training_seconds": None,
    }
    metadata["training_seconds"] = round(time.perf_counter() - started, 2)
    metrics_path = out_dir / METRICS_FILENAME
    metrics_path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return TrainingReport(model_path=model_path, metrics_path=metrics_path, picture_paths=pictures, metadata=metadata)


def _version_of(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None
