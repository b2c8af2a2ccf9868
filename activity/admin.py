from django.contrib import admin

from activity.models import Activity, ActivityLike, ActivityMember, Category, Club, ClubCategory, Region


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("id", "name")
    search_fields = ("name",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("id", "name")
    search_fields = ("name",)


class ClubCategoryInline(admin.TabularInline):
    model = ClubCategory
    extra = 0
    autocomplete_fields = ("category",)


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "main_category", "region", "leader", "status", "created_date")
    list_filter = ("status", "main_category", "region")
    search_fields = ("name", "intro", "leader__email", "leader__nickname")
    autocomplete_fields = ("leader",)
    list_select_related = ("main_category", "region", "leader")
    inlines = [ClubCategoryInline]
    date_hierarchy = "created_date"


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "club", "category", "address_location", "recruit_end", "activity_end", "status")
    list_filter = ("status", "category", "address_location")
    search_fields = ("title", "intro", "content", "club__name")
    autocomplete_fields = ("club",)
    list_select_related = ("club", "category")
    date_hierarchy = "created_date"


@admin.register(ActivityLike)
class ActivityLikeAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "activity", "status", "updated_date")
    list_filter = ("status",)
    search_fields = ("member__email", "activity__title")
    raw_id_fields = ("member", "activity")
    list_select_related = ("member", "activity")


@admin.register(ActivityMember)
class ActivityMemberAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "activity", "status", "created_date")
    list_filter = ("status",)
    search_fields = ("member__email", "activity__title")
    raw_id_fields = ("member", "activity")
    list_select_related = ("member", "activity")
