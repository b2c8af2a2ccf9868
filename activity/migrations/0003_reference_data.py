from django.db import migrations

from reference import CATEGORY_NAMES, REGION_NAMES


def create_reference_rows(apps, schema_editor):
    Category = apps.get_model("activity", "Category")
    Region = apps.get_model("activity", "Region")
    for category_id, name in enumerate(CATEGORY_NAMES, start=1):
        Category.objects.update_or_create(id=category_id, defaults={"name": name})
    for region_id, name in enumerate(REGION_NAMES, start=1):
        Region.objects.update_or_create(id=region_id, defaults={"name": name})
    # PostgreSQL sequences do not see explicit ids; move them past the fixed rows.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table in ("activity_category", "activity_region"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_initial")]

    operations = [migrations.RunPython(create_reference_rows, migrations.RunPython.noop)]
