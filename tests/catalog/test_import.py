import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from cms.catalog.importers import COLUMNS, ImportError_, import_edition
from cms.catalog.models import ListItem, ListMeasure

from .conftest import OLD, write_csv


def write_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for r in rows:
        ws.append([int(r[0]), *r[1:]])
    wb.save(path)
    return path


def write_json(path, rows):
    path.write_text(
        json.dumps([dict(zip(COLUMNS, r, strict=True)) for r in rows], ensure_ascii=False), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("writer,suffix", [(write_csv, "csv"), (write_xlsx, "xlsx"), (write_json, "json")])
def test_import_all_formats_idempotent(db, tmp_path, writer, suffix):
    path = writer(tmp_path / f"list.{suffix}", OLD)
    result = import_edition(path, "2022年版")
    assert result.created == 4
    item = ListItem.objects.get(code="200001")
    assert item.kind == "permitted"
    assert item.measure_texts() == ["未获得许可，不得从事药品生产", "未获得许可，不得从事药品经营"]
    assert ListItem.objects.get(code="100001").kind == "prohibited"
    again = import_edition(path, "2022年版")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert ListItem.objects.count() == 4
    assert ListMeasure.objects.count() == 5


def test_invalid_rows_refused_all_or_nothing(db, tmp_path):
    rows = [*OLD, ["5", "", "20000X", "x", "", ""], ["6", "重复", "100001", "x", "", ""]]
    with pytest.raises(ImportError_) as exc:
        import_edition(write_csv(tmp_path / "bad.csv", rows), "2022年版")
    text = "\n".join(exc.value.errors)
    assert "第6行：事项编码「20000X」格式错误" in text
    assert "第6行：禁止或许可事项不能为空" in text
    assert "第7行：事项编码「100001」与第2行重复" in text
    assert ListItem.objects.count() == 0


def test_missing_columns_and_encoding(db, tmp_path):
    with pytest.raises(ImportError_, match="缺少列：主管部门"):
        import_edition(
            write_csv(
                tmp_path / "a.csv",
                [r[:4] + r[5:] for r in OLD],
                header=[c for c in COLUMNS if c != "主管部门"],
            ),
            "x",
        )
    with pytest.raises(ImportError_, match="UTF-8"):
        import_edition(write_csv(tmp_path / "b.csv", OLD, encoding="gbk"), "x")
    with pytest.raises(ImportError_, match="不支持"):
        import_edition(tmp_path / "c.txt", "x")


def test_command(db, tmp_path, capsys):
    call_command("import_negative_list", str(write_csv(tmp_path / "a.csv", OLD)), edition="2022年版")
    assert "新增4项" in capsys.readouterr().out
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command(
            "import_negative_list",
            str(write_csv(tmp_path / "b.csv", [["x", "a", "1", "", "", ""]])),
            edition="y",
        )
