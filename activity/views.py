from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from activity import selectors
from recommender import selectors as recommender_selectors
from recommender.services import record_activity_view, record_click
from recommender.visitors import remember, viewer_of


@require_safe  # HEAD answers like GET (uptime monitors)
@ensure_csrf_cookie  # the AI tab's hearts call the like API with this token
def main_page(request):
    tabs = recommender_selectors.main_tabs(member=request.user, viewer=viewer_of(request))
    context = {"tabs": tabs, "popular_activities": tabs.popular, "newest_activities": tabs.newest}
    return remember(request, render(request, "activity/main.html", context))


@require_safe  # HEAD answers like GET (uptime monitors)
def activity_list_page(request):
    categories = selectors.categories()
    category_id = request.GET.get("category")
    selected = next((c for c in categories if str(c.id) == category_id), None)
    paginator = Paginator(
        selectors.activity_list(category_id=selected.id if selected else None).values_list("id", flat=True),
        selectors.LIST_PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.cards_in_order(list(page.object_list), member=request.user)
    return render(
        request,
        "activity/list.html",
        {"categories": categories, "selected_category": selected, "page": page},
    )


@require_safe  # HEAD answers like GET (uptime monitors)
@ensure_csrf_cookie
def activity_detail_page(request, activity_id):
    activity = selectors.activity_detail(activity_id=activity_id, member=request.user)
    opened = request.method == "GET"  # a HEAD opens nothing: no click, no learning event
    if opened and request.GET.get("rec"):
        # Opened from a card: a click (an append; counted once per card and viewer).
        record_click(recommendation_id=request.GET["rec"], activity_id=activity.id,
                     viewer=viewer_of(request, create=False))
    if opened and request.user.is_authenticated:
        # Opening an activity is a learning event for the member's model (learned by the worker).
        record_activity_view(member=request.user, activity=activity)
    similar = recommender_selectors.similar_activities(activity_id=activity.id, member=request.user)
    return render(request, "activity/detail.html", {"activity": activity, "similar_activities": similar})
