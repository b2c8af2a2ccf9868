from django.contrib import admin

from activity.admin import ActivityAdmin
from activity.models import Activity
from recommender.models import LearningEvent, MemberModel, SeasonKeywordSet, SimilarityIndex


class ActivityAdminKeepingSimilarCurrent(ActivityAdmin):
    """activity's admin, plus: saving an activity refreshes its place in the similar-activities
    index, so the detail pages' similar lists are current."""

    def save_model(self, request, obj, form, change):
        # Imported here: every manage.py command loads the admin modules, and recommender.similar
        # brings scikit-learn (0.8 s of start-up that migrate or collectstatic never use).
        from recommender.similar import refresh_similar_activities

        super().save_model(request, obj, form, change)
        refresh_similar_activities(activity=obj)


admin.site.unregister(Activity)
admin.site.register(Activity, ActivityAdminKeepingSimilarCurrent)


@admin.register(SeasonKeywordSet)
class SeasonKeywordSetAdmin(admin.ModelAdmin):
    list_display = ("keywords", "start_date", "end_date", "is_enabled")
    list_editable = ("is_enabled",)
    list_filter = ("is_enabled",)
    search_fields = ("keywords",)


@admin.register(MemberModel)
class MemberModelAdmin(admin.ModelAdmin):
    list_display = ("member", "event_count", "base_version", "updated_date")
    search_fields = ("member__email",)
    list_select_related = ("member",)
    readonly_fields = ("member", "base_version", "recent_counts", "recent_at", "event_count", "created_date", "updated_date")
    exclude = ("delta",)

    def has_add_permission(self, request):
        return False  # created by signup


@admin.register(LearningEvent)
class LearningEventAdmin(admin.ModelAdmin):
    """Append-only: viewable, never edited here."""

    list_display = ("id", "member", "activity", "kind", "category_id", "weight", "created_at")
    list_filter = ("kind", "category_id")
    search_fields = ("member__email", "activity__title")
    list_select_related = ("member", "activity")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SimilarityIndex)
class SimilarityIndexAdmin(admin.ModelAdmin):
    list_display = ("model_version", "activity_count", "built_at")
    readonly_fields = ("model_version", "activity_count", "built_at")
    exclude = ("idf",)
