from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from teenplay.db import StatusModel


class Category(models.Model):
    """The 13 activity categories; ids 1–13 are fixed by a data migration (the model's classes)."""

    name = models.CharField("카테고리명", max_length=50, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "카테고리"

    def __str__(self):
        return self.name


class Region(models.Model):
    """The 15 regions; ids 1–15 are fixed by a data migration."""

    name = models.CharField("지역명", max_length=20, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "지역"

    def __str__(self):
        return self.name


class Club(StatusModel):
    name = models.CharField("모임 이름", max_length=100)
    intro = models.CharField("모임 소개", max_length=255, blank=True)
    info = models.TextField("모임 정보", blank=True)
    main_category = models.ForeignKey(Category, models.PROTECT, related_name="main_clubs", verbose_name="대표 카테고리")
    categories = models.ManyToManyField(
        Category, through="ClubCategory", related_name="clubs", blank=True, verbose_name="추가 카테고리"
    )
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, verbose_name="지역")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="led_clubs", verbose_name="모임장"
    )
    profile_image = models.ImageField("프로필 사진", upload_to="club/profile/", blank=True)
    banner_image = models.ImageField("배너 사진", upload_to="club/banner/", blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "모임"

    def __str__(self):
        return self.name


class ClubCategory(StatusModel):
    club = models.ForeignKey(Club, models.CASCADE, related_name="club_categories")
    category = models.ForeignKey(Category, models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["club", "category"], name="unique_club_category")]
        verbose_name = verbose_name_plural = "모임 추가 카테고리"

    def __str__(self):
        return f"{self.club} · {self.category}"


class Activity(StatusModel):
    club = models.ForeignKey(Club, models.CASCADE, related_name="activities", verbose_name="모임")
    category = models.ForeignKey(Category, models.PROTECT, related_name="activities", verbose_name="카테고리")
    title = models.CharField("활동 제목", max_length=200)
    content = models.TextField("활동 내용", blank=True, help_text="리치 텍스트 편집기가 남긴 HTML을 포함할 수 있습니다.")
    intro = models.CharField("활동 소개", max_length=255, blank=True)
    address_location = models.CharField("활동 장소", max_length=100, blank=True)
    address_detail = models.CharField("장소 설명", max_length=255, blank=True)
    recruit_start = models.DateTimeField("모집 시작일")
    recruit_end = models.DateTimeField("모집 종료일")
    activity_start = models.DateTimeField("활동 시작일")
    activity_end = models.DateTimeField("활동 종료일")
    thumbnail = models.ImageField("썸네일", upload_to="activity/thumbnail/", blank=True)
    banner = models.ImageField("배너", upload_to="activity/banner/", blank=True)

    class Meta:
        ordering = ["-created_date", "-id"]
        indexes = [
            models.Index(fields=["category", "status", "-created_date"], name="activity_cat_newest"),
            models.Index(fields=["status", "activity_end"], name="activity_status_end"),
        ]
        verbose_name = verbose_name_plural = "활동"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activity:detail", args=[self.pk])

    RECRUIT_STATUS_LABELS = {"upcoming": "모집 예정", "open": "모집 중", "closed": "모집 마감"}

    @property
    def recruit_status(self) -> str:
        """"upcoming", "open" or "closed", relative to now."""
        now = timezone.now()
        if now < self.recruit_start:
            return "upcoming"
        return "open" if now <= self.recruit_end else "closed"

    def get_recruit_status_display(self) -> str:
        return self.RECRUIT_STATUS_LABELS[self.recruit_status]


class ActivityLike(StatusModel):
    """One row per (member, activity); unlike turns status off (soft delete), like turns it back on."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="activity_likes")
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="likes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "activity"], name="unique_activity_like")]
        verbose_name = verbose_name_plural = "관심 활동"

    def __str__(self):
        return f"{self.member} ♥ {self.activity}"


class ActivityMember(StatusModel):
    """Participation of a member in an activity; status off means cancelled."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="activity_participations")
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="participants")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "activity"], name="unique_activity_member")]
        verbose_name = verbose_name_plural = "활동 참가자"

    def __str__(self):
        return f"{self.member} → {self.activity}"
