"""Reads for members."""
from member.models import Member, MemberFavoriteCategory


def favorite_category_ids(*, member: Member) -> list[int]:
    """Ids of the member's favourite categories that are switched on, in id order."""
    return list(
        MemberFavoriteCategory.enabled_objects.filter(member=member).order_by("category_id").values_list("category_id", flat=True)
    )


def member_interests(*, member: Member) -> dict:
    """`{"categories": [ids], "keywords": [k1, k2, k3]}` as mypage and the API show them."""
    return {"categories": favorite_category_ids(member=member), "keywords": list(member.keywords)}
