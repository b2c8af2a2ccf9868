"""What the app believes about the client's connection. Headers a client can set itself
(X-Forwarded-Proto, X-Forwarded-For) are believed only when TRUST_PROXY_HEADERS says a proxy
in front sets them (and overwrites what the client sent)."""
from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: the connection's, or, behind a trusted proxy, the address that
    proxy saw (the last X-Forwarded-For entry, the one it appended itself)."""
    if settings.TRUST_PROXY_HEADERS:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
