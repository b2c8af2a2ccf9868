"""Activity pages that only read: the list of activities. The main page and an activity's page,
where recommendations show and opening an activity teaches the member's model, are the
recommender's (recommender.views)."""
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from activity import selectors


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
