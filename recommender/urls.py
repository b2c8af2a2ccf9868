from django.urls import path

from recommender import apis

app_name = "recommender"

urlpatterns = [
    path("api/recommendations/activities/", apis.RecommendedActivitiesApi.as_view(), name="recommendations"),
    path("api/activities/<int:activity_id>/similar/", apis.SimilarActivitiesApi.as_view(), name="similar"),
]
