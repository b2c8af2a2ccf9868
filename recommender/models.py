from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class MemberModel(models.Model):
    """A member's personal model, stored as what their events added to the base model.

    `delta` holds the class counts and sparse token counts per class (engine.MemberDelta,
    compact binary) for the base model `base_version`; when the shipped model changes,
    it is rebuilt from the event log. `recent_counts` is the recency-weighted event
    count per category (decayed to `recent_at`) that the AI tab's ranking uses.
    """

    member = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="recommender_model")
    base_version = models.CharField("기반 모델 버전", max_length=64, blank=True)
    delta = models.BinaryField("추가 학습 카운트", blank=True, default=b"")
    recent_counts = models.JSONField("최근 관심 카테고리 가중치", default=list, blank=True)
    recent_at = models.DateTimeField("가중치 기준 시각", null=True, blank=True)
    event_count = models.PositiveIntegerField("학습 이벤트 수", default=0)
    created_date = models.DateTimeField("생성일", default=timezone.now)
    updated_date = models.DateTimeField("수정일", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "회원별 추천 모델"

    def __str__(self):
        return f"{self.member} ({self.event_count}회 학습)"


class LearningEvent(models.Model):
    """Append-only log of what a member's model learned from: the source of truth from
    which member models are rebuilt after the base model is retrained.

    A request only appends its event (pending) and, once it commits, queues a task; the task
    worker takes the member's pending events into their counts under the member row's lock
    (member_models.take_in_member_events), and the sweep catches any whose task never ran. Reads
    add pending events in memory (member_models.current_member_state) and write nothing.
    """

    class Kind(models.TextChoices):
        VIEW = "view", "상세 페이지 방문"
        LIKE = "like", "좋아요"
        UNLIKE = "unlike", "좋아요 취소"

    class State(models.IntegerChoices):
        PENDING = 0, "반영 대기"
        LEARNED = 1, "학습됨"
        # A reload inside the view cool-down that raced past the request's own check.
        SKIPPED = 2, "중복 방문(학습 안 함)"

    # No index of its own: the composite index below starts with member (the log is the
    # largest table, and each index costs every member bytes per event).
    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="learning_events", db_index=False)
    activity = models.ForeignKey("activity.Activity", models.CASCADE, related_name="learning_events")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    # The label learned (the activity's category at the time) and the sample weight;
    # an unlike carries the negative of its like's weight.
    category_id = models.PositiveSmallIntegerField()
    weight = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)
    state = models.PositiveSmallIntegerField("반영 상태", choices=State.choices, default=State.PENDING)

    class Meta:
        indexes = [
            models.Index(fields=["member", "activity", "kind", "-created_at"], name="event_member_activity_kind"),
            # Only the few events not yet taken in: finding a member's costs a tiny index, not one entry per event.
            models.Index(fields=["member"], condition=models.Q(state=0), name="event_pending_member"),
        ]
        ordering = ["id"]
        verbose_name = verbose_name_plural = "학습 이벤트"

    def __str__(self):
        return f"{self.member_id} {self.kind} {self.activity_id} ({self.weight:+g})"


class LearningRateWindow(models.Model):
    """How many likes and learning events a member has spent in the current one-minute window
    (events.spend_learning_budget): one row per member, shared by every web worker."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "학습 이벤트 속도 제한"


class SeasonKeywordSet(models.Model):
    """Keywords the logged-out AI tab asks the base model with, editable by operators.

    The active set for a day is the enabled one whose date range contains it (an empty
    bound is open); among several, the one with the narrowest range wins."""

    keywords = models.CharField("시즌 키워드", max_length=200, help_text="공백으로 구분합니다. 예: 여행 바다 산 여름 시원한")
    start_date = models.DateField("시작일", null=True, blank=True)
    end_date = models.DateField("종료일", null=True, blank=True)
    is_enabled = models.BooleanField("사용", default=True)
    created_date = models.DateTimeField("생성일", default=timezone.now)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = verbose_name_plural = "시즌 키워드"

    def __str__(self):
        period = f"{self.start_date or '…'} ~ {self.end_date or '…'}"
        return f"{self.keywords} ({period})"

    def clean(self):
        errors = {}
        if not self.keywords.split():
            errors["keywords"] = "키워드를 하나 이상 입력해 주세요."
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors["end_date"] = "종료일은 시작일보다 빠를 수 없어요."
        if errors:
            raise ValidationError(errors)


class SimilarActivity(models.Model):
    """Precomputed nearest neighbours of each activity (cosine over the model's features),
    so the detail page never computes all pairs per request."""

    activity = models.ForeignKey("activity.Activity", models.CASCADE, related_name="similar_links")
    similar = models.ForeignKey("activity.Activity", models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    model_version = models.CharField(max_length=64)

    class Meta:
        ordering = ["activity", "rank"]
        constraints = [models.UniqueConstraint(fields=["activity", "rank"], name="unique_similar_rank")]
        verbose_name = verbose_name_plural = "비슷한 활동"


class ActivityVector(models.Model):
    """An activity's TF-IDF vector (compact sparse bytes) for the similar-activities index,
    kept so one changed activity can be compared with all others without re-tokenizing them."""

    activity = models.OneToOneField("activity.Activity", models.CASCADE, related_name="similarity_vector")
    model_version = models.CharField(max_length=64)
    data = models.BinaryField()

    class Meta:
        verbose_name = verbose_name_plural = "활동 벡터"


class SimilarityIndex(models.Model):
    """The state of the similar-activities index: which model built it and the idf it used."""

    model_version = models.CharField(max_length=64, unique=True)
    idf = models.BinaryField()
    activity_count = models.PositiveIntegerField()
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "비슷한 활동 색인"


# --- online evaluation: what the tabs showed and what was opened ----------------------


class Tab(models.TextChoices):
    AI = "ai", "AI 추천 활동"
    POPULAR = "popular", "인기 활동"
    NEWEST = "newest", "최신 활동"


class _ShownCard(models.Model):
    """The fields an impression and a click share: which list of cards (recommendation_id),
    which tab, the AI answer's source, the experiment arm, the model version, the position and
    the activity, and who saw it — the member, or for a logged-out visitor only the random id of
    a first-party cookie (never an IP address)."""

    recommendation_id = models.UUIDField("추천 ID")
    tab = models.CharField("탭", max_length=8, choices=Tab.choices)
    source = models.CharField("추천 근거", max_length=8, blank=True)  # season, member, fallback; "" outside the AI tab
    arm = models.CharField("실험군", max_length=16, blank=True)
    model_version = models.CharField("모델 버전", max_length=64, blank=True)
    position = models.PositiveSmallIntegerField("위치")  # 0 = the first card
    # Plain ids, not foreign keys: the log outlives a deleted activity, and appends check nothing.
    activity_id = models.BigIntegerField("활동 ID")
    category_id = models.PositiveSmallIntegerField("카테고리 ID", null=True)
    # A deleted member's rows stay, without the link.
    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                               db_index=False, db_constraint=False, verbose_name="회원")
    visitor_id = models.UUIDField("방문자 쿠키", null=True, blank=True)
    created_at = models.DateTimeField("시각", default=timezone.now)

    class Meta:
        abstract = True


class Impression(_ShownCard):
    """One card a visitor was actually shown. Append-only; one row per card of a recommendation."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recommendation_id", "activity_id"], name="impression_once")]
        indexes = [models.Index(fields=["created_at"], name="impression_created")]
        verbose_name = verbose_name_plural = "추천 노출"


class Click(_ShownCard):
    """A card that was opened (the detail page reached from a card). `liked_at` is set when the
    member likes the activity within the same visit after the click."""

    liked_at = models.DateTimeField("클릭 후 좋아요", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recommendation_id", "activity_id"], name="click_once")]
        indexes = [
            models.Index(fields=["created_at"], name="click_created"),
            models.Index(fields=["member", "activity_id", "-created_at"], name="click_member_activity"),
        ]
        verbose_name = verbose_name_plural = "추천 클릭"


class EventPrune(models.Model):
    """A run of the retention command: impressions and clicks before `cutoff` were deleted."""

    cutoff = models.DateTimeField("삭제 기준 시각")
    impressions_deleted = models.PositiveBigIntegerField(default=0)
    clicks_deleted = models.PositiveBigIntegerField(default=0)
    ran_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = verbose_name_plural = "노출·클릭 보존 기간 정리"
