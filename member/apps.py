from django.apps import AppConfig


class MemberConfig(AppConfig):
    name = "member"
    verbose_name = "회원"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from member.throttle import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="member.reset_login_failures")
