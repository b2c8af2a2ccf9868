"""Reads for members."""
from member.models import Member, MemberFavoriteCategory


def _category_model():
    # The categories members pick from are activity's; the relation names them by string,
    # so member reaches them through it and imports no app above it.
    return Member._meta.get_field("favorite_categories").related_model


def category_choices() -> list[tuple[int, str]]:
    """(id, name) of every category, in id order: the mypage and signup checkboxes."""
    return list(_category_model().objects.order_by("pk").values_list("pk", "name"))


def existing_category_ids(ids) -> set[int]:
    """Which of `ids` name a category in the database."""
    return set(_category_model().objects.filter(pk__in=list(ids)).values_list("pk", flat=True))


def favorite_category_ids(*, member: Member) -> list[int]:
    """Ids of the member's favourite categories that are switched on, in id order."""
    return list(
        MemberFavoriteCategory.enabled_objects.filter(member=member).order_by("category_id").values_list("category_id", flat=True)
    )


def member_interests(*, member: Member) -> dict:
    """`{"categories": [ids], "keywords": [k1, k2, k3]}` as mypage and the API show them."""
    return {"categories": favorite_category_ids(member=member), "keywords": list(member.keywords)}
