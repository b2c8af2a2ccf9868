"""The OpenAPI schema's generator (kept apart from teenplay.api: DRF's settings import that module)."""
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import IsAuthenticated

from teenplay.api import ErrorSerializer, ValidationErrorSerializer


class TeenplayAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, in the one
    error shape, so the documented statuses are exactly the ones the API answers with:

    - 400 (with field `errors`), 413, 415 where a body is read: PUT, and POST (the session's
      CSRF check reads a POST body);
    - 403 where login is needed, and on every unsafe method (CSRF);
    - 404 where the path names an object (an unknown id, or one that is not a number);
    - 429 where the view is rate-limited (`throttle_classes`).
    """

    ERRORS = {
        400: "입력값 오류 (JSON 형식, 필드 규칙)",
        403: "로그인 필요 또는 CSRF 검증 실패",
        404: "없는 활동",
        413: "본문이 너무 큼",
        415: "JSON이 아닌 본문",
        429: "요청이 너무 잦음 (Retry-After 헤더의 초만큼 기다리기)",
    }

    def _error_statuses(self) -> list[int]:
        method = self.method.upper()
        unsafe = method not in ("GET", "HEAD", "OPTIONS")
        needs_login = any(isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions())
        statuses = []
        if method in ("POST", "PUT", "PATCH"):
            statuses += [400, 413, 415]
        if needs_login or unsafe:
            statuses.append(403)
        if "{" in self.path:
            statuses.append(404)
        if getattr(self.view, "throttle_classes", None):
            statuses.append(429)
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            if str(status_code) not in responses:
                serializer = ValidationErrorSerializer if status_code == 400 else ErrorSerializer
                responses[str(status_code)] = self._get_response_for_code(
                    OpenApiResponse(response=serializer, description=self.ERRORS[status_code]), str(status_code),
                    direction=direction,
                )
        return responses
