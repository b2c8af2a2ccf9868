from django.db import migrations

DEFAULT_KEYWORDS = "여행 바다 산 여름 시원한"


def create_default_season(apps, schema_editor):
    SeasonKeywordSet = apps.get_model("recommender", "SeasonKeywordSet")
    if not SeasonKeywordSet.objects.exists():
        SeasonKeywordSet.objects.create(keywords=DEFAULT_KEYWORDS)  # no dates: active all year


class Migration(migrations.Migration):
    dependencies = [("recommender", "0001_initial")]

    operations = [migrations.RunPython(create_default_season, migrations.RunPython.noop)]
