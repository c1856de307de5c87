"""Import files are bounded before and while parsing (issue 23, item 4): each bad file is a Chinese error
(ImportError_), never a 500, and nothing is written."""

import csv
import json
import re
import zipfile

import pytest
from openpyxl import Workbook

from zhunru.catalog import importers
from zhunru.catalog.importers import COLUMNS, ImportError_, import_edition
from zhunru.catalog.models import ListEdition, ListItem
from zhunru.models import ImportRun

from .conftest import OLD, write_csv

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(path, *expected: str) -> str:
    with pytest.raises(ImportError_) as caught:
        import_edition(path, "2030年版")
    message = "\n".join(caught.value.errors)
    assert CHINESE.search(message), message
    for part in expected:
        assert part in message, message
    assert not ListEdition.objects.filter(name="2030年版").exists()
    assert not ListItem.objects.exists()
    assert not ImportRun.objects.exists()
    return message


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "1e30", "0", "-3"])
def test_item_number_out_of_range(db, tmp_path, value):
    rows = [[value, *OLD[0][1:]], *OLD[1:]]
    refused(write_csv(tmp_path / "list.csv", rows), "第2行", "项目号")


def test_csv_cell_over_the_csv_module_limit(db, tmp_path):
    rows = [OLD[0][:3] + ["很" * 131_073] + OLD[0][4:], *OLD[1:]]
    refused(write_csv(tmp_path / "list.csv", rows), "过长")


def test_csv_cell_over_our_limit(db, tmp_path):
    rows = [OLD[0][:3] + ["长" * (importers.MAX_CELL_CHARS + 1)] + OLD[0][4:], *OLD[1:]]
    refused(write_csv(tmp_path / "list.csv", rows), "第2行", "过长")


def test_nul_in_a_cell(db, tmp_path):
    rows = [OLD[0][:1] + ["禁止\x00事项"] + OLD[0][2:], *OLD[1:]]
    refused(write_csv(tmp_path / "list.csv", rows), "空字符")


def test_nul_in_the_header_line_is_reported_on_line_1(db, tmp_path):
    header = [*COLUMNS[:4], "主管\x00部门", COLUMNS[5]]
    assert refused(write_csv(tmp_path / "list.csv", OLD, header=header)) == "第1行：单元格含有空字符（NUL）。"
    header = [*COLUMNS, "备" * (importers.MAX_CELL_CHARS + 1)]
    assert refused(write_csv(tmp_path / "list.csv", OLD, header=header)).startswith("第1行：单元格内容过长")


def test_too_many_rows(db, tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "MAX_ROWS", 3)  # the bound, not the file, is what is being tested
    refused(write_csv(tmp_path / "list.csv", OLD), "行数过多")


def test_file_too_large(db, tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 100)
    refused(write_csv(tmp_path / "list.csv", OLD), "文件过大")


def test_xlsx_decompression_bomb_is_refused_before_parsing(db, tmp_path):
    """A small file that inflates past the bound: refused from the zip directory, openpyxl never runs."""
    path = tmp_path / "bomb.xlsx"
    workbook = Workbook()
    workbook.active.append(COLUMNS)
    workbook.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (importers.MAX_UNCOMPRESSED_BYTES + 1))
    assert path.stat().st_size < 1024 * 1024
    refused(path, "解压后过大")


def xlsx_from_xml(path, rows_xml: str, dimension: str = ""):
    """A workbook written by hand: one sheet whose XML is ``rows_xml`` (and a <dimension> if given)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/'
    parts = {
        "[Content_Types].xml": f'<Types {ns}package/2006/content-types"><Default Extension="rels" ContentType='
        '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships {ns}package/2006/relationships"><Relationship Id="rId1" Type="http://schemas'
        '.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns}spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships {ns}package/2006/relationships"><Relationship Id="rId1" Type='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet {ns}spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "") + f"<sheetData>{rows_xml}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def _inline_row(number: int, values) -> str:
    return f'<row r="{number}">' + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values) + "</row>"


def test_xlsx_declared_dimension_does_not_widen_the_rows(db, tmp_path):
    """A sheet declaring A1:XFD… made openpyxl pad every row to 16,384 cells (27 KB: 790 MB, 13-18 s); only the
    header's columns are read now, so the one cell far right of each row is not a (bad) data row."""
    rows = _inline_row(1, COLUMNS) + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 302))
    path = xlsx_from_xml(tmp_path / "list.xlsx", rows, dimension="A1:XFD301")
    assert refused(path) == "文件中没有数据行。"
    rows = _inline_row(1, COLUMNS) + "".join(_inline_row(i + 2, row) for i, row in enumerate(OLD))
    good = xlsx_from_xml(tmp_path / "good.xlsx", rows, dimension="A1:XFD1048576")
    assert import_edition(good, "2022年版").created == 4


def test_xlsx_with_too_many_cells_is_refused_before_parsing(db, tmp_path, monkeypatch):
    """Cells are counted in the raw XML first: openpyxl parses every cell (and all of a sheet without a
    <dimension> as soon as it opens it), whatever columns are read."""
    monkeypatch.setattr(importers, "MAX_CELLS", 29)
    rows = _inline_row(1, COLUMNS) + "".join(_inline_row(i + 2, row) for i, row in enumerate(OLD))
    refused(xlsx_from_xml(tmp_path / "list.xlsx", rows), "XLSX 文件的单元格过多（约 30 个，最多 29 个）")  # 5 x 6
    refused(xlsx_from_xml(tmp_path / "list.xlsx", rows.replace("<c ", "<x:c ")), "单元格过多")
    monkeypatch.setattr(importers, "MAX_CELLS", 30)
    assert import_edition(xlsx_from_xml(tmp_path / "list.xlsx", rows), "2022年版").created == 4


def test_many_bad_rows_show_the_first_fifty_and_the_count(db, tmp_path):
    rows = [[str(n), "事项", "12345", "措施", "部门", ""] for n in range(1, 61)]
    message = refused(write_csv(tmp_path / "list.csv", rows))
    lines = message.splitlines()
    assert len(lines) == 51 and lines[-1] == "……等共 60 项错误，仅列出前 50 项。", lines[-3:]


def _bad_crc(path):
    """A stored (uncompressed) sheet with one byte changed after the zip was written."""
    rows = _inline_row(1, COLUMNS) + _inline_row(2, OLD[0])
    xlsx_from_xml(path, rows)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    data = path.read_bytes()
    at = data.index("禁止违规".encode())
    path.write_bytes(data[:at] + b"X" + data[at + 1:])
    return path


UNREADABLE = "XLSX 文件已损坏或不是有效的 Excel 文件，请在 Excel 中重新保存后再导入。"


@pytest.mark.parametrize(("sheet", "expected", "logged"), [
    (_inline_row(1, COLUMNS) + '<row r="2"><c><v>1</v></c><<<not xml', UNREADABLE, "not well-formed"),
    (_inline_row(1, COLUMNS) + _inline_row(2, ["1", "探针&#xD800;", *OLD[0][2:]]), UNREADABLE, "reference to invalid character"),
    (_inline_row(1, COLUMNS) + '<row r="2"><c><v>' + "9" * 5000 + "</v></c></row>", UNREADABLE, "4300"),
    (_inline_row(1, COLUMNS) + '<row r="2"><c t="s"><v>7</v></c></row>', UNREADABLE, "IndexError"),
    (None, "XLSX 文件无法读取：文件已损坏或不是 XLSX 格式。", None),
], ids=["bad-xml", "surrogate-char-ref", "number-of-5000-digits", "no-such-shared-string", "bad-crc"])
def test_unreadable_xlsx_is_told_in_chinese_and_the_library_text_logged(db, tmp_path, caplog, sheet, expected, logged):
    """The parser's own English ("not well-formed (invalid token): line 1, column 445", "Bad CRC-32 ...") is
    for the log; the person importing reads Chinese only."""
    path = _bad_crc(tmp_path / "list.xlsx") if sheet is None else xlsx_from_xml(tmp_path / "list.xlsx", sheet)
    message = refused(path)
    assert message == expected
    if logged:
        assert logged in caplog.text, caplog.text


def test_json_syntax_error_is_told_in_chinese(db, tmp_path):
    path = tmp_path / "list.json"
    path.write_text('[{"项目号": 1,\n "事项编码": }]', encoding="utf-8")
    assert refused(path) == "JSON 文件无法解析：第 2 行第 10 列附近格式有误。"
    path.write_bytes(json.dumps([{"项目号": "一"}], ensure_ascii=False).encode("gbk"))
    assert refused(path) == "文件编码错误：JSON 文件必须为 UTF-8 编码。"


def test_not_a_zip_named_xlsx(db, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"not a zip at all")
    refused(path, "XLSX")


def test_json_deep_nesting(db, tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    refused(path, "JSON")


def test_json_nested_objects(db, tmp_path):
    path = tmp_path / "list.json"
    record = dict(zip(COLUMNS, OLD[0], strict=True))
    record["主管部门"] = {"a": {"b": "c"}}
    path.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    refused(path, "对象数组")


def test_json_nul(db, tmp_path):
    path = tmp_path / "list.json"
    records = [dict(zip(COLUMNS, row, strict=True)) for row in OLD]
    records[0]["禁止或许可事项"] = "禁止\u0000事项"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    refused(path, "空字符")


def write_json_text(path, records) -> str:
    """``records`` as JSON with every non-ASCII character escaped, as "\\ud800" is in a crafted file."""
    path.write_text(json.dumps(records, ensure_ascii=True), encoding="ascii")
    return path


def test_json_lone_surrogate_in_a_cell(db, tmp_path):
    """A JSON "\\ud800" escape decodes to a character UTF-8 cannot encode: refused while validating, naming the
    row and the column, instead of failing at the INSERT with a draft edition and an unfinished run left over."""
    records = [dict(zip(COLUMNS, row, strict=True)) for row in OLD]
    records[1]["禁止或许可事项"] = "药品\ud800许可"
    message = refused(write_json_text(tmp_path / "list.json", records), "第3行「禁止或许可事项」列", "代理项", "\\ud800")
    assert message.encode("utf-8")  # the message itself can be shown


def test_json_lone_surrogate_in_a_key_or_a_list(db, tmp_path):
    records = [dict(zip(COLUMNS, row, strict=True)) for row in OLD]
    records[0]["备注\udfff"] = "x"
    records[2]["禁止或许可准入措施描述"] = ["措施一", "措施\udc00"]
    message = refused(write_json_text(tmp_path / "list.json", records), "第2行「备注\\udfff」列", "第4行「禁止或许可准入措施描述」列")
    assert message.encode("utf-8")


def test_json_number_with_too_many_digits(db, tmp_path):
    """Python refuses to convert an integer of more than 4,300 digits (a ValueError, not a JSONDecodeError)."""
    path = tmp_path / "list.json"
    records = [dict(zip(COLUMNS, row, strict=True)) for row in OLD]
    text = json.dumps(records, ensure_ascii=False).replace('"项目号": "1"', '"项目号": ' + "9" * 5000, 1)
    path.write_text(text, encoding="utf-8")
    refused(path, "JSON 文件无法解析：数字位数过多（最多 4300 位）。")


def test_json_with_a_bom_is_accepted(db, tmp_path):
    path = tmp_path / "list.json"
    records = [dict(zip(COLUMNS, row, strict=True)) for row in OLD]
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(records, ensure_ascii=False).encode("utf-8"))
    assert import_edition(path, "2022年版").created == 4


def test_csv_with_a_bom_is_accepted(db, tmp_path):
    path = tmp_path / "list.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(OLD)
    assert import_edition(path, "2022年版").created == 4


# --- import_cases (JSON): the same bounds -----------------------------------------------------------

CASE = {
    "title": "某县要求外地企业在本地注册子公司", "region": "测试区", "organization": "测试区住房和城乡建设局",
    "category": "歧视性政策", "summary": "在招标文件中要求外地企业须在本地注册子公司方可投标。",
    "result": "已删除相关条款。", "published_on": "2025-06-30",
}


def _import_cases(path):
    from django.core.management import call_command

    call_command("import_cases", str(path))


def _cases_refused(path, expected: str):
    from django.core.management.base import CommandError

    from zhunru.cases.models import Case

    with pytest.raises(CommandError) as caught:
        _import_cases(path)
    assert CHINESE.search(str(caught.value)) and expected in str(caught.value), str(caught.value)
    assert not Case.objects.exists()


def test_import_cases_deep_nesting(jurisdiction, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    _cases_refused(path, "嵌套")


def test_import_cases_nested_document(jurisdiction, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{**CASE, "document": {"name": {"x": "y"}}}], ensure_ascii=False), encoding="utf-8")
    _cases_refused(path, "嵌套")


def test_import_cases_nul(jurisdiction, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{**CASE, "summary": "案情\u0000"}], ensure_ascii=False), encoding="utf-8")
    _cases_refused(path, "空字符")


@pytest.mark.parametrize("field", ["title", "summary", "keywords"])
def test_import_cases_lone_surrogate(jurisdiction, tmp_path, field):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([CASE, {**CASE, field: "案情\ud800"}], ensure_ascii=True), encoding="ascii")
    _cases_refused(path, f"第 2 条记录：字段“{field}”包含无效的字符（孤立的 UTF-16 代理项 \\ud800）")


def test_import_cases_lone_surrogate_in_a_key_or_document(jurisdiction, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{**CASE, "ti\udfffle": "x"}], ensure_ascii=True), encoding="ascii")
    _cases_refused(path, "字段“ti\\udfffle”")
    path.write_text(json.dumps([{**CASE, "document": {"name": "文件\ud801"}}], ensure_ascii=True), encoding="ascii")
    _cases_refused(path, "字段“document”")


def test_import_cases_number_with_too_many_digits(jurisdiction, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([CASE], ensure_ascii=False)[:-2] + ', "keywords": ' + "9" * 5000 + "}]", encoding="utf-8")
    _cases_refused(path, "文件不是有效的 JSON：数字位数过多（最多 4300 位）。")


def test_import_cases_json_syntax_error_is_told_in_chinese(jurisdiction, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text('[{"title": }]', encoding="utf-8")
    _cases_refused(path, "文件不是有效的 UTF-8 JSON：第 1 行第 12 列附近格式有误。")


def test_import_cases_bom_accepted(jurisdiction, tmp_path):
    from zhunru.cases.models import Case

    path = tmp_path / "cases.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([CASE], ensure_ascii=False).encode("utf-8"))
    _import_cases(path)
    assert Case.objects.count() == 1


# --- the admin upload answers with the Chinese refusal, never a 500, and leaves nothing behind ----------------


def _surrogate_json(tmp_path):
    records = [dict(zip(COLUMNS, row, strict=True)) for row in OLD]
    records[0]["禁止或许可事项"] = "禁止\ud800"
    return write_json_text(tmp_path / "list.json", records), "孤立的 UTF-16 代理项"


def _bigint_json(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('[{"项目号": ' + "9" * 5000 + "}]", encoding="utf-8")
    return path, "数字位数过多"


def _dimension_bomb(tmp_path):
    rows = _inline_row(1, COLUMNS) + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 5002))
    return xlsx_from_xml(tmp_path / "list.xlsx", rows, dimension="A1:XFD5001"), "文件中没有数据行。"


def _corrupt_sheet(tmp_path):
    path = xlsx_from_xml(tmp_path / "list.xlsx", _inline_row(1, COLUMNS) + '<row r="2"><c><v>1</v></c><<<not xml')
    return path, UNREADABLE


@pytest.mark.parametrize("build", [_surrogate_json, _bigint_json, _dimension_bomb, _corrupt_sheet])
def test_admin_upload_of_a_crafted_file_is_refused_in_chinese(client, make_user, tmp_path, build):
    path, expected = build(tmp_path)
    client.force_login(make_user("root", superuser=True))
    with open(path, "rb") as fh:
        response = client.post("/admin/catalog/import/", {"edition": "2030年版", "file": fh})
    body = response.content.decode()
    assert response.status_code == 200 and expected in body, body[-2000:]
    assert not ListEdition.objects.filter(name="2030年版").exists() and not ImportRun.objects.exists()
