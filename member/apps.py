from django.apps import AppConfig


class MemberConfig(AppConfig):
    name = "member"
    verbose_name = "회원"
