"""What ``manage.py import_cases`` tells the operator about a file it will not import: the whole file refused
before anything is written, each bad record named by its number with the reason in Chinese."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhunru.cases.management.commands import import_cases
from zhunru.cases.models import Case

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "某县要求外地建筑企业在本地注册子公司",
    "region": "测试区",
    "organization": "测试区住房和城乡建设局",
    "category": "歧视性政策",
    "summary": "在招标文件中要求外地企业须在本地注册子公司方可投标。",
    "result": "已删除相关条款。",
    "published_on": "2025-06-30",
}


def write(tmp_path, records, name="cases.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return str(path)


def refused(path, *args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("import_cases", str(path), *args)
    assert Case.objects.count() == 0
    return str(error.value)


def test_files_that_are_missing_too_big_or_oddly_shaped_are_refused_whole(tmp_path, jurisdiction, monkeypatch):
    assert refused(tmp_path / "none.json") == f"找不到文件：{tmp_path / 'none.json'}"
    gbk = json.dumps([GOOD], ensure_ascii=False).encode("gbk")  # saved from a spreadsheet in the old encoding
    assert "文件不是有效的 UTF-8 JSON" in refused(write_bytes(tmp_path, "gbk.json", gbk))
    assert refused(write_bytes(tmp_path, "deep.json", b"[" * 100_000 + b"]" * 100_000)) == (
        "文件嵌套层级过深：内容应为对象列表（JSON 数组）。")
    assert refused(write(tmp_path, [{**GOOD, "document": {"name": {"inner": "x"}}}], "nested.json")) == (
        "第 1 条记录：字段嵌套过深（如 document 只能含文本字段）。")
    assert refused(write(tmp_path, [GOOD, {**GOOD, "summary": "案情\x00"}], "nul.json")) == "第 2 条记录：含有空字符（NUL）。"
    assert refused(write(tmp_path, [{**GOOD, "summary": "长" * 50_001}], "long.json")) == (
        "第 1 条记录：字段内容过长（最多 50000 个字符）。")
    # The size and count limits, lowered so the test need not write 20 MB or 10,000 records
    monkeypatch.setattr(import_cases, "MAX_RECORDS", 2)
    assert refused(write(tmp_path, [GOOD] * 3, "many.json")) == "记录过多（3 条），一次最多导入 2 条。"
    monkeypatch.setattr(import_cases, "MAX_FILE_BYTES", 1024 * 1024)
    big = write_bytes(tmp_path, "big.json", b" " * (2 * 1024 * 1024) + b"[]")
    assert refused(big) == "文件过大（2048 KB），最多 1 MB。"


def write_bytes(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_jurisdiction_must_be_named_when_there_are_several(tmp_path, jurisdiction, make_department, capsys):
    from zhunru.models import Department, Jurisdiction

    path = write(tmp_path, [GOOD])
    assert refused(path, "--jurisdiction=不存在的县") == "找不到辖区“不存在的县”。"
    other = Jurisdiction.objects.create(name="外县", short_name="外", level="county", division_code="360283")
    # Two jurisdictions: a record without one is refused, until the operator names one (here by short name)
    assert "1 条记录有误" in refused(path)
    assert "未注明辖区：请在记录中填写 jurisdiction，或使用 --jurisdiction 参数" in capsys.readouterr().err
    # 外县 has no lead department yet, and a department named in a record must be one of the jurisdiction's
    refused(path, "--jurisdiction=外")
    assert "辖区“外县”尚未设置牵头部门" in capsys.readouterr().err
    refused(write(tmp_path, [{**GOOD, "jurisdiction": "360299", "department": "外县发展和改革委员会"}], "dept.json"))
    assert "辖区“测试区”中找不到部门“外县发展和改革委员会”" in capsys.readouterr().err
    Department.objects.create(jurisdiction=other, name="外县发展和改革委员会", is_lead=True)
    call_command("import_cases", path, "--jurisdiction=外")
    assert Case.objects.get().jurisdiction == other


def test_every_bad_record_is_named_with_its_reasons(tmp_path, jurisdiction, capsys):
    records = [
        "不是对象",
        {**GOOD, "title": "  ", "source": "网络", "color": "红"},
        {**GOOD, "title": "细分与重要程度", "subcategory": "其他", "importance": "特别重大"},
        {**GOOD, "title": "事实日期", "facts_date": "昨天"},
        {**GOOD, "title": "辖区", "jurisdiction": "火星"},
        {**GOOD, "title": "文书", "document": 42},
        {**GOOD, "title": "题" * 300},
    ]
    assert refused(write(tmp_path, records)) == "7 条记录有误，未导入任何记录。请修正后重新运行。"
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "第 1 条记录（索引 0）：记录应为 JSON 对象"
    assert "第 2 条记录（索引 1）：字段“title”（案例名称）应为非空文本" in err
    assert "第 2 条记录（索引 1）：含未知字段：color、source" in err
    assert "第 3 条记录（索引 2）：细分类别“其他”无效" in err
    assert "第 3 条记录（索引 2）：重要程度“特别重大”无效，应为：重大、重要、一般" in err
    assert "第 4 条记录（索引 3）：字段“facts_date”的日期“昨天”无效，应为 ISO 格式，如 2025-10-22" in err
    assert "第 5 条记录（索引 4）：找不到辖区“火星”" in err
    assert "第 6 条记录（索引 5）：字段“document”应为文本或包含 name、number 的对象" in err
    # The model's own limits, by the field's Chinese name
    assert "第 7 条记录（索引 6）：案例名称：确保该变量包含不超过 200 字符 (目前字符数 300)。" in err, err


def test_records_may_name_their_own_jurisdiction_department_and_dates(tmp_path, jurisdiction, make_department,
                                                                      capsys):
    dept = make_department("测试区市场监督管理局")
    record = {**GOOD, "jurisdiction": "测", "department": dept.name, "importance": "重大", "facts_date": "2025-05-01",
              "keywords": "招投标", "document": "某工程招标文件"}
    call_command("import_cases", write(tmp_path, [record]))
    case = Case.objects.get()
    assert case.reporting_department == dept and case.importance == "major"
    assert str(case.facts_date) == "2025-05-01" and case.document_name == "某工程招标文件" and not case.document_number
    assert case.keywords == "招投标"


def test_many_bad_records_print_the_first_fifty_and_the_count(tmp_path, jurisdiction, capsys):
    assert refused(write(tmp_path, ["不是对象"] * 60)) == "60 条记录有误，未导入任何记录。请修正后重新运行。"
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 51 and err[-1] == "……等共 60 项错误，仅列出前 50 项。", err[-3:]
