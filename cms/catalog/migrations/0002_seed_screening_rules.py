from django.db import migrations


def seed(apps, schema_editor):
    from cms.catalog.screening import SEED_RULES

    Rule = apps.get_model("zhunru_catalog", "ScreeningRule")
    for phrase, is_regex, category, explanation in SEED_RULES:
        Rule.objects.get_or_create(phrase=phrase, defaults={"is_regex": is_regex, "category": category, "explanation": explanation})


class Migration(migrations.Migration):
    dependencies = [("zhunru_catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
