"""Reads for activity pages and APIs. All annotation and joins live here so each
page runs a fixed number of queries however many cards it shows."""
from functools import cache

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
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
    never shows a hidden, deleted or ended activity; like counts and the like state are current."""
    queryset = activity_cards(member=member).filter(id__in=ids).only(*CARD_FIELDS)
    if open_only:
        queryset = queryset.filter(activity_end__gte=timezone.now())
    by_id = {activity.id: activity for activity in queryset}
    return [by_id[activity_id] for activity_id in ids if activity_id in by_id]


# The main page's tabs are the same for everyone but the like state: their ids are kept a few
# seconds per process (ordering all activities by their counts is the costly part), their
# cards are loaded fresh for each request.
_tab_ids: ExpiringCache[list[int]] = ExpiringCache(
    "activity.main_tabs", lambda: settings.ACTIVITY_TAB_CACHE_SECONDS, cleared_by=(Activity, Club)
)


def _cards_of_tab(name: str, ids_of_tab, member, limit: int) -> list[Activity]:
    ids = _tab_ids.get((name, limit), ids_of_tab)
    cards = cards_in_order(ids, member=member)
    if len(cards) < len(ids):  # one was hidden in another process since: ask again
        _tab_ids.clear()
        cards = cards_in_order(_tab_ids.get((name, limit), ids_of_tab), member=member)
    return cards


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


def activity_detail(*, activity_id, member=None) -> Activity:
    """The enabled activity or a 404."""
    return get_object_or_404(activity_cards(member=member), pk=activity_id)


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
