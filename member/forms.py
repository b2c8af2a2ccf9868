from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from member.models import Member


class SignupForm(forms.Form):
    email = forms.EmailField(label="이메일", max_length=254)
    nickname = forms.CharField(label="닉네임", max_length=30)
    password1 = forms.CharField(label="비밀번호", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="비밀번호 확인", strip=False, widget=forms.PasswordInput)
    privacy_agree = forms.BooleanField(
        label="개인정보 수집 및 이용에 동의합니다. (필수)",
        error_messages={"required": "개인정보 수집 및 이용에 동의해야 가입할 수 있어요."},
    )
    marketing_agree = forms.BooleanField(label="이벤트·추천 소식을 받아볼게요. (선택)", required=False)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Member.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("이미 가입된 이메일이에요.")
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "비밀번호가 서로 달라요.")
        elif password1:
            candidate = Member(email=cleaned.get("email", ""), nickname=cleaned.get("nickname", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="이메일", widget=forms.EmailInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": "이메일 또는 비밀번호가 올바르지 않아요.",
        "inactive": "사용이 중지된 계정이에요.",
    }
