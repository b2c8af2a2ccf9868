"""Does the AI tab learn a member's taste? A simulation on the shipped model.

    python bench/simulate_personalization.py [--members 400] [--seed 0]

Simulated members have one or two true favourite categories and, inside each, a favourite
sub-interest (보드게임 within 취미, 러닝 within 운동·액티비티, ...: a word of the category's
keyword bank found in at least 5 and at most 40 % of that category's listings). Half of them set
interests on mypage (1–3 categories) that include a favourite, half set unrelated
ones; each picks three keywords typical of their *interest* categories and a region.
Then they open activities from datasets/activities.csv, 80% from their favourites and
20% from other categories, 6–30 hours apart (inside a favourite, 70% from the listings of
its sub-interest); each opened activity is a "view" event,
and with probability 0.3 the member also likes it (a "like" event on the same
activity). "After n events" below means after n opened activities.

Every member is replayed three times on the same draws, once per experiment arm:

- **plain**: equal weights, no behaviour prior (the first version's behaviour) — the member model (base + counts added by
  `partial_fit`, view and like both weight 1) and `RankingSettings(mode="plain")`,
  i.e. the ranking is exactly the member model's `predict_proba` of the query;
- **personal** (shipped): view weight 1, like weight 2, default `RankingSettings()` (the
  member's recency-weighted events per category mixed into the ranking);
- **ranked**: the same two categories as `personal`, but inside each category the open
  activities are ordered by `engine.order_within_category` (the likelihood lift of their
  text under the member's counts, mixed with freshness) instead of newest first.

Two tables: the share of members whose AI tab top category is a true favourite, and —
with the 8 cards the tab shows (6 of the first category, 2 of the second; every listing
counts as open, freshness from its created date) — hit rate @ 8 (is the next activity the
member opens among the 8 cards?) and NDCG @ 8 (1 / log2(position + 2) for a hit), after
0, 5, 10 and 20 events. No Django, no database: the engine's plain arrays only.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project (and package `bench`) importable
    sys.path.insert(0, str(ROOT))

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.app import (  # noqa: E402  the project's names (engine, text, reference lists)
    CATEGORY_NAMES,
    REGION_NAMES,
    BaseCounts,
    MemberDelta,
    RankingSettings,
    WithinCategorySettings,
    activity_text,
    decay,
    order_within_category,
    predict_proba,
    query_text,
    rank_categories,
    sparse_row,
    top_categories,
)

MODEL_PATH = ROOT / "models" / "activity_recommender.pkl"
ACTIVITIES_PATH = ROOT / "datasets" / "activities.csv"

CHECKPOINTS = (0, 5, 10, 20)
FAVOURITE_SHARE = 0.8  # share of opened activities from a true favourite
SUB_INTEREST_SHARE = 0.7  # inside a favourite category, share from its sub-interest's listings
MAX_SUB_INTEREST_SHARE = 0.40  # a word in more of its category's listings is the category, not a niche
MIN_SUB_INTEREST_LISTINGS = 5
CARDS = (6, 2)  # the AI tab: 6 of the first category, 2 of the second
LIKE_PROBABILITY = 0.3
GAP_HOURS = (6.0, 30.0)
PLAIN_WEIGHTS = {"view": 1.0, "like": 1.0}
SHIPPED_WEIGHTS = {"view": 1.0, "like": 2.0}

# Words a member interested in a category might type as their three keywords
# (written by hand for this benchmark, one bank per category id).
KEYWORD_BANK = {
    1: ("공방", "뜨개질", "목공", "캘리그라피", "도자기", "보드게임", "향수", "가죽공예"),  # 취미
    2: ("전시", "미술관", "뮤지컬", "연극", "공연", "영화", "그림", "클래식"),  # 문화·예술
    3: ("러닝", "등산", "클라이밍", "요가", "테니스", "자전거", "서핑", "풋살"),  # 운동·액티비티
    4: ("맛집", "와인", "베이킹", "커피", "디저트", "요리", "브런치", "수제맥주"),  # 푸드·드링크
    5: ("바다", "캠핑", "제주", "여행", "동행", "기차", "배낭", "섬"),  # 여행·동행
    6: ("독서", "글쓰기", "습관", "자기계발", "강연", "커리어", "스피치", "루틴"),  # 성장·자기개발
    7: ("동네", "또래", "친구", "산책", "이웃", "동갑", "수다", "번개"),  # 동네·또래
    8: ("소개팅", "연애", "데이트", "커플", "설렘", "솔로", "인연", "미팅"),  # 연애·소개팅
    9: ("주식", "투자", "부동산", "경제", "코인", "절약", "연금", "가계부"),  # 재테크
    10: ("영어", "일본어", "회화", "언어교환", "중국어", "스페인어", "원어민", "프리토킹"),  # 외국어
    11: ("스터디", "코딩", "자격증", "공무원", "시험", "토익", "모각코", "알고리즘"),  # 스터디
    12: ("축제", "불꽃놀이", "벚꽃", "야시장", "페스티벌", "먹거리", "전통", "등축제"),  # 지역축제
    13: ("봉사", "플로깅", "반려견", "환경", "기부", "나눔", "상담", "체험"),  # 기타
}


@dataclass
class SimulatedMember:
    favourites: frozenset[int]  # category ids
    interests_include_favourite: bool
    interests: tuple[int, ...]  # category ids set on mypage
    keywords: tuple[str, str, str]
    region: str
    steps: list[tuple[int, bool, float]]  # (activity row, liked too, seconds since the previous step)
    sub_interests: dict[int, str] = None  # favourite category -> its sub-interest word

    @property
    def query(self) -> str:
        names = [CATEGORY_NAMES[c - 1] for c in self.interests]
        return query_text(*names, *self.keywords, self.region)


def find_sub_interests(activities: pd.DataFrame) -> dict[int, dict[str, np.ndarray]]:
    """Per category, the keyword-bank words that name a sub-interest in the listings themselves:
    found in at least 5 and at most 40 % of the category's listings (title, intro, content). Word -> those rows."""
    text = (activities["activity_title"].fillna("") + " " + activities["activity_intro"].fillna("") + " "
            + activities["activity_content"].fillna(""))
    found: dict[int, dict[str, np.ndarray]] = {}
    for category, words in KEYWORD_BANK.items():
        in_category = activities["category_id"].to_numpy() == category
        size = int(in_category.sum())
        found[category] = {}
        for word in words:
            rows = np.flatnonzero(in_category & text.str.contains(word, regex=False).to_numpy())
            if MIN_SUB_INTEREST_LISTINGS <= len(rows) <= MAX_SUB_INTEREST_SHARE * size:
                found[category][word] = rows
    return found


def simulate_members(rng: np.random.Generator, count: int, rows_by_category: dict[int, np.ndarray],
                     n_steps: int, sub_interests: dict[int, dict[str, np.ndarray]]) -> list[SimulatedMember]:
    categories = np.array(sorted(KEYWORD_BANK))
    members = []
    for index in range(count):
        favourites = rng.choice(categories, size=int(rng.integers(1, 3)), replace=False).tolist()
        include = index % 2 == 0  # exactly half and half
        n_interests = int(rng.integers(1, 4))
        if include:
            anchor = int(rng.choice(favourites))
            others = [c for c in categories if c != anchor]
            interests = [anchor] + rng.choice(others, size=n_interests - 1, replace=False).tolist()
        else:
            unrelated = [c for c in categories if c not in favourites]
            interests = rng.choice(unrelated, size=n_interests, replace=False).tolist()
        bank = sorted({word for c in interests for word in KEYWORD_BANK[c]})
        keywords = tuple(rng.choice(bank, size=3, replace=False).tolist())
        region = str(rng.choice(REGION_NAMES))
        non_favourites = [c for c in categories if c not in favourites]
        favourite_words = {int(c): str(rng.choice(sorted(sub_interests[int(c)])))
                           for c in favourites if sub_interests.get(int(c))}
        steps = []
        for _ in range(n_steps):
            if rng.random() < FAVOURITE_SHARE:
                category = int(rng.choice(favourites))
            else:
                category = int(rng.choice(non_favourites))
            word = favourite_words.get(category)
            if word is not None and rng.random() < SUB_INTEREST_SHARE:
                row = int(rng.choice(sub_interests[category][word]))
            else:
                row = int(rng.choice(rows_by_category[category]))
            liked = bool(rng.random() < LIKE_PROBABILITY)
            gap = float(rng.uniform(*GAP_HOURS)) * 3600.0
            steps.append((row, liked, gap))
        members.append(SimulatedMember(
            favourites=frozenset(int(c) for c in favourites),
            interests_include_favourite=include,
            interests=tuple(int(c) for c in interests),
            keywords=keywords,  # type: ignore[arg-type]
            region=region,
            steps=steps,
            sub_interests=favourite_words,
        ))
    return members


@dataclass
class Catalogue:
    """The listings as the AI tab sees them: features, class, newest-first rows per class, ages."""

    features: list[dict]
    activity_class: np.ndarray
    newest_by_class: list[np.ndarray]
    age_days: np.ndarray


@dataclass
class Look:
    top_is_favourite: bool
    hit: bool  # the next opened activity is among the 8 cards
    ndcg: float


def cards(base: BaseCounts, delta: MemberDelta, probabilities: np.ndarray, catalogue: Catalogue,
          within: WithinCategorySettings | None) -> list[int]:
    """The 8 rows the AI tab shows: 6 of the first category and 2 of the second, newest first or,
    with `within`, in the `ranked` arm's order among the category's newest candidates."""
    shown: list[int] = []
    ranked = top_categories(probabilities, base.classes, len(CARDS))
    for (label, _), quota in zip(ranked, CARDS):
        class_index = base.class_index(label)
        rows = catalogue.newest_by_class[class_index]
        if within is not None:
            rows = rows[: within.candidates]
            order = order_within_category(base, delta, class_index, [catalogue.features[r] for r in rows],
                                          catalogue.age_days[rows], within)
            rows = rows[order]
        shown.extend(int(r) for r in rows[:quota])
    return shown


def replay(member: SimulatedMember, query: dict[int, float], base: BaseCounts, catalogue: Catalogue,
           weights: dict[str, float], settings: RankingSettings, half_life_seconds: float,
           within: WithinCategorySettings | None = None) -> dict[int, Look]:
    """Play the member's events through the engine, as the Django side would; return, per
    checkpoint, whether the AI tab's top category is a true favourite and whether the next
    activity the member opens is among its 8 cards (and where)."""
    activity_features, activity_class = catalogue.features, catalogue.activity_class
    delta = MemberDelta(len(base.classes))
    recent = np.zeros(len(base.classes))
    hits = {}

    def look(n_events: int) -> None:
        probabilities = rank_categories(base, delta, query, recent, float(recent.sum()), settings)
        model_probabilities = predict_proba(base, delta, query)
        if settings.mode == "plain" or n_events == 0:
            assert np.array_equal(probabilities, model_probabilities), "ranking must be the model's predict_proba here"
        assert probabilities.shape == (len(base.classes),) and (probabilities >= 0).all()
        assert abs(probabilities.sum() - 1.0) < 1e-9, probabilities.sum()
        (top, _), = top_categories(probabilities, base.classes, 1)
        shown = cards(base, delta, probabilities, catalogue, within)
        next_row = member.steps[n_events][0]
        position = shown.index(next_row) if next_row in shown else None
        hits[n_events] = Look(top in member.favourites, position is not None,
                              0.0 if position is None else 1.0 / float(np.log2(position + 2)))

    look(0)
    for n_events, (row, liked, gap) in enumerate(member.steps, start=1):
        recent = decay(recent, gap, half_life_seconds)
        class_index = int(activity_class[row])
        for kind in ("view", "like") if liked else ("view",):
            delta.add(class_index, activity_features[row], weights[kind])
            recent[class_index] += weights[kind]
        if n_events in CHECKPOINTS:
            look(n_events)
    return hits


def load_activities(pipe, base: BaseCounts) -> tuple[pd.DataFrame, Catalogue]:
    activities = pd.read_csv(ACTIVITIES_PATH)
    texts = [
        activity_text(category_name=CATEGORY_NAMES[row.category_id - 1], title=row.activity_title,
                      intro=row.activity_intro, address_location=row.activity_address_location)
        for row in activities.itertuples()
    ]
    vectorizer = pipe.named_steps["count_v"]
    features: list[dict] = []
    chunk = 100
    for start in tqdm(range(0, len(texts), chunk), desc="activity features", unit="x100", leave=False):
        matrix = vectorizer.transform(texts[start:start + chunk]).tocsr()
        features.extend(sparse_row(matrix[i]) for i in range(matrix.shape[0]))
    activity_class = np.array([base.class_index(c) for c in activities["category_id"]])
    created = pd.to_datetime(activities["created_date"])
    age_days = ((created.max() - created).dt.total_seconds() / 86400.0).to_numpy()
    newest_first = np.lexsort((-activities["id"].to_numpy(), age_days))  # newest first, then the higher id
    newest_by_class = [newest_first[activity_class[newest_first] == i] for i in range(len(base.classes))]
    return activities, Catalogue(features, activity_class, newest_by_class, age_days)


def share(values: list[bool]) -> str:
    return f"{100.0 * np.mean(values):.0f}%" if values else "–"


def main(argv: list[str] | None = None) -> dict:
    defaults = RankingSettings()
    within_defaults = WithinCategorySettings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--half-life-days", type=float, default=30.0)
    parser.add_argument("--prior-strength", type=float, default=defaults.prior_strength,
                        help="override RankingSettings.prior_strength (for tuning)")
    parser.add_argument("--behaviour-half-point", type=float, default=defaults.behaviour_half_point,
                        help="override RankingSettings.behaviour_half_point (for tuning)")
    parser.add_argument("--freshness-weight", type=float, default=within_defaults.freshness_weight,
                        help="override WithinCategorySettings.freshness_weight (for tuning)")
    parser.add_argument("--freshness-half-life-days", type=float, default=within_defaults.freshness_half_life_days,
                        help="override WithinCategorySettings.freshness_half_life_days (for tuning)")
    args = parser.parse_args(argv)
    if args.members < 2:
        parser.error("--members must be at least 2")

    started = time.perf_counter()
    pipe = joblib.load(MODEL_PATH)
    base = BaseCounts.from_estimator(pipe.named_steps["mnnb"])
    activities, catalogue = load_activities(pipe, base)
    rows_by_category = {int(c): np.flatnonzero(activities["category_id"].to_numpy() == c)
                        for c in KEYWORD_BANK}
    sub_interests = find_sub_interests(activities)

    rng = np.random.default_rng(args.seed)
    members = simulate_members(rng, args.members, rows_by_category, max(CHECKPOINTS) + 1, sub_interests)
    queries = [sparse_row(pipe.named_steps["count_v"].transform([m.query])) for m in members]

    shipped = replace(defaults, prior_strength=args.prior_strength, behaviour_half_point=args.behaviour_half_point)
    within = replace(within_defaults, freshness_weight=args.freshness_weight,
                     freshness_half_life_days=args.freshness_half_life_days)
    variants = {
        "plain": (PLAIN_WEIGHTS, RankingSettings(mode="plain"), None),
        "personal": (SHIPPED_WEIGHTS, shipped, None),
        "ranked": (SHIPPED_WEIGHTS, shipped, within),
    }
    half_life = args.half_life_days * 86400.0
    results = {name: [] for name in variants}
    for member, query in tqdm(list(zip(members, queries)), desc="members", unit="member"):
        for name, (weights, settings, within_settings) in variants.items():
            results[name].append(replay(member, query, base, catalogue, weights, settings, half_life, within_settings))
    elapsed = time.perf_counter() - started

    groups = {
        "all": lambda m: True,
        "interests include a favourite": lambda m: m.interests_include_favourite,
        "interests unrelated": lambda m: not m.interests_include_favourite,
    }
    labels = {"plain": "view 1 / like 1", "personal": "view 1 / like 2", "ranked": "view 1 / like 2"}
    table = {}
    lines = [
        "| arm | members | " + " | ".join(f"{n} events" for n in CHECKPOINTS) + " |",
        "|---|---|" + "---:|" * len(CHECKPOINTS),
    ]
    for name in variants:
        for group, keep in groups.items():
            chosen = [looks for m, looks in zip(members, results[name]) if keep(m)]
            table[(name, group)] = {n: float(np.mean([looks[n].top_is_favourite for looks in chosen])) for n in CHECKPOINTS}
            lines.append(f"| {name} ({labels[name]}), {group} | {len(chosen)} | "
                         + " | ".join(share([looks[n].top_is_favourite for looks in chosen]) for n in CHECKPOINTS) + " |")
    hit_table, ndcg_table = {}, {}
    card_lines = [
        "| arm | " + " | ".join(f"{n} events" for n in CHECKPOINTS) + " |",
        "|---|" + "---:|" * len(CHECKPOINTS),
    ]
    for name in variants:
        hit_table[name] = {n: float(np.mean([looks[n].hit for looks in results[name]])) for n in CHECKPOINTS}
        ndcg_table[name] = {n: float(np.mean([looks[n].ndcg for looks in results[name]])) for n in CHECKPOINTS}
        card_lines.append(f"| {name} | " + " | ".join(
            f"{100 * hit_table[name][n]:.1f}% / {ndcg_table[name][n]:.3f}" for n in CHECKPOINTS) + " |")

    print()
    print(f"Share of members whose AI tab top category is a true favourite "
          f"({args.members} members, seed {args.seed}, half-life {args.half_life_days:g} days)")
    print(f"personal settings: {shipped}")
    print(f"ranked settings: {within}")
    print()
    print("\n".join(lines))
    print()
    print("Hit rate @ 8 / NDCG @ 8 of the next opened activity, all members")
    print()
    print("\n".join(card_lines))
    words = ", ".join(f"{CATEGORY_NAMES[c - 1]}: {' '.join(sorted(found))}" for c, found in sub_interests.items() if found)
    print()
    print(f"Sub-interests found in the listings — {words}")
    plain_unrelated = table[("plain", "interests unrelated")]
    print()
    print(f"Context — plain arm, interests unrelated: {100 * plain_unrelated[0]:.0f}% at 0 events, "
          f"{100 * plain_unrelated[20]:.0f}% after 20 (the original measured 9% and 15%).")
    goal = table[("personal", "all")][10]
    print(f"Goal — personal, all members, top category after 10 events: {100 * goal:.0f}% "
          f"({'met' if goal >= 0.8 else 'NOT met'}; target ≥ 80%; ranked: {100 * table[('ranked', 'all')][10]:.0f}%).")
    ratio = hit_table["ranked"][10] / hit_table["personal"][10] if hit_table["personal"][10] else float("inf")
    print(f"Goal — ranked hit rate @ 8 after 10 events: {ratio:.2f}× personal's "
          f"({'met' if ratio >= 1.5 else 'NOT met'}; target ≥ 1.5×).")
    print(f"Runtime: {elapsed:.1f} s")
    return {"table": table, "hit_rate": hit_table, "ndcg": ndcg_table, "seconds": elapsed}


if __name__ == "__main__":
    main()
