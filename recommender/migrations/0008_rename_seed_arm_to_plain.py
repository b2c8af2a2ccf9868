"""The ranking arm that uses the member model's prediction alone is called `plain` (it was `seed`):
stored impressions and clicks are renamed with it, so reports keep one row per arm."""
from django.db import migrations

RENAMES = (("seed", "plain"),)


def rename_arms(apps, schema_editor, renames=RENAMES):
    for model_name in ("Impression", "Click"):
        model = apps.get_model("recommender", model_name)
        for old, new in renames:
            model.objects.filter(arm=old).update(arm=new)


def rename_arms_back(apps, schema_editor):
    rename_arms(apps, schema_editor, renames=tuple((new, old) for old, new in RENAMES))


class Migration(migrations.Migration):

    dependencies = [
        ("recommender", "0007_merge_rate_window_and_online_evaluation"),
    ]

    operations = [
        migrations.RunPython(rename_arms, rename_arms_back),
    ]
