from django.urls import path

from member import views

app_name = "member"

urlpatterns = [
    path("accounts/signup/", views.signup_page, name="signup"),
    path("accounts/login/", views.MemberLoginView.as_view(), name="login"),
    path("accounts/logout/", views.MemberLogoutView.as_view(), name="logout"),
]
