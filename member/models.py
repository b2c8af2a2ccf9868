from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from teenplay.db import StatusModel

KEYWORD_MAX_LENGTH = 20


def normalize_email(value) -> str:
    """The one form an email is stored and looked up in: trimmed and lower-cased whole
    (signup, login, the admin's forms and its login all go through this)."""
    return (value or "").strip().lower()


class MemberManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalize_email(email)

    def get_by_natural_key(self, username):
        # Login (the site's and the admin's) finds `Kim.Mixed@Example.com` as it was stored.
        return self.get(**{self.model.USERNAME_FIELD: normalize_email(username)})

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("이메일을 입력해 주세요.")
        member = self.model(email=self.normalize_email(email), **extra_fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("nickname", "관리자")
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class Member(AbstractBaseUser, PermissionsMixin):
    class Gender(models.TextChoices):
        UNSPECIFIED = "", "선택 안 함"
        FEMALE = "F", "여성"
        MALE = "M", "남성"

    email = models.EmailField("이메일", unique=True)
    nickname = models.CharField("닉네임", max_length=30)
    phone = models.CharField("전화번호", max_length=20, blank=True)
    address = models.CharField("주소", max_length=255, blank=True)
    region = models.ForeignKey("activity.Region", models.SET_NULL, null=True, blank=True, verbose_name="지역")
    gender = models.CharField("성별", max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField("출생연도", null=True, blank=True)
    marketing_agree = models.BooleanField("마케팅 수신 동의", default=False)
    privacy_agree = models.BooleanField("개인정보 수집 동의", default=False)
    keyword_1 = models.CharField("관심 키워드 1", max_length=KEYWORD_MAX_LENGTH, blank=True)
    keyword_2 = models.CharField("관심 키워드 2", max_length=KEYWORD_MAX_LENGTH, blank=True)
    keyword_3 = models.CharField("관심 키워드 3", max_length=KEYWORD_MAX_LENGTH, blank=True)
    favorite_categories = models.ManyToManyField(
        "activity.Category",
        through="MemberFavoriteCategory",
        related_name="fans",
        blank=True,
        verbose_name="관심 분야",
    )
    is_active = models.BooleanField("활성", default=True)
    is_staff = models.BooleanField("스태프", default=False)
    date_joined = models.DateTimeField("가입일", default=timezone.now)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nickname"]

    class Meta:
        verbose_name = verbose_name_plural = "회원"

    def __str__(self):
        return f"{self.nickname} <{self.email}>"

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    @property
    def keywords(self):
        return [self.keyword_1, self.keyword_2, self.keyword_3]


class MemberFavoriteCategory(StatusModel):
    member = models.ForeignKey(Member, models.CASCADE, related_name="favorite_category_links")
    category = models.ForeignKey("activity.Category", models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "category"], name="unique_member_favorite_category")]
        verbose_name = verbose_name_plural = "관심 분야"

    def __str__(self):
        return f"{self.member} · {self.category}"
