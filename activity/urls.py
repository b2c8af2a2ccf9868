from django.urls import path

from activity import views

app_name = "activity"

# The main page, an activity's page and its like API share this namespace but are the
# recommender's views (recommender.urls.activity_page_patterns; teenplay.urls joins them).
urlpatterns = [
    path("activities/", views.activity_list_page, name="list"),
]
