"""The recommender's pages: the main page (AI 추천 활동 beside 인기/최신) and an activity's page
(opening it is a learning event and a click; similar activities below), and the operator
dashboard (staff only, inside the admin: click-through, the report, the model card and
learning health; charts are PNGs drawn on the server, the page runs no script)."""
from django.contrib import admin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_safe

from activity import selectors as activity_selectors
from recommender import charts, selectors
from recommender.models import LearningEvent, Tab
from recommender.events import record_activity_view, record_click
from recommender.visitors import remember, viewer_of


@require_safe  # HEAD answers like GET (uptime monitors)
@ensure_csrf_cookie  # the AI tab's hearts call the like API with this token
def main_page(request):
    tabs = selectors.main_tabs(member=request.user, viewer=viewer_of(request))
    context = {"tabs": tabs, "popular_activities": tabs.popular, "newest_activities": tabs.newest}
    return remember(request, render(request, "activity/main.html", context))


@require_safe  # HEAD answers like GET (uptime monitors)
@ensure_csrf_cookie
def activity_detail_page(request, activity_id):
    activity = activity_selectors.activity_detail(activity_id=activity_id, member=request.user)
    opened = request.method == "GET"  # a HEAD opens nothing: no click, no learning event
    if opened and request.GET.get("rec"):
        # Opened from a card: a click (an append; counted once per card and viewer).
        record_click(recommendation_id=request.GET["rec"], activity_id=activity.id,
                     viewer=viewer_of(request, create=False))
    if opened and request.user.is_authenticated:
        # Opening an activity is a learning event for the member's model (learned by the worker).
        record_activity_view(member=request.user, activity=activity)
    similar = selectors.similar_activities(activity_id=activity.id, member=request.user)
    return render(request, "activity/detail.html", {"activity": activity, "similar_activities": similar})


DASHBOARD_DAYS = 30
ARM_LABELS = {"plain": "plain (모델 예측만)", "personal": "personal (개인화)", "ranked": "ranked (카테고리 안 정렬)"}


@require_GET
def dashboard(request):
    context = {
        **admin.site.each_context(request),
        "title": "추천 대시보드",
        "days": DASHBOARD_DAYS,
        "report": selectors.recommendation_report(days=DASHBOARD_DAYS),
        "model_card": selectors.model_card(),
        "health": selectors.learning_health(),
        "top_categories": selectors.most_recommended_categories(days=DASHBOARD_DAYS),
        "charts": [
            ("ctr-by-tab", "탭별 하루 클릭률 (최근 30일)"),
            ("ctr-by-arm", "AI 탭 실험군별 하루 클릭률 (최근 30일)"),
            ("learning-events", "하루 학습 이벤트 수 (최근 30일)"),
        ],
    }
    return TemplateResponse(request, "admin/recommender/dashboard.html", context)


def _png(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
def chart(request, name):
    if name == "ctr-by-tab":
        data = selectors.daily_click_through(by="tab", days=DASHBOARD_DAYS)
        return _png(charts.click_through_chart(data["days"], data["series"], title="탭별 하루 클릭률",
                                               labels={tab.value: tab.label for tab in Tab}))
    if name == "ctr-by-arm":
        data = selectors.daily_click_through(by="arm", days=DASHBOARD_DAYS)
        return _png(charts.click_through_chart(data["days"], data["series"], title="AI 탭 실험군별 하루 클릭률",
                                               labels=ARM_LABELS))
    if name == "learning-events":
        data = selectors.learning_events_per_day(days=DASHBOARD_DAYS)
        return _png(charts.events_chart(data["days"], data["series"],
                                        labels=dict(LearningEvent.Kind.choices)))
    raise Http404("없는 차트예요.")


@require_GET
def confusion_matrix(request):
    path = selectors.confusion_picture_path()
    if path is None:
        raise Http404("혼동 행렬 그림이 없어요.")
    return FileResponse(path.open("rb"), content_type="image/png")
