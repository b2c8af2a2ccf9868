"""The recommender's arithmetic: arrays in, arrays out, no Django import.

A member's model is the shared MultinomialNB plus the counts their learning events
added. `partial_fit` only adds counts (per class: documents seen and token counts),
so instead of copying the whole model per member we keep the base counts once and a
small sparse delta per member, and compute exactly what sklearn's
copy-then-`partial_fit` model would predict.
"""
from __future__ import annotations

import hashlib
import math
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp


def top_categories(probabilities: np.ndarray, classes: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k most probable classes, most probable first (ties broken by the lower id)."""
    order = sorted(range(len(classes)), key=lambda i: (-probabilities[i], classes[i]))[:k]
    return [(int(classes[i]), float(probabilities[i])) for i in order]


@dataclass(frozen=True)
class BaseCounts:
    """What a fitted MultinomialNB knows, as plain arrays."""

    classes: np.ndarray  # (n_classes,) class labels
    class_count: np.ndarray  # (n_classes,) documents (or weights) seen per class
    feature_count: np.ndarray  # (n_classes, n_features) token counts per class
    alpha: float
    fit_prior: bool
    class_prior: np.ndarray | None = None
    feature_total: np.ndarray = field(init=False)  # (n_classes,) row sums, cached

    def __post_init__(self):
        object.__setattr__(self, "feature_total", self.feature_count.sum(axis=1))

    @classmethod
    def from_estimator(cls, mnnb) -> "BaseCounts":
        alpha = mnnb.alpha if np.isscalar(mnnb.alpha) else None
        if alpha is None:
            raise ValueError("per-feature alpha is not supported")
        return cls(
            classes=np.asarray(mnnb.classes_),
            class_count=np.asarray(mnnb.class_count_, dtype=np.float64),
            feature_count=np.asarray(mnnb.feature_count_, dtype=np.float64),
            alpha=float(alpha),
            fit_prior=bool(mnnb.fit_prior),
            class_prior=None if mnnb.class_prior is None else np.asarray(mnnb.class_prior, dtype=np.float64),
        )

    @property
    def n_features(self) -> int:
        return self.feature_count.shape[1]

    def class_index(self, label: int) -> int:
        matches = np.flatnonzero(self.classes == label)
        if not len(matches):
            raise ValueError(f"unknown class {label!r}")
        return int(matches[0])


@dataclass
class MemberDelta:
    """The counts a member's events added to the base model.

    `token_counts[class_index]` maps feature index -> added count. Counts can go back to
    zero (an unlike removes what its like added); zero entries are dropped.
    """

    n_classes: int
    class_count: np.ndarray = None
    token_counts: list[dict[int, float]] = None

    def __post_init__(self):
        if self.class_count is None:
            self.class_count = np.zeros(self.n_classes, dtype=np.float64)
        if self.token_counts is None:
            self.token_counts = [{} for _ in range(self.n_classes)]

    def add(self, class_index: int, features: dict[int, float], weight: float) -> None:
        """What `partial_fit(X, [label], sample_weight=[weight])` adds for one document."""
        self.class_count[class_index] += weight
        counts = self.token_counts[class_index]
        for feature, value in features.items():
            updated = counts.get(feature, 0.0) + weight * value
            if updated == 0.0:
                counts.pop(feature, None)
            else:
                counts[feature] = updated

    def feature_total(self) -> np.ndarray:
        return np.array([math.fsum(counts.values()) for counts in self.token_counts], dtype=np.float64)

    @property
    def is_empty(self) -> bool:
        return not self.class_count.any() and not any(self.token_counts)

    # Compact storage: a member's delta after 20 events fits in a few KB.
    _HEADER = struct.Struct("<HHBB")  # classes, format version, gap type, value type
    _FORMAT_VERSION = 2
    _VALUE_TYPES = {0: np.dtype("<f8"), 1: np.dtype("<i2")}
    _GAP_TYPES = {0: np.dtype("<u4"), 1: np.dtype("<u2")}

    def to_bytes(self) -> bytes:
        """zlib of: class counts (float64), per-class sizes (uint32), then every class's sorted
        feature indices as gaps and its counts. Gaps are uint16 when they fit, else uint32;
        counts are int16 when all are whole numbers that fit (the usual case: whole weights),
        else float64, so every value round-trips exactly."""
        features = [np.fromiter(sorted(counts), dtype=np.int64, count=len(counts)) for counts in self.token_counts]
        values = np.fromiter(
            (counts[i] for counts, indices in zip(self.token_counts, features) for i in indices.tolist()),
            dtype=np.float64, count=sum(len(indices) for indices in features),
        )
        whole = values.size == 0 or (np.all(values == np.round(values)) and np.abs(values).max() < 2**15)
        value_type = 1 if whole else 0
        sizes = np.array([len(indices) for indices in features], dtype="<u4")
        gaps = np.concatenate([np.diff(indices, prepend=0) for indices in features]) if features else np.zeros(0)
        gap_type = 1 if gaps.size == 0 or gaps.max() < 2**16 else 0
        payload = b"".join([
            self._HEADER.pack(self.n_classes, self._FORMAT_VERSION, gap_type, value_type),
            self.class_count.astype("<f8").tobytes(),
            sizes.tobytes(),
            gaps.astype(self._GAP_TYPES[gap_type]).tobytes(),
            values.astype(self._VALUE_TYPES[value_type]).tobytes(),
        ])
        return zlib.compress(payload, 1)  # level 1: nearly as small as 9, ten times faster

    @classmethod
    def from_bytes(cls, data: bytes | memoryview | None, n_classes: int) -> "MemberDelta":
        if not data:
            return cls(n_classes)
        raw = zlib.decompress(bytes(data))
        stored_classes, version, gap_type, value_type = cls._HEADER.unpack_from(raw, 0)
        if stored_classes != n_classes or version != cls._FORMAT_VERSION:
            raise ValueError(f"delta has {stored_classes} classes (format {version}), model has {n_classes}")
        offset = cls._HEADER.size
        class_count = np.frombuffer(raw, dtype="<f8", count=n_classes, offset=offset).copy()
        offset += 8 * n_classes
        sizes = np.frombuffer(raw, dtype="<u4", count=n_classes, offset=offset)
        offset += 4 * n_classes
        total = int(sizes.sum())
        gap_dtype = cls._GAP_TYPES[gap_type]
        gaps = np.frombuffer(raw, dtype=gap_dtype, count=total, offset=offset)
        offset += gap_dtype.itemsize * total
        values = np.frombuffer(raw, dtype=cls._VALUE_TYPES[value_type], count=total, offset=offset)
        values = values.astype(np.float64).tolist()
        token_counts, start = [], 0
        for size in sizes.tolist():
            indices = np.cumsum(gaps[start : start + size], dtype=np.int64).tolist()
            token_counts.append(dict(zip(indices, values[start : start + size])))
            start += size
        return cls(n_classes, class_count, token_counts)


def sparse_row(matrix) -> dict[int, float]:
    """A 1×n scipy sparse row (CountVectorizer output) as {feature index: count}."""
    row = matrix.tocsr()
    return dict(zip(row.indices.tolist(), row.data.astype(np.float64).tolist()))


def joint_log_likelihood(base: BaseCounts, delta: MemberDelta, query: dict[int, float]) -> np.ndarray:
    """log P(c) + Σ_t x_t log P(t|c) for base + delta, as MultinomialNB computes it.

    Only the query's features and the per-class totals are needed, so this costs
    O(n_classes × query features), not O(vocabulary)."""
    class_count = base.class_count + delta.class_count
    if base.class_prior is not None:
        log_prior = np.log(base.class_prior)
    elif base.fit_prior:
        log_prior = np.log(class_count) - np.log(class_count.sum())
    else:
        log_prior = np.full(len(base.classes), -np.log(len(base.classes)))
    if not query:
        return log_prior
    features = np.fromiter(query.keys(), dtype=np.int64)
    values = np.fromiter(query.values(), dtype=np.float64)
    counts = base.feature_count[:, features].copy()
    for class_index, added in enumerate(delta.token_counts):
        if added:
            counts[class_index] += [added.get(int(f), 0.0) for f in features]
    totals = base.feature_total + delta.feature_total() + base.alpha * base.n_features
    log_feature_prob = np.log(counts + base.alpha) - np.log(totals)[:, None]
    return log_prior + log_feature_prob @ values


def predict_proba(base: BaseCounts, delta: MemberDelta, query: dict[int, float]) -> np.ndarray:
    """Exactly sklearn's `predict_proba` of the base model after `partial_fit` on the delta's events."""
    jll = joint_log_likelihood(base, delta, query)
    return np.exp(jll - logsumexp(jll))


# --- personal ranking ------------------------------------------------------------


@dataclass(frozen=True)
class RankingSettings:
    """How the AI tab turns a member's model and history into category probabilities.

    `mode="plain"` ranks by the member model's `predict_proba` of the interests query alone
    (no behaviour prior). `mode="personal"` mixes that with the member's
    own recent behaviour: a recency-weighted share of their events per category,
    smoothed toward the base prior, taking more weight the more events there are.
    """

    mode: str = "personal"
    prior_strength: float = 2.0  # pseudo-events of the base prior in the personal prior
    behaviour_half_point: float = 3.0  # events at which behaviour and interests weigh the same


def personal_prior(base: BaseCounts, recent_counts: np.ndarray, prior_strength: float) -> np.ndarray:
    """The member's share of (weighted, decayed) events per category, smoothed toward the base prior."""
    base_prior = base.class_count / base.class_count.sum()
    return (recent_counts + prior_strength * base_prior) / (recent_counts.sum() + prior_strength)


def rank_categories(base: BaseCounts, delta: MemberDelta, query: dict[int, float], recent_counts: np.ndarray,
                    event_mass: float, settings: RankingSettings) -> np.ndarray:
    """Category probabilities for the AI tab."""
    query_probabilities = predict_proba(base, delta, query)
    if settings.mode == "plain" or event_mass <= 0:
        return query_probabilities
    behaviour = personal_prior(base, recent_counts, settings.prior_strength)
    share = event_mass / (event_mass + settings.behaviour_half_point)
    return (1.0 - share) * query_probabilities + share * behaviour


def decay(counts: np.ndarray, elapsed_seconds: float, half_life_seconds: float) -> np.ndarray:
    """Counts as they weigh `elapsed_seconds` later: halved every half-life."""
    if half_life_seconds <= 0 or elapsed_seconds <= 0:
        return counts
    return counts * 0.5 ** (elapsed_seconds / half_life_seconds)


# --- ordering within a category (the `ranked` arm) ----------------------------------


@dataclass(frozen=True)
class WithinCategorySettings:
    """How the `ranked` arm orders the open activities of one category.

    Each candidate's preference is the per-token log-likelihood ratio of its text under the
    category's counts with the member's added counts versus the base counts alone: tokens the
    member kept opening lift an activity, tokens they never met leave it where it was. That is
    scaled to [0, 1] over the candidates and mixed with freshness (1 for a new listing, halving
    every `freshness_half_life_days`). Without member counts in the category every preference
    is 0, so the order is newest first, as the other arms show it.
    """

    freshness_weight: float = 0.3
    freshness_half_life_days: float = 14.0
    candidates: int = 100  # the newest open activities of a category that are scored


def preference_scores(base: BaseCounts, delta: MemberDelta, class_index: int, documents: list[dict[int, float]]) -> np.ndarray:
    """Per document: (1/|x|) Σ_t x_t log((N_ct + D_ct + α) / (N_ct + α)), the average lift of its
    tokens under class `class_index` from the member's counts D over the base counts N. (The
    per-token change of the class total is the same for every document, so it is left out.)"""
    added = delta.token_counts[class_index]
    scores = np.zeros(len(documents), dtype=np.float64)
    if not added:
        return scores
    base_row = base.feature_count[class_index]
    lift = {feature: math.log1p(count / (base_row[feature] + base.alpha)) for feature, count in added.items()}
    for position, document in enumerate(documents):
        total = sum(document.values())
        if total > 0:
            scores[position] = sum(value * lift[feature] for feature, value in document.items() if feature in lift) / total
    return scores


def order_within_category(base: BaseCounts, delta: MemberDelta, class_index: int, documents: list[dict[int, float]],
                          ages_days: np.ndarray, settings: WithinCategorySettings = WithinCategorySettings()) -> np.ndarray:
    """Indices of `documents` in the order the `ranked` arm shows them: preference mixed with
    freshness, best first; ties keep the given order (pass the candidates newest first)."""
    preference = preference_scores(base, delta, class_index, documents)
    top = preference.max() if len(preference) else 0.0
    if top > 0:
        preference = preference / top
    ages = np.maximum(np.asarray(ages_days, dtype=np.float64), 0.0)
    freshness = 0.5 ** (ages / settings.freshness_half_life_days) if settings.freshness_half_life_days > 0 else np.ones_like(ages)
    score = (1.0 - settings.freshness_weight) * preference + settings.freshness_weight * freshness
    return np.argsort(-score, kind="stable")


# --- experiments ----------------------------------------------------------------------

ARMS = ("plain", "personal", "ranked")


def parse_experiment(spec: str) -> tuple[tuple[str, float], ...]:
    """`"personal=50,ranked=50"` -> (("personal", 50.0), ("ranked", 50.0)); an empty spec has no arms.
    Raises ValueError naming what is wrong (unknown arm, repeated arm, weight not a positive number)."""
    arms: list[tuple[str, float]] = []
    for part in (piece.strip() for piece in spec.split(",")):
        if not part:
            continue
        name, separator, weight_text = (text.strip() for text in part.partition("="))
        if name not in ARMS:
            raise ValueError(f"unknown arm {name!r} (choose from {', '.join(ARMS)})")
        if any(name == existing for existing, _ in arms):
            raise ValueError(f"arm {name!r} is given twice")
        try:
            weight = float(weight_text) if separator else 1.0
        except ValueError:
            raise ValueError(f"arm {name!r}: weight {weight_text!r} is not a number") from None
        if not (weight > 0 and math.isfinite(weight)):
            raise ValueError(f"arm {name!r}: weight must be a positive number")
        arms.append((name, weight))
    return tuple(arms)


def assign_arm(unit: str, experiment: str, arms: tuple[tuple[str, float], ...]) -> str:
    """The arm of one unit (a member id or a visitor cookie): a stable hash of the experiment's
    name and the unit picks a point in [0, 1), and the arms' weights split that interval."""
    if not arms:
        raise ValueError("an experiment needs at least one arm")
    digest = hashlib.sha256(f"{experiment}\x00{unit}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = sum(weight for _, weight in arms)
    upper = 0.0
    for name, weight in arms:
        upper += weight / total
        if point < upper:
            return name
    return arms[-1][0]


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (0, 0 with no trials)."""
    if trials <= 0:
        return 0.0, 0.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
