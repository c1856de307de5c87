import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhunru.cases.models import Case, Status

GOOD = {
    "title": "某县要求外地建筑企业在本地注册子公司",
    "region": "测试区",
    "organization": "测试区住房和城乡建设局",
    "category": "歧视性政策",
    "subcategory": "外地企业",
    "summary": "在招标文件中要求外地企业须在本地注册子公司方可投标。",
    "result": "已删除相关条款。",
    "published_on": "2025-06-30",
    "bulletin": "测发改〔2025〕9号",
    "document": {"name": "某工程招标文件", "number": "测建招〔2025〕3号"},
    "clause": "《招标投标法》第六条",
}


def write(tmp_path, records, name="cases.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(path, capsys):
    call_command("import_cases", path)
    return capsys.readouterr()


@pytest.mark.django_db
def test_import_is_idempotent(tmp_path, jurisdiction, capsys):
    second = {**GOOD, "title": "某单位以行政手段指定交易", "category": "不正当竞争", "subcategory": "行政垄断",
              "document": "关于某事项的通知"}
    path = write(tmp_path, [GOOD, second])
    out = run(path, capsys).out
    assert "新增 2 件" in out
    cases = list(Case.objects.order_by("register_serial"))
    assert [c.status for c in cases] == [Status.REGISTERED, Status.REGISTERED]
    assert cases[0].document_number == "测建招〔2025〕3号" and cases[0].bulletin_reference == "测发改〔2025〕9号"
    assert cases[0].subcategory == "non_local" and cases[1].category == "unfair_competition"
    assert cases[0].reporting_department == jurisdiction.lead_department

    out = run(path, capsys).out
    assert "新增 0 件" in out and "跳过 2 件" in out
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_bad_record_imports_nothing_and_names_indexes(tmp_path, jurisdiction, capsys):
    bad_date = {**GOOD, "title": "日期错误", "published_on": "2025-13-01"}
    missing = {k: v for k, v in GOOD.items() if k != "summary"}
    missing["title"] = "缺少案情"
    wrong_category = {**GOOD, "title": "类别错误", "category": "其他"}
    path = write(tmp_path, [GOOD, bad_date, missing, wrong_category, GOOD])
    with pytest.raises(CommandError) as error:
        call_command("import_cases", path)
    assert "未导入任何记录" in str(error.value)
    err = capsys.readouterr().err
    assert "第 2 条记录（索引 1）" in err and "日期" in err
    assert "第 3 条记录（索引 2）：缺少必填字段“summary”" in err
    assert "第 4 条记录（索引 3）：类别“其他”无效" in err
    assert "第 5 条记录（索引 4）：与第 1 条记录重复" in err
    assert "索引 0" not in err
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_file_is_refused(tmp_path, jurisdiction):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON"):
        call_command("import_cases", str(path))
    with pytest.raises(CommandError, match="对象列表"):
        call_command("import_cases", write(tmp_path, {"title": "x"}, "obj.json"))


@pytest.mark.django_db
def test_progress_for_large_files(tmp_path, jurisdiction, capsys):
    records = [{**GOOD, "title": f"批量案例{i}"} for i in range(250)]
    out = run(write(tmp_path, records), capsys).out
    assert "校验进度：250/250（100%）" in out and "导入进度：25/250" in out
    assert Case.objects.count() == 250
    assert sorted(Case.objects.values_list("register_serial", flat=True)) == list(range(1, 251))


@pytest.mark.django_db
def test_writes_are_committed_in_short_batches(tmp_path, jurisdiction, capsys, settings):
    """Each batch is its own transaction, ended once it has written for ZHUNRU_IMPORT_BATCH_SECONDS: with no
    time at all, every record is a batch of its own; a small file is one batch. Numbers stay gap-free."""
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 600  # however loaded the machine, three records fit in one batch
    records = [{**GOOD, "title": f"分批案例{i}"} for i in range(3)]
    assert "新增 3 件（分 1 批提交）" in run(write(tmp_path, records), capsys).out
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0
    records = [{**GOOD, "title": f"逐条提交案例{i}"} for i in range(3)]
    assert "新增 3 件（分 3 批提交）" in run(write(tmp_path, records, "more.json"), capsys).out
    assert sorted(Case.objects.values_list("register_serial", flat=True)) == list(range(1, 7))
