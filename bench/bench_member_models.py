"""Per-member models on PostgreSQL at scale, measured against the seed's pickle per member.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/teenplay_bench DEBUG=1 \\
        python bench/bench_member_models.py [--members 100000] [--activities 20000]

The database named by DATABASE_URL is DROPPED and recreated (its name must contain
"bench" and its host must be a loopback address), migrated, and filled with synthetic
data by bulk inserts. Then, on that data:

1. storage per member after 20 learning events (10 views + 10 likes), event log
   included, against the seed's pickle file per member;
2. the added time of a learning event on the request path (`record_activity_view`, and
   the learning part of `like_activity_and_learn`) against the seed's joblib.load -> transform ->
   partial_fit -> joblib.dump, and what taking the event into the member's counts then
   costs (in the task worker, off the request path), with cProfile breakdowns of both;
3. the AI tab: `recommended_activities` + its serializer, and the DRF view through
   django.test.Client, logged in (with and without events) and logged out;
4. `similar_activities` from the precomputed index (when
   `recommender.similar.rebuild_similar_activities` exists).

It ends with markdown tables. bench/README.md says what each figure counts.
`--reuse-db` skips the drop and the population (e.g. to run part 4 later).

The parts live in the package `bench` (population, learning, reads, timing, profiling, reporting);
this file is the command line.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project (and package `bench`) importable
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teenplay.settings")

import numpy as np  # noqa: E402

from bench import app  # noqa: E402
from bench.database import bench_database, recreate_database, setup_django  # noqa: E402
from bench.learning import event_plans, event_statements, member_storage, run_events, seed_way  # noqa: E402
from bench.population import existing_population, populate  # noqa: E402
from bench.profiling import event_parts, profile_breakdown, take_in_parts, top_functions  # noqa: E402
from bench.reads import Similar, bench_recommendations, bench_similar  # noqa: E402
from bench.reporting import MemberModelsResult, Profiles, report_member_models  # noqa: E402
from bench.timing import query_range, wait_for_quiet  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--event-share", type=float, default=0.1,
                        help="share of members given a background history of 20 events (default 0.1)")
    parser.add_argument("--sample", type=int, default=200, help="members whose 20 events are timed and measured")
    parser.add_argument("--warm-members", type=int, default=50, help="members timed with texts already tokenized")
    parser.add_argument("--profile-members", type=int, default=20, help="members whose events run under cProfile")
    parser.add_argument("--seed-members", type=int, default=3, help="members replayed the seed's way (pickle per member)")
    parser.add_argument("--repeat", type=int, default=300, help="timed calls per read scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5000, help="bulk_create batch size")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthetic data")
    parser.add_argument("--reuse-db", action="store_true", help="keep the existing bench database and its data")
    parser.add_argument("--skip-similar", action="store_true")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one view and one like")
    parser.add_argument("--quiet-wait", type=float, default=90,
                        help="seconds to wait, before each timed part, for other work to leave the CPUs (default 90)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic in a bench run
    config = bench_database()
    if not args.reuse_db:
        recreate_database(config)
    setup_django(config)
    from django.utils import timezone

    from bench.app import Activity, LearningEvent, Member, MemberFavoriteCategory, MemberModel

    rng = np.random.default_rng(args.seed)
    model = app.active_model()
    if args.reuse_db:
        population = existing_population()
        print(f"reusing {config['NAME']}: {Member.objects.count():,} members, {Activity.objects.count():,} activities")
    else:
        population = populate(members=args.members, activities=args.activities, event_share=args.event_share,
                              batch=args.batch, rng=rng)
        print(f"populated {config['NAME']} in {population.seconds:.0f} s")
    counts = {name: model_class.objects.count() for name, model_class in (
        ("members", Member), ("activities", Activity), ("learning events", LearningEvent))}
    open_count = Activity.enabled_objects.filter(activity_end__gte=timezone.now()).count()

    # Members for 1 and 2: no events yet; half of them have favourite categories.
    fresh = list(MemberModel.objects.filter(event_count=0).order_by("member_id").values_list("member_id", flat=True))
    wanted = 1 + args.sample + args.warm_members + args.profile_members + 1
    if len(fresh) < wanted:
        sys.exit(f"only {len(fresh)} members without events; lower --sample/--warm-members/--profile-members")
    picked = rng.choice(fresh, size=wanted, replace=False).tolist()
    warmup_member, sample, warm, profiled, counter = (
        picked[:1], picked[1:1 + args.sample], picked[1 + args.sample:1 + args.sample + args.warm_members],
        picked[1 + args.sample + args.warm_members:-1], picked[-1:])
    pool = population.activity_ids
    sample_plans = event_plans(sample, pool, rng)

    quiet = {"learning events": wait_for_quiet(args.quiet_wait)}
    print("learning events ...")
    run_events(event_plans(warmup_member, pool, rng), desc="warm-up")  # imports, Kiwi's model, first queries
    app.clear_token_caches()
    measured = run_events(sample_plans, desc="timed events (new texts)")
    storage = member_storage(sample, population.index_bytes_per_row)
    warm_timings = run_events(event_plans(warm, pool, rng), pretokenize=True, desc="timed events (texts tokenized)")
    app.clear_token_caches()
    profile, take_in_profile = cProfile.Profile(), cProfile.Profile()
    profiled_plans = event_plans(profiled, pool, rng)
    run_events(profiled_plans, profile=profile, take_in_profile=take_in_profile, desc="profiled events")
    profiled_events = sum(len(plan.events) for plan in profiled_plans)
    breakdown = profile_breakdown(profile, profiled_events, event_parts())
    event_top = top_functions(profile, profiled_events)
    take_in_breakdown = profile_breakdown(take_in_profile, profiled_events, take_in_parts())
    query_counts, statements = event_statements(event_plans(counter, pool, rng)[0], args.show_queries)
    measured.view.queries, measured.like.queries = query_counts["view"], query_counts["like"]
    measured.take_in.queries = query_range([query_counts["take_in_view"], query_counts["take_in_like"]])
    # Last: its ~14 MB pickle writes would otherwise slow the database's commits that follow.
    with tempfile.TemporaryDirectory(prefix="teenplay-seed-") as directory:
        seed = seed_way(sample_plans[:args.seed_members], population.category_of, Path(directory))
    os.sync()

    quiet["AI tab"] = wait_for_quiet(args.quiet_wait)
    print("AI tab ...")
    with_events = sample + [int(m) for m in rng.permutation(population.event_member_ids)[:200]]
    without_events = list(MemberFavoriteCategory.objects.filter(member_id__in=fresh[:20000])
                          .exclude(member_id__in=picked).values_list("member_id", flat=True).distinct()[:200])
    tab, tab_breakdown, tab_statements = bench_recommendations(with_events, without_events, pool, args.repeat,
                                                               args.warmup, rng)

    similar = Similar(note="skipped (--skip-similar)")
    if not args.skip_similar:
        quiet["similar"] = wait_for_quiet(args.quiet_wait)
        print("similar activities ...")
        similar = bench_similar(pool, args.repeat, args.warmup, rng)
        if similar.note:
            print(similar.note)

    report_member_models(MemberModelsResult(
        database=config, counts=counts, open_count=open_count, population=population, model=model, storage=storage,
        measured=measured, warm=warm_timings, seed=seed,
        profiles=Profiles(event=breakdown, event_top=event_top, take_in=take_in_breakdown, tab=tab_breakdown),
        profile_members=args.profile_members, tab=tab, similar=similar, quiet=quiet,
        statements={**statements, "tab": tab_statements}))


if __name__ == "__main__":
    main()
