"""API-wide error handling: every error is JSON `{"detail": ...}`, never an HTML page."""
import logging

from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def json_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # Field validation errors keep their per-field messages under "errors".
        response.data = {"detail": "입력값을 확인해 주세요.", "errors": response.data}
    return response
