"""Writes for members. Signup happens in one transaction, with what other apps add to a new
member (the recommender's personal model) done by receivers of `member_signed_up` inside it."""
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from member.interests import clean_interests
from member.models import Member, MemberFavoriteCategory
from member.signals import member_signed_up


@transaction.atomic
def signup_member(
    *, email: str, password: str | None, nickname: str, privacy_agree: bool, marketing_agree: bool = False
) -> Member:
    member = Member.objects.create_user(
        email=email,
        password=password,
        nickname=nickname,
        privacy_agree=privacy_agree,
        marketing_agree=marketing_agree,
    )
    member_signed_up.send(sender=Member, member=member)
    return member


@transaction.atomic
def set_member_interests(*, member: Member, category_ids: Iterable, keywords: Iterable) -> Member:
    """Save a member's favourite categories and three keywords (mypage).

    Input goes through `member.interests.clean_interests` first; bad input raises
    `InterestsError` before anything is written. Favourites are kept as rows:
    choosing a category again turns its soft-deleted row back on, leaving one out
    turns its row off.
    """
    interests = clean_interests(category_ids=category_ids, keywords=keywords)
    # One writer per member at a time (a row lock on databases that have them).
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    wanted = set(interests.category_ids)
    now = timezone.now()
    links = MemberFavoriteCategory.objects.filter(member=member)
    links.filter(status=True).exclude(category_id__in=wanted).update(status=False, updated_date=now)
    links.filter(status=False, category_id__in=wanted).update(status=True, updated_date=now)
    missing = wanted - set(links.values_list("category_id", flat=True))
    MemberFavoriteCategory.objects.bulk_create(
        [
            MemberFavoriteCategory(member=member, category_id=category_id, created_date=now, updated_date=now)
            for category_id in sorted(missing)
        ]
    )
    member.keyword_1, member.keyword_2, member.keyword_3 = interests.keywords
    member.save(update_fields=["keyword_1", "keyword_2", "keyword_3"])
    return member
