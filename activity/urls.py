from django.urls import path

from activity import apis, views

app_name = "activity"

urlpatterns = [
    path("", views.main_page, name="main"),
    path("activities/", views.activity_list_page, name="list"),
    path("activities/<int:activity_id>/", views.activity_detail_page, name="detail"),
    path("api/activities/<int:activity_id>/like/", apis.ActivityLikeApi.as_view(), name="like"),
]
