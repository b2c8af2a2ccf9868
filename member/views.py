from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect, render

from member.forms import EmailAuthenticationForm, SignupForm
from member.services import signup_member


def signup_page(request):
    if request.user.is_authenticated:
        return redirect("activity:main")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = signup_member(
            email=data["email"],
            password=data["password1"],
            nickname=data["nickname"],
            privacy_agree=data["privacy_agree"],
            marketing_agree=data["marketing_agree"],
        )
        login(request, member, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("activity:main")
    return render(request, "member/signup.html", {"form": form})


class MemberLoginView(LoginView):
    template_name = "member/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class MemberLogoutView(LogoutView):
    """Logout is POST only (Django's LogoutView refuses GET)."""
