from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from activity import selectors


@require_GET
def main_page(request):
    return render(
        request,
        "activity/main.html",
        {
            "popular_activities": selectors.popular_activities(member=request.user),
            "newest_activities": selectors.newest_activities(member=request.user),
        },
    )


@require_GET
def activity_list_page(request):
    categories = selectors.categories()
    category_id = request.GET.get("category")
    selected = next((c for c in categories if str(c.id) == category_id), None)
    paginator = Paginator(
        selectors.activity_list(category_id=selected.id if selected else None, member=request.user),
        selectors.LIST_PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "activity/list.html",
        {"categories": categories, "selected_category": selected, "page": page},
    )


@require_GET
def activity_detail_page(request, activity_id):
    activity = selectors.activity_detail(activity_id=activity_id, member=request.user)
    return render(request, "activity/detail.html", {"activity": activity})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
