"""Writes for members. Signup is one explicit function (no signals) so every step a
new member needs happens in one transaction."""
from django.db import transaction

from member.models import Member


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
    return member
