from django.db import migrations

# Colloquial forms citizens type for what the cases say, frozen here (a migration must not import live
# code, which moves on); zhunru.search.synonyms.CITIZEN holds the same list.
CITIZEN = [
    ("社保 = 社会保险", "群众用语"),
    ("当地 = 本地", "群众用语"),
    ("外地 = 外县 = 外市 = 外省", "群众用语"),
    ("分公司 = 分支机构", "群众用语"),
    ("户口 = 户籍", "群众用语"),
    ("老家 = 原籍 = 户籍所在地", "群众用语"),
    ("工地 = 施工现场", "群众用语"),
    ("农商行 = 农村商业银行", "群众用语"),
    ("网约车 = 网络预约出租汽车", "群众用语"),
    ("驾校 = 机动车驾驶员培训机构 = 驾驶员培训", "群众用语"),
    ("快递驿站 = 快递末端网点", "群众用语"),
    ("商品混凝土 = 预拌混凝土", "群众用语"),
    ("民营医院 = 社会办医", "群众用语"),
    ("卫健局 = 卫生健康局", "卫生健康部门"),
]


def add(apps, schema_editor):
    Synonym = apps.get_model("zhunru_search", "Synonym")
    for terms, note in CITIZEN:
        Synonym.objects.get_or_create(terms=terms, defaults={"note": note})


def remove(apps, schema_editor):
    Synonym = apps.get_model("zhunru_search", "Synonym")
    Synonym.objects.filter(terms__in=[terms for terms, _note in CITIZEN]).delete()


class Migration(migrations.Migration):
    dependencies = [("zhunru_search", "0002_seed_synonyms")]
    operations = [migrations.RunPython(add, remove)]
