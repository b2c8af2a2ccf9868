"""API-wide pieces: the one error shape and a JSON parser that refuses what would break it.

Every error under `/api/` is `{"detail": "...", "code": "..."}`; validation errors add their
per-field messages under `"errors"`. Errors outside DRF (unknown paths, oversized bodies, 500s)
get the same shape from `teenplay.errors`.
"""
import json
import logging
import re

from django.conf import settings
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

# Far deeper than any body this API takes (interests are two levels), far shallower than
# the depth at which Python's json parser runs out of stack.
JSON_MAX_DEPTH = 32

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "요청 본문이 너무 커요."
    default_code = "too_large"


def json_nesting_depth(text: str, limit: int) -> int:
    """How deep arrays and objects nest in `text` (stops counting past `limit`); strings are skipped."""
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with a size limit (DATA_UPLOAD_MAX_MEMORY_SIZE) and a nesting limit,
    so a hostile body answers 400/413 instead of a 500 (`RecursionError`) or unbounded memory."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1 if limit is not None else -1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError("JSON 본문을 읽을 수 없어요. UTF-8로 보내 주세요.", code="parse_error") from error
        if json_nesting_depth(text, JSON_MAX_DEPTH) > JSON_MAX_DEPTH:
            raise exceptions.ParseError(f"JSON이 너무 깊게 중첩되어 있어요 (최대 {JSON_MAX_DEPTH}단계).", code="too_deep")
        try:
            return json.loads(text, parse_constant=_refuse_constant if self.strict else None)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(f"JSON 형식이 올바르지 않아요: {error}", code="parse_error") from error


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _error_code(exc) -> str:
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            return codes
        return exc.default_code
    return {404: "not_found", 403: "permission_denied"}.get(getattr(exc, "status_code", 0), "error")


def _messages(value) -> list[str]:
    """Every message under a field, flattened (a list item's errors come keyed by index)."""
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, (list, tuple)):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def json_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # Django's handler500 answers (JSON under /api/, see teenplay.errors)
    data = response.data
    if isinstance(exc, exceptions.ValidationError) or not (isinstance(data, dict) and "detail" in data):
        # Field validation errors keep their per-field messages under "errors".
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        errors = {field: list(dict.fromkeys(_messages(messages))) for field, messages in errors.items()}
        response.data = {"detail": "입력값을 확인해 주세요.", "code": "invalid", "errors": errors}
    else:
        code = "not_found" if response.status_code == 404 else _error_code(exc)
        if response.status_code == 403 and isinstance(exc, exceptions.NotAuthenticated):
            code = "not_authenticated"
        response.data = {"detail": str(data["detail"]), "code": code}
    return response


class ErrorSerializer(serializers.Serializer):
    """The error shape every `/api/` answer uses (for the OpenAPI schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="필드별 오류 메시지 (입력 규칙 오류일 때; JSON 형식 오류에는 없음)")

