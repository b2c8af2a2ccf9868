"""Who is looking: a member, or a logged-out visitor known only by a random first-party cookie.

No IP address, user agent or other identifier is read or stored for logged-out visitors: the
cookie holds a random UUID, set the first time a page that records impressions answers them.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings

COOKIE_MAX_AGE = 365 * 86400


@dataclass(frozen=True)
class Viewer:
    member_id: int | None = None
    visitor_id: uuid.UUID | None = None

    @property
    def key(self) -> str:
        """What a signed list of cards is bound to, and the experiment's unit."""
        return f"m{self.member_id}" if self.member_id is not None else f"v{self.visitor_id.hex if self.visitor_id else ''}"


def _cookie_id(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.COOKIES.get(settings.RECOMMENDER_VISITOR_COOKIE, ""))
    except ValueError:
        return None


def viewer_of(request, *, create: bool = True) -> Viewer:
    """The member, or the visitor's cookie id (a new one, remembered on the response by
    `remember`, when the visitor has none and `create` is on)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Viewer(member_id=user.pk)
    visitor_id = _cookie_id(request)
    if visitor_id is None and create:
        visitor_id = getattr(request, "_new_visitor_id", None) or uuid.uuid4()
        request._new_visitor_id = visitor_id
    return Viewer(visitor_id=visitor_id)


def remember(request, response):
    """Set the visitor cookie on the response when `viewer_of` made a new id for this request."""
    visitor_id = getattr(request, "_new_visitor_id", None)
    if visitor_id is not None:
        response.set_cookie(
            settings.RECOMMENDER_VISITOR_COOKIE, visitor_id.hex, max_age=COOKIE_MAX_AGE, httponly=True,
            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
