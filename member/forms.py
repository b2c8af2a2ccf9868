from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from member.interests import KEYWORD_SLOTS, InterestsError, clean_interests
from member.models import Member, normalize_email
from member.selectors import category_choices


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
        email = normalize_email(self.cleaned_data["email"])
        if Member.objects.filter(email=email).exists():
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

    def clean_username(self):
        return normalize_email(self.cleaned_data.get("username"))


class _RawChoicesField(forms.Field):
    """The checked values as sent; `clean_interests` is the one place that judges them."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if not value:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]


class InterestsForm(forms.Form):
    """Mypage interests. Field checks only collect the input; the rules live in
    `member.interests.clean_interests`, shared with the API."""

    categories = _RawChoicesField(label="관심 분야", required=False)
    keyword_1 = forms.CharField(label="키워드 1", required=False, strip=False)
    keyword_2 = forms.CharField(label="키워드 2", required=False, strip=False)
    keyword_3 = forms.CharField(label="키워드 3", required=False, strip=False)

    keyword_fields = tuple(f"keyword_{slot}" for slot in range(1, KEYWORD_SLOTS + 1))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].widget.choices = category_choices()
        for number, name in enumerate(self.keyword_fields, start=1):
            self.fields[name].widget.attrs.update(
                {"placeholder": f"예: {('바다', '캠핑', '전시')[number - 1]}", "autocomplete": "off"}
            )
        self.interests = None

    @property
    def keyword_boundfields(self):
        return [self[name] for name in self.keyword_fields]

    def clean(self):
        cleaned = super().clean()
        try:
            self.interests = clean_interests(
                category_ids=cleaned.get("categories", []),
                keywords=[cleaned.get(name, "") for name in self.keyword_fields],
            )
        except InterestsError as error:
            for message in error.categories:
                self.add_error("categories", message)
            for message in error.keywords:
                self.add_error(None, message)
            for slot, messages in error.keyword_slots.items():
                for message in messages:
                    self.add_error(self.keyword_fields[slot], message)
        return cleaned
