"""Login throttling (django-axes): failed logins are counted per account and per client
address; at LOGIN_FAILURE_LIMIT failures within LOGIN_COOLOFF_MINUTES the login answers 429
with a cool-down. A successful login clears that account's failures; operators unlock an
account from the admin (회원 → 로그인 잠금 해제, or delete its rows under Axes → access attempts).
"""
import logging
import math

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render

from member.models import normalize_email

logger = logging.getLogger(__name__)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins while the account or the address is locked out. An `authenticate()`
    without a request comes from code (a test client's login, a shell), not from a login
    page, so there is nothing to throttle: it passes on to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials) -> str | None:
    """The account a login attempt is counted against: the email as it is stored."""
    username = (credentials or {}).get("username") or (credentials or {}).get("email")
    return normalize_email(username) if username else None


def cooloff_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def locked_out_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429, a Korean message with the cool-down, a Retry-After header."""
    logger.warning(
        "login locked out: account=%s address=%s path=%s",
        login_username(request, credentials), getattr(request, "axes_ip_address", None), request.path,
    )
    response = render(request, "member/login_locked.html", {"minutes": cooloff_minutes()}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def reset_login_failures(*, email: str) -> int:
    """Forget an account's failed logins (a successful login, or an operator's unlock).
    Only that account's rows: a login never clears failures typed for other accounts."""
    count, _ = AccessAttempt.objects.filter(username=normalize_email(email)).delete()
    return count


def on_user_logged_in(sender, request, user, **kwargs):
    if request is not None:
        reset_login_failures(email=user.email)
