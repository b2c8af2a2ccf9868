from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from member.forms import EmailAuthenticationForm, InterestsForm, SignupForm
from member.selectors import member_interests
from member.services import set_member_interests, signup_member


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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def interests_page(request):
    """Mypage: favourite categories and three keywords."""
    if request.method == "POST":
        form = InterestsForm(request.POST)
        if form.is_valid():
            set_member_interests(
                member=request.user,
                category_ids=form.interests.category_ids,
                keywords=form.interests.keywords,
            )
            messages.success(request, "관심사를 저장했어요.")
            return redirect("member:interests")
    else:
        current = member_interests(member=request.user)
        initial = {"categories": current["categories"]}
        initial.update(zip(InterestsForm.keyword_fields, current["keywords"]))
        form = InterestsForm(initial=initial)
    return render(request, "member/interests.html", {"form": form})
