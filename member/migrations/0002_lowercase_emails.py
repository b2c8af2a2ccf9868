"""Emails are stored lower-cased (login looks them up that way): lower-case any stored with
capitals, unless that would collide with another member's (left for an operator to merge)."""
from django.db import migrations


def lowercase_emails(apps, schema_editor):
    Member = apps.get_model("member", "Member")
    taken = set(Member.objects.values_list("email", flat=True))
    for member in Member.objects.exclude(email__regex=r"^[^A-Z]*$").only("id", "email"):
        lowered = member.email.strip().lower()
        if lowered not in taken:
            taken.add(lowered)
            Member.objects.filter(pk=member.pk).update(email=lowered)


class Migration(migrations.Migration):
    dependencies = [("member", "0001_initial")]
    operations = [migrations.RunPython(lowercase_emails, migrations.RunPython.noop)]
