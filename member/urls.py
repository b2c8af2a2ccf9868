from django.urls import path

from member import apis, views

app_name = "member"

urlpatterns = [
    path("accounts/signup/", views.signup_page, name="signup"),
    path("accounts/login/", views.MemberLoginView.as_view(), name="login"),
    path("accounts/logout/", views.MemberLogoutView.as_view(), name="logout"),
    path("mypage/interests/", views.interests_page, name="interests"),
    path("api/me/interests/", apis.MyInterestsApi.as_view(), name="interests-api"),
]
