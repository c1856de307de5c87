from django.db import migrations


# The rules as first seeded (frozen here; 0004 recategorises them by the three case categories).
SEED_RULES = [
    ("本地注册", False, "entry", "要求在本地注册设立企业或分支机构，构成对外地经营主体的准入壁垒。"),
    ("限本地企业", False, "entry", "限定本地企业参与，排斥外地经营主体。"),
    (r"(仅|只)(限|允许)(本地|本市|本县|本区)", True, "entry", "以所在地限定经营主体资格。"),
    ("指定供应商", False, "operation", "指定交易对象，限制经营主体自主选择。"),
    ("国有企业优先", False, "operation", "以所有制形式设置差别待遇。"),
    (r"(前置|另行|额外)(审批|备案|审核)", True, "entry", "在法定程序外增设审批或备案环节。"),
    (r"外地企业.{0,10}保证金", True, "operation", "对外地企业额外收取保证金。"),
    ("本地业绩", False, "entry", "以本地业绩作为资格条件。"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("zhunru_catalog", "ScreeningRule")
    for phrase, is_regex, category, explanation in SEED_RULES:
        Rule.objects.get_or_create(phrase=phrase, defaults={"is_regex": is_regex, "category": category, "explanation": explanation})


class Migration(migrations.Migration):
    dependencies = [("zhunru_catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
