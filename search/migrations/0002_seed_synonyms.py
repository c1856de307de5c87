from django.db import migrations

# The synonym groups first seeded, frozen here: a migration must not import live code, which moves on.
SEED = [
    ("发改委 = 发展改革委 = 发展和改革委员会 = 发展和改革局", "发展改革部门的简称与全称"),
    ("市场监管局 = 市场监督管理局", "市场监管部门"),
    ("招投标 = 招标投标", ""),
    ("负面清单 = 市场准入负面清单", ""),
    ("住建局 = 住房和城乡建设局", ""),
    ("人社局 = 人力资源和社会保障局", ""),
    ("卫健委 = 卫生健康委员会 = 卫生健康委", ""),
    ("行政审批局 = 行政审批服务局", ""),
    ("统一社会信用代码 = 信用代码", ""),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("zhunru_search", "Synonym")
    for terms, note in SEED:
        Synonym.objects.get_or_create(terms=terms, defaults={"note": note})


class Migration(migrations.Migration):
    dependencies = [("zhunru_search", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
