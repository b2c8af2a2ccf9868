"""The recommender's arithmetic: arrays in, arrays out, no Django import.

A member's model is the shared MultinomialNB plus the counts their learning events
added. `partial_fit` only adds counts (per class: documents seen and token counts),
so instead of copying the whole model per member we keep the base counts once and a
small sparse delta per member, and compute exactly what sklearn's
copy-then-`partial_fit` model would predict.
"""
from __future__ import annotations

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
    _HEADER = struct.Struct("<HI")

    def to_bytes(self) -> bytes:
        """zlib of: class counts (float64), then per class the sorted feature indices as
        varint gaps and their counts as float64."""
        chunks = [self._HEADER.pack(self.n_classes, 1), self.class_count.astype("<f8").tobytes()]
        for counts in self.token_counts:
            features = sorted(counts)
            chunks.append(struct.pack("<I", len(features)))
            chunks.append(_varint_gaps(features))
            chunks.append(np.array([counts[f] for f in features], dtype="<f8").tobytes())
        return zlib.compress(b"".join(chunks), 9)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview | None, n_classes: int) -> "MemberDelta":
        if not data:
            return cls(n_classes)
        raw = zlib.decompress(bytes(data))
        stored_classes, _ = cls._HEADER.unpack_from(raw, 0)
        if stored_classes != n_classes:
            raise ValueError(f"delta has {stored_classes} classes, model has {n_classes}")
        offset = cls._HEADER.size
        class_count = np.frombuffer(raw, dtype="<f8", count=n_classes, offset=offset).copy()
        offset += 8 * n_classes
        token_counts = []
        for _ in range(n_classes):
            (size,) = struct.unpack_from("<I", raw, offset)
            offset += 4
            features, offset = _read_varint_gaps(raw, offset, size)
            values = np.frombuffer(raw, dtype="<f8", count=size, offset=offset)
            offset += 8 * size
            token_counts.append(dict(zip(features, values.tolist())))
        return cls(n_classes, class_count, token_counts)


def _varint_gaps(sorted_values: list[int]) -> bytes:
    out = bytearray()
    previous = 0
    for value in sorted_values:
        gap = value - previous
        previous = value
        while gap >= 0x80:
            out.append((gap & 0x7F) | 0x80)
            gap >>= 7
        out.append(gap)
    return bytes(out)


def _read_varint_gaps(raw: bytes, offset: int, size: int) -> tuple[list[int], int]:
    values, previous = [], 0
    for _ in range(size):
        gap = shift = 0
        while True:
            byte = raw[offset]
            offset += 1
            gap |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        previous += gap
        values.append(previous)
    return values, offset


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

    `mode="seed"` restores the original behaviour: the member model's `predict_proba`
    of the interests query, nothing else. `mode="personal"` mixes that with the member's
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
    if settings.mode == "seed" or event_mass <= 0:
        return query_probabilities
    behaviour = personal_prior(base, recent_counts, settings.prior_strength)
    share = event_mass / (event_mass + settings.behaviour_half_point)
    return (1.0 - share) * query_probabilities + share * behaviour


def decay(counts: np.ndarray, elapsed_seconds: float, half_life_seconds: float) -> np.ndarray:
    """Counts as they weigh `elapsed_seconds` later: halved every half-life."""
    if half_life_seconds <= 0 or elapsed_seconds <= 0:
        return counts
    return counts * 0.5 ** (elapsed_seconds / half_life_seconds)
