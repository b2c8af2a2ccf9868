from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("activity.urls")),
    path("", include("member.urls")),
    path("", include("recommender.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

handler400 = "teenplay.errors.bad_request"
handler403 = "teenplay.errors.permission_denied"
handler404 = "teenplay.errors.page_not_found"
handler500 = "teenplay.errors.server_error"
