"""Reads for activity pages and APIs. All annotation and joins live here so each
page runs a fixed number of queries however many cards it shows."""
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from activity.models import Activity, ActivityLike, ActivityMember, Category, Club
from teenplay.caching import ExpiringCache

MAIN_TAB_SIZE = 8
LIST_PAGE_SIZE = 12


def _enabled_count(model) -> Coalesce:
    """How many enabled rows of `model` (likes, participants) point at the outer activity: one
    index lookup per card, instead of joining both tables and grouping (likes × participants rows)."""
    per_activity = (model.enabled_objects.filter(activity=OuterRef("pk")).order_by().values("activity")
                    .annotate(count=Count("*")).values("count"))
    return Coalesce(Subquery(per_activity, output_field=IntegerField()), 0)


@cache
def _cards_base() -> QuerySet[Activity]:
    """The cards' queryset without a member, built once per process (never evaluated itself:
    every use clones it), so each request skips resolving the two count subqueries again."""
    return (
        enabled_activities()
        .select_related("club", "category")
        .annotate(like_count=_enabled_count(ActivityLike), member_count=_enabled_count(ActivityMember))
    )


def activity_cards(*, member=None) -> QuerySet[Activity]:
    """Enabled activities of enabled clubs with what a card shows: club, category,
    like and participant counts, and whether `member` likes each one."""
    queryset = _cards_base().all()
    if member is not None and member.is_authenticated:
        queryset = queryset.annotate(
            is_like=Exists(ActivityLike.enabled_objects.filter(activity=OuterRef("pk"), member=member))
        )
    return queryset


# What a card shows (templates/activity/_card.html, ActivityCardSerializer): loading only these
# skips the activity's long texts and the club's other columns.
CARD_FIELDS = (
    "id", "title", "status", "category_id", "category__name", "club_id", "club__name", "thumbnail",
    "recruit_start", "recruit_end", "activity_start", "activity_end", "created_date",
)


def cards_in_order(ids: list[int], *, member=None, open_only: bool = False) -> list[Activity]:
    """The cards of these activities in this order, in one query. Ids no longer enabled (and,
    with `open_only`, ones that have ended) are left out, so a list of ids kept from earlier
    never shows a hidden, deleted or ended activity; like counts and the like state are current.

    Every AI tab, similar list and main-page tab runs this, so its SQL is written once per
    shape and process (_cards_sql) instead of being built by the ORM on each call (that cost
    several times the query itself). It reads what `activity_cards` does; a test compares them."""
    return _read_cards(ids, member=member, open_only=open_only, fields=CARD_FIELDS)


# The detail page: the card and the texts it shows.
DETAIL_FIELDS = (*CARD_FIELDS, "content", "intro", "address_location", "address_detail")


def activity_detail(*, activity_id: int, member=None) -> Activity:
    """The enabled activity (of an enabled club) with its card's counts and like state, or a 404."""
    found = _read_cards([activity_id], member=member, open_only=False, fields=DETAIL_FIELDS)
    if not found:
        raise Http404("활동을 찾을 수 없어요.")
    return found[0]


MAX_ID = 2**63 - 1  # the largest id the databases store (64-bit integers)


def _read_cards(ids: list[int], *, member, open_only: bool, fields: tuple[str, ...]) -> list[Activity]:
    # An id past the databases' 64-bit integers (a typed URL) matches nothing rather than failing.
    ids = [activity_id for activity_id in dict.fromkeys(ids) if 0 < activity_id <= MAX_ID]
    if not ids:
        return []
    with_member = member is not None and member.is_authenticated
    params: list = [True, True]  # enabled likes and participants counted
    if with_member:
        params += [member.pk, True]
    params += [*ids, True, True]  # the activity and its club enabled
    if open_only:
        params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    sql = _cards_sql(fields=fields, id_count=len(ids), with_member=with_member, open_only=open_only)
    by_id = {}
    for activity in Activity.objects.raw(sql, params):
        # The card's club and category are the two names it shows, not their whole rows.
        activity.club = Club(id=activity.club_id, name=activity.club_name)
        activity.category = Category(id=activity.category_id, name=activity.category_name)
        if with_member:
            activity.is_like = bool(activity.is_like)  # SQLite answers 0 or 1
        by_id[activity.id] = activity
    return [by_id[activity_id] for activity_id in ids if activity_id in by_id]


@cache
def _cards_sql(*, fields: tuple[str, ...], id_count: int, with_member: bool, open_only: bool) -> str:
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    activity_columns = ", ".join(f"a.{column(Activity, name)}" for name in fields if "__" not in name)

    def enabled_count(model) -> str:
        return (f"(SELECT COUNT(*) FROM {table(model)} x WHERE x.{column(model, 'activity')} = a.{column(Activity, 'id')}"
                f" AND x.{column(model, 'status')} = %s)")

    is_like = ""
    if with_member:
        is_like = (f", EXISTS (SELECT 1 FROM {table(ActivityLike)} x WHERE x.{column(ActivityLike, 'activity')} = a.{column(Activity, 'id')}"
                   f" AND x.{column(ActivityLike, 'member')} = %s AND x.{column(ActivityLike, 'status')} = %s) AS is_like")
    still_open = f" AND a.{column(Activity, 'activity_end')} >= %s" if open_only else ""
    return (
        f"SELECT {activity_columns}, c.{column(Club, 'name')} AS club_name, g.{column(Category, 'name')} AS category_name,"
        f" {enabled_count(ActivityLike)} AS like_count, {enabled_count(ActivityMember)} AS member_count{is_like}"
        f" FROM {table(Activity)} a"
        f" JOIN {table(Club)} c ON c.{column(Club, 'id')} = a.{column(Activity, 'club')}"
        f" JOIN {table(Category)} g ON g.{column(Category, 'id')} = a.{column(Activity, 'category')}"
        f" WHERE a.{column(Activity, 'id')} IN ({', '.join(['%s'] * id_count)})"
        f" AND a.{column(Activity, 'status')} = %s AND c.{column(Club, 'status')} = %s{still_open}"
    )


# The main page's tabs are the same for everyone but the like state: their ids are kept a few
# seconds per process (ordering all activities by their counts is the costly part), their
# cards are loaded fresh for each request.
_tab_ids: ExpiringCache[list[int]] = ExpiringCache(
    "activity.main_tabs", lambda: settings.ACTIVITY_TAB_CACHE_SECONDS, cleared_by=(Activity, Club)
)


def cards_of_kept_ids(pick_ids: Callable[[], list[int]], *, kept: ExpiringCache, member,
                      open_only: bool = False) -> list[Activity]:
    """The cards of ids that `pick_ids` draws from the `kept` cache. When one of them was hidden
    or ended since (its save cleared the cache only in the process that made it), the card
    read leaves it out: the kept lists are dropped and the ids asked again, so the list stays full."""
    ids = pick_ids()
    cards = cards_in_order(ids, member=member, open_only=open_only)
    if len(cards) < len(ids):
        kept.clear()
        cards = cards_in_order(pick_ids(), member=member, open_only=open_only)
    return cards


def _cards_of_tab(name: str, ids_of_tab, member, limit: int) -> list[Activity]:
    return cards_of_kept_ids(lambda: _tab_ids.get((name, limit), ids_of_tab), kept=_tab_ids, member=member)


def popular_activities(*, member=None, limit=MAIN_TAB_SIZE) -> list[Activity]:
    def ids():
        ordered = activity_cards().order_by("-member_count", "-like_count", "-created_date", "-id")
        return list(ordered.values_list("id", flat=True)[:limit])

    return _cards_of_tab("popular", ids, member, limit)


def newest_activities(*, member=None, limit=MAIN_TAB_SIZE) -> list[Activity]:
    def ids():
        return list(enabled_activities().order_by("-created_date", "-id").values_list("id", flat=True)[:limit])

    return _cards_of_tab("newest", ids, member, limit)


def enabled_activities() -> QuerySet[Activity]:
    """Enabled activities of enabled clubs, without the cards' joins (for ordering and counting)."""
    return Activity.enabled_objects.filter(club__status=True)


def activity_list(*, category_id=None) -> QuerySet[Activity]:
    """Every enabled activity, newest first, as plain rows to paginate: the page's cards are
    then loaded with cards_in_order (counting joins over all activities would cost every page)."""
    queryset = enabled_activities().order_by("-created_date", "-id")
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    return queryset


def enabled_activity(*, activity_id) -> Activity:
    return get_object_or_404(
        Activity.enabled_objects.filter(club__status=True).select_related("category"), pk=activity_id
    )


def categories() -> list[Category]:
    return list(Category.objects.all())


def open_activities() -> QuerySet[Activity]:
    """Enabled activities of enabled clubs that have not ended (what recommendations draw from)."""
    return enabled_activities().filter(activity_end__gte=timezone.now())


EXPORT_COLUMNS = (
    "id", "activity_title", "activity_content", "activity_intro", "activity_address_location",
    "category_id", "category_name",
)


def activities_for_export() -> list[dict]:
    """Every enabled activity with its category, in the columns training reads."""
    rows = (
        Activity.enabled_objects.filter(club__status=True)
        .order_by("id")
        .values_list("id", "title", "content", "intro", "address_location", "category_id", "category__name")
    )
    return [dict(zip(EXPORT_COLUMNS, row)) for row in rows]


def like_count(*, activity_id) -> int:
    return ActivityLike.enabled_objects.filter(activity_id=activity_id).count()
