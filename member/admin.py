from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm

from member.models import Member, MemberFavoriteCategory
from member.throttle import reset_login_failures


class MemberCreationForm(AdminUserCreationForm):
    class Meta:
        model = Member
        fields = ("email", "nickname")


class FavoriteCategoryInline(admin.TabularInline):
    model = MemberFavoriteCategory
    extra = 0


@admin.register(Member)
class MemberAdmin(UserAdmin):
    add_form = MemberCreationForm
    ordering = ("-date_joined",)
    list_display = ("id", "email", "nickname", "region", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "region", "gender", "marketing_agree")
    search_fields = ("email", "nickname", "phone")
    list_select_related = ("region",)
    inlines = [FavoriteCategoryInline]
    actions = ["unlock_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("프로필", {"fields": ("nickname", "phone", "address", "region", "gender", "birth_year")}),
        ("관심 키워드", {"fields": ("keyword_1", "keyword_2", "keyword_3")}),
        ("동의", {"fields": ("privacy_agree", "marketing_agree")}),
        ("권한", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("기록", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "nickname", "usable_password", "password1", "password2")}),)

    @admin.action(description="로그인 잠금 해제 (실패 기록 지우기)", permissions=["change"])
    def unlock_login(self, request, queryset):
        cleared = sum(reset_login_failures(email=member.email) for member in queryset)
        self.message_user(request, f"{queryset.count()}명의 로그인 잠금을 풀었어요 (실패 기록 {cleared}건 삭제).", messages.SUCCESS)


@admin.register(MemberFavoriteCategory)
class MemberFavoriteCategoryAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "category", "status", "updated_date")
    list_filter = ("status", "category")
    search_fields = ("member__email",)
    raw_id_fields = ("member",)
