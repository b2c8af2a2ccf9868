"""Reads for activity pages and APIs. All annotation and joins live here so each
page runs a fixed number of queries however many cards it shows."""
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from activity.models import Activity, ActivityLike, Category

MAIN_TAB_SIZE = 8
LIST_PAGE_SIZE = 12


def activity_cards(*, member=None) -> QuerySet[Activity]:
    """Enabled activities of enabled clubs with what a card shows: club, category,
    like and participant counts, and whether `member` likes each one."""
    queryset = (
        Activity.enabled_objects.filter(club__status=True)
        .select_related("club", "category")
        .annotate(
            like_count=Count("likes", filter=Q(likes__status=True), distinct=True),
            member_count=Count("participants", filter=Q(participants__status=True), distinct=True),
        )
    )
    if member is not None and member.is_authenticated:
        queryset = queryset.annotate(
            is_like=Exists(ActivityLike.enabled_objects.filter(activity=OuterRef("pk"), member=member))
        )
    return queryset


def popular_activities(*, member=None, limit=MAIN_TAB_SIZE) -> list[Activity]:
    return list(activity_cards(member=member).order_by("-member_count", "-like_count", "-created_date", "-id")[:limit])


def newest_activities(*, member=None, limit=MAIN_TAB_SIZE) -> list[Activity]:
    return list(activity_cards(member=member).order_by("-created_date", "-id")[:limit])


def activity_list(*, category_id=None, member=None) -> QuerySet[Activity]:
    queryset = activity_cards(member=member).order_by("-created_date", "-id")
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
    return Activity.enabled_objects.filter(club__status=True, activity_end__gte=timezone.now())


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
