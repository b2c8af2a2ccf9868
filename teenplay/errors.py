"""Error answers for the whole site: JSON `{"detail", "code"}` under `/api/`, a short Korean page
elsewhere. A database that cannot be reached answers 503 instead of 500.

The error page is rendered without the request context (no session, no user), so it still
renders when the database is down.
"""
from __future__ import annotations

import logging
import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
DATABASE_RETRY_AFTER_SECONDS = 30

MESSAGES = {
    "bad_request": "요청을 처리할 수 없어요. 입력을 확인해 주세요.",
    "too_large": "요청 본문이 너무 커요.",
    "permission_denied": "이 작업을 할 권한이 없어요.",
    "not_found": "찾으시는 주소가 없어요.",
    "server_error": "서버에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.",
    "service_unavailable": "지금은 서비스를 이용할 수 없어요. 잠시 후 다시 시도해 주세요.",
    "csrf_failed": "CSRF 검증에 실패했어요. 페이지를 새로고침한 뒤 다시 시도해 주세요.",
}

TITLES = {400: "잘못된 요청이에요", 403: "접근할 수 없어요", 413: "요청이 너무 커요",
          500: "문제가 생겼어요", 503: "잠시 쉬어 가는 중이에요"}


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(request, *, status: int, code: str, detail: str | None = None) -> HttpResponse:
    """The one error shape: JSON for the API, a small standalone page for everything else."""
    detail = detail or MESSAGES[code]
    if is_api_request(request):
        response = JsonResponse({"detail": detail, "code": code}, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        html = loader.render_to_string("error.html", {"title": TITLES.get(status, "문제가 생겼어요"), "message": detail})
        response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def is_database_unavailable(error: BaseException | None) -> bool:
    """An error that means the database cannot be reached (down, refusing, timed out)."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and isinstance(error.__cause__, (OperationalError, InterfaceError))
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, status=413, code="too_large")
    if isinstance(exception, TooManyFieldsSent):
        return error_response(request, status=413, code="too_large")
    return error_response(request, status=400, code="bad_request")


def permission_denied(request, exception=None):
    return error_response(request, status=403, code="permission_denied")


def page_not_found(request, exception=None):
    if is_api_request(request):
        return error_response(request, status=404, code="not_found")
    from django.shortcuts import render

    return render(request, "404.html", status=404)


def server_error(request):
    """handler500; Django calls it inside its `except`, so the error is in sys.exc_info()."""
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        logger.error("database unavailable: %s", error)
        return error_response(request, status=503, code="service_unavailable")
    return error_response(request, status=500, code="server_error")


def csrf_failure(request, reason=""):
    if is_api_request(request):
        return error_response(request, status=403, code="csrf_failed", detail=f"{MESSAGES['csrf_failed']} ({reason})")
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)
