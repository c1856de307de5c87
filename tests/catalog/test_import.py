import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from zhunru.catalog.importers import COLUMNS, ImportError_, import_edition
from zhunru.catalog.models import ListItem, ListMeasure

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


def test_active_edition_refuses_changes_and_keeps_service_links(db, tmp_path, make_department):
    from zhunru.catalog.models import ListEdition, ServiceItem

    import_edition(write_csv(tmp_path / "old.csv", OLD), "2022年版")
    edition = ListEdition.objects.get(name="2022年版")
    edition.activate()
    service = ServiceItem.objects.create(department=make_department("工信局"), name="食盐定点生产审批")
    service.list_items.add(ListItem.objects.get(code="200003"))
    changed = [OLD[0], [*OLD[1][:3], "未获得许可，不得从事药品生产", *OLD[1][4:]], OLD[2]]  # 200003 dropped
    changed.append(["5", "民用爆炸物品生产许可", "200004", "未获得许可，不得从事民用爆炸物品生产", "工信部", ""])

    with pytest.raises(ImportError_) as exc:
        import_edition(write_csv(tmp_path / "changed.csv", changed), "2022年版")

    message = "\n".join(exc.value.errors)
    assert "「2022年版」是现行版本，不能通过导入直接修改" in message
    assert "新增事项 200004" in message and "修改事项 200001" in message and "删除事项 200003" in message
    assert "请以新的版本名称" in message and "启用新版本" in message
    assert sorted(edition.items.values_list("code", flat=True)) == ["100001", "200001", "200002", "200003"]
    assert ListItem.objects.get(code="200001").measure_texts() == [
        "未获得许可，不得从事药品生产",
        "未获得许可，不得从事药品经营",
    ]
    service.refresh_from_db()
    assert list(service.list_items.values_list("code", flat=True)) == ["200003"]
    assert service.status == ServiceItem.ACCEPTING and not service.needs_review


def test_identical_reimport_into_active_edition_is_a_no_op(db, tmp_path):
    from zhunru.catalog.models import ListEdition

    path = write_csv(tmp_path / "old.csv", OLD)
    import_edition(path, "2022年版")
    ListEdition.objects.get(name="2022年版").activate()
    ids = sorted(ListMeasure.objects.values_list("pk", flat=True))

    again = import_edition(path, "2022年版")

    assert (again.created, again.updated, again.unchanged, again.removed) == (0, 0, 4, 0)
    assert sorted(ListMeasure.objects.values_list("pk", flat=True)) == ids


def test_superseded_edition_is_history_and_a_draft_stays_editable(db, tmp_path):
    from zhunru.catalog.models import ListEdition

    import_edition(write_csv(tmp_path / "old.csv", OLD), "2022年版")
    import_edition(write_csv(tmp_path / "draft.csv", OLD[:3]), "2025年版")
    ListEdition.objects.get(name="2022年版").activate()
    # The draft (never activated) is still updated in place by code.
    assert import_edition(write_csv(tmp_path / "draft2.csv", OLD), "2025年版").created == 1
    ListEdition.objects.get(name="2025年版").activate()

    with pytest.raises(ImportError_, match="「2022年版」是已启用过的历史版本.*删除事项 200003"):
        import_edition(write_csv(tmp_path / "shrunk.csv", OLD[:3]), "2022年版")
    assert ListItem.objects.filter(edition__name="2022年版").count() == 4


def test_command_refuses_to_change_the_active_edition(db, tmp_path):
    from zhunru.catalog.models import ListEdition

    call_command("import_negative_list", str(write_csv(tmp_path / "a.csv", OLD)), edition="2022年版")
    ListEdition.objects.get(name="2022年版").activate()
    with pytest.raises(CommandError, match="(?s)未写入任何数据.*现行版本"):
        call_command("import_negative_list", str(write_csv(tmp_path / "b.csv", OLD[:2])), edition="2022年版")
