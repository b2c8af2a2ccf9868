from django.contrib import admin
from django.urls import path

from recommender import apis, views

app_name = "recommender"

urlpatterns = [
    # Inside the admin (staff only; others go to the admin login), before admin.site.urls takes the path.
    path("admin/recommender/dashboard/", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("admin/recommender/dashboard/charts/<slug:name>.png", admin.site.admin_view(views.chart), name="dashboard-chart"),
    path("admin/recommender/dashboard/confusion-matrix.png", admin.site.admin_view(views.confusion_matrix),
         name="dashboard-confusion"),
    path("api/recommendations/activities/", apis.RecommendedActivitiesApi.as_view(), name="recommendations"),
    path("api/recommendations/impressions/", apis.ImpressionsApi.as_view(), name="impressions"),
    path("api/activities/<int:activity_id>/similar/", apis.SimilarActivitiesApi.as_view(), name="similar"),
]


# Served under the "activity" namespace (activity:main, activity:detail, activity:like) beside
# activity's own list page: the URLs an activity has, whichever app renders them (teenplay.urls).
activity_page_patterns = [
    path("", views.main_page, name="main"),
    path("activities/<int:activity_id>/", views.activity_detail_page, name="detail"),
    path("api/activities/<int:activity_id>/like/", apis.ActivityLikeApi.as_view(), name="like"),
]
