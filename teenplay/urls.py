from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from activity import urls as activity_urls
from recommender import urls as recommender_urls

urlpatterns = [
    path("", include((activity_urls.urlpatterns + recommender_urls.activity_page_patterns, activity_urls.app_name))),
    path("", include("member.urls")),
    path("", include("recommender.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

handler400 = "teenplay.errors.bad_request"
handler403 = "teenplay.errors.permission_denied"
handler404 = "teenplay.errors.page_not_found"
handler500 = "teenplay.errors.server_error"
