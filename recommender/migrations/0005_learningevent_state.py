from django.db import migrations, models


class Migration(migrations.Migration):
    """Events are appended as pending and taken into the member's counts on the next read.
    Every event logged before this migration was already applied when it was logged."""

    dependencies = [
        ("recommender", "0004_lean_event_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="learningevent",
            name="state",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "반영 대기"), (1, "학습됨"), (2, "중복 방문(학습 안 함)")], default=1, verbose_name="반영 상태"
            ),
        ),
        migrations.AlterField(
            model_name="learningevent",
            name="state",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "반영 대기"), (1, "학습됨"), (2, "중복 방문(학습 안 함)")], default=0, verbose_name="반영 상태"
            ),
        ),
        migrations.AddIndex(
            model_name="learningevent",
            index=models.Index(condition=models.Q(("state", 0)), fields=["member"], name="event_pending_member"),
        ),
    ]
