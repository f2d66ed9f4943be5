from django.db import migrations

from bureau.dns.presets import PRESETS


def add_presets(apps, schema_editor):
    Template = apps.get_model("dns", "Template")
    for preset in PRESETS:
        Template.objects.update_or_create(
            slug=preset["slug"],
            defaults={k: preset[k] for k in ("name", "kind", "description", "records",
                                              "parameters")},
        )


class Migration(migrations.Migration):
    dependencies = [("dns", "0001_initial")]

    operations = [migrations.RunPython(add_presets, migrations.RunPython.noop)]
