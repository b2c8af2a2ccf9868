"""The one rule set for a member's interests (favourite categories and three keywords).

The mypage form, the `/api/me/interests/` serializer and the `set_member_interests`
service all call `clean_interests`, so a rule changes in one place only.

- categories: ids of existing categories among the fixed 13; duplicates collapse;
  at most 13; an unknown id is an error on the field.
- keywords: exactly three slots; each trimmed, at most 20 characters, empty allowed;
  non-empty keywords must differ from each other (compared case-insensitively).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from member.models import KEYWORD_MAX_LENGTH
from member.selectors import existing_category_ids
from reference import CATEGORY_IDS

KEYWORD_SLOTS = 3
MAX_CATEGORIES = len(CATEGORY_IDS)

MESSAGES = {
    "category_invalid": "관심 분야를 목록에서 골라 주세요.",
    "category_unknown": "없는 관심 분야예요: {ids}",
    "category_too_many": f"관심 분야는 최대 {MAX_CATEGORIES}개까지 고를 수 있어요.",
    "categories_not_list": "관심 분야는 목록으로 보내 주세요.",
    "keywords_not_list": "키워드는 목록으로 보내 주세요.",
    "keywords_count": f"키워드는 {KEYWORD_SLOTS}칸을 모두 보내 주세요. 비운 칸은 빈 글자로 보내면 돼요.",
    "keyword_not_text": "키워드는 글자로 입력해 주세요.",
    "keyword_too_long": f"키워드는 {KEYWORD_MAX_LENGTH}자 이하로 입력해 주세요.",
    "keyword_duplicate": "같은 키워드를 두 번 입력했어요.",
}


@dataclass(frozen=True)
class Interests:
    """Clean interests: sorted distinct category ids and exactly three trimmed keywords."""

    category_ids: tuple[int, ...]
    keywords: tuple[str, str, str]


class InterestsError(ValueError):
    """Bad interests input, with Korean messages by field.

    `categories` and `keywords` hold messages about the whole field; `keyword_slots`
    maps a keyword slot (0, 1, 2) to messages about that one keyword.
    """

    def __init__(self) -> None:
        super().__init__()
        self.categories: list[str] = []
        self.keywords: list[str] = []
        self.keyword_slots: dict[int, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.categories or self.keywords or self.keyword_slots)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.message_dict().items())

    def message_dict(self) -> dict[str, list[str]]:
        """Messages by API field (`categories`, `keywords`), each message once."""
        result: dict[str, list[str]] = {}
        if self.categories:
            result["categories"] = list(dict.fromkeys(self.categories))
        keyword_messages = list(self.keywords)
        for slot in sorted(self.keyword_slots):
            keyword_messages += self.keyword_slots[slot]
        if keyword_messages:
            result["keywords"] = list(dict.fromkeys(keyword_messages))
        return result


def _category_ids(raw, error: InterestsError) -> tuple[int, ...]:
    if raw is None:
        return ()
    if isinstance(raw, (str, bytes, dict)) or not isinstance(raw, Iterable):
        error.categories.append(MESSAGES["categories_not_list"])
        return ()
    ids: list[int] = []
    for item in raw:
        if isinstance(item, bool):
            error.categories.append(MESSAGES["category_invalid"])
            continue
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, str) and item.strip().isascii() and item.strip().isdigit():
            ids.append(int(item.strip()))
        else:
            error.categories.append(MESSAGES["category_invalid"])
    distinct = sorted(set(ids))
    if len(distinct) > MAX_CATEGORIES:
        # Checked before any query: a long list never reaches the database.
        error.categories.append(MESSAGES["category_too_many"])
        return ()
    known = existing_category_ids(i for i in distinct if i in CATEGORY_IDS)
    unknown = [category_id for category_id in distinct if category_id not in known]
    if unknown:
        error.categories.append(MESSAGES["category_unknown"].format(ids=", ".join(map(str, unknown))))
    return tuple(distinct)


def _keywords(raw, error: InterestsError) -> tuple[str, ...]:
    if isinstance(raw, (str, bytes, dict)) or not isinstance(raw, Iterable):
        error.keywords.append(MESSAGES["keywords_not_list"])
        return ()
    raw = list(raw)
    if len(raw) != KEYWORD_SLOTS:
        error.keywords.append(MESSAGES["keywords_count"])
        return ()
    cleaned: list[str] = []
    seen: set[str] = set()
    for slot, item in enumerate(raw):
        if item is None:
            item = ""
        if not isinstance(item, str):
            error.keyword_slots.setdefault(slot, []).append(MESSAGES["keyword_not_text"])
            cleaned.append("")
            continue
        keyword = item.strip()
        cleaned.append(keyword)
        if len(keyword) > KEYWORD_MAX_LENGTH:
            error.keyword_slots.setdefault(slot, []).append(MESSAGES["keyword_too_long"])
        elif keyword:
            key = keyword.casefold()
            if key in seen:
                error.keyword_slots.setdefault(slot, []).append(MESSAGES["keyword_duplicate"])
            seen.add(key)
    return tuple(cleaned)


def clean_interests(*, category_ids, keywords) -> Interests:
    """Validated, normalised interests, or `InterestsError` with every problem found."""
    error = InterestsError()
    clean_ids = _category_ids(category_ids, error)
    clean_keywords = _keywords(keywords, error)
    if error:
        raise error
    return Interests(category_ids=clean_ids, keywords=clean_keywords)  # type: ignore[arg-type]
