from django.db import migrations


def seed(apps, schema_editor):
    from zhunru.search.synonyms import SEED

    Synonym = apps.get_model("zhunru_search", "Synonym")
    for terms, note in SEED:
        Synonym.objects.get_or_create(terms=terms, defaults={"note": note})


class Migration(migrations.Migration):
    dependencies = [("zhunru_search", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
