"""A list of cards as shown to one viewer, signed, so the impressions endpoint accepts only
activity ids that this viewer could have been shown (and the tab, source, arm and model version
they were shown with) without storing anything when the list is served."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core import signing

SALT = "recommender.shown-cards"
MAX_AGE_SECONDS = 24 * 3600  # impressions of a page left open longer are not counted


class InvalidToken(ValueError):
    pass


@dataclass(frozen=True)
class ShownCards:
    recommendation_id: uuid.UUID
    tab: str
    source: str
    arm: str
    model_version: str
    activity_ids: tuple[int, ...]
    category_ids: tuple[int | None, ...]
    viewer_key: str

    @property
    def token(self) -> str:
        payload = [self.recommendation_id.hex, self.tab, self.source, self.arm, self.model_version,
                   list(self.activity_ids), list(self.category_ids), self.viewer_key]
        return signing.dumps(payload, salt=SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> "ShownCards":
        try:
            rid, tab, source, arm, version, ids, categories, viewer_key = signing.loads(
                token, salt=SALT, max_age=MAX_AGE_SECONDS)
            return cls(uuid.UUID(rid), tab, source, arm, version, tuple(int(i) for i in ids),
                       tuple(categories), viewer_key)
        except signing.SignatureExpired as error:
            raise InvalidToken("노출 기록 토큰이 만료되었어요.") from error
        except (signing.BadSignature, ValueError, TypeError) as error:
            raise InvalidToken("노출 기록 토큰이 올바르지 않아요.") from error
