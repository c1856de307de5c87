"""Import of a negative list edition from CSV, XLSX or JSON: validate everything first, then write in short batches
into a draft that cannot be activated until the import finished (zhunru.imports).

Bounds are checked before parsing and while reading, each with a Chinese error (never a 500): the file size,
an XLSX's uncompressed size (a decompression bomb) and number of cells (counted in the raw XML; a sheet is
read only as wide as its header, whatever <dimension> it declares), the number of rows, the length of a cell
(a CSV cell over the csv module's 131,072-character limit included), NUL characters, lone UTF-16 surrogates
(a JSON "\\ud800" escape) and, for JSON, the nesting (a list of flat objects) and numbers of more than
4,300 digits. A UTF-8 byte-order mark is accepted in CSV and JSON. A refusal lists the first 50 errors and
their number; a library's own (English) text goes to the log.
"""

import csv
import io
import json
import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext, ngettext

from zhunru.imports import capped, shown, surrogate_problem

log = logging.getLogger(__name__)

COLUMNS = ["项目号", "禁止或许可事项", "事项编码", "禁止或许可准入措施描述", "主管部门", "地方性许可事项"]
OPTIONAL_COLUMNS = ["设立依据"]
CODE_RE = re.compile(r"^\d{6}$")
KIND_BY_PREFIX = {"1": "prohibited", "2": "permitted"}

# The national list has about 120 items (some 500 measures); the bounds leave ample room.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5_000
MAX_CELL_CHARS = 20_000
MAX_COLUMNS = 100  # of an XLSX sheet: the list has 7 columns, a 双公示 layout (same reader) 30
MAX_CELLS = 200_000  # in an XLSX sheet: 5,000 rows of a 30-column 双公示 layout are 150,000
MAX_ITEM_NUMBER = 99_999


class ImportError_(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class ImportStopped(ImportError_):
    """An import stopped after some of its batches were written (another import took the draft over)."""


@dataclass
class Row:
    line: int
    number: int
    name: str
    code: str
    measures: list[str]
    departments: str
    local: bool
    basis: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[str] = field(default_factory=list)


def _too_many_rows() -> ImportError_:
    return ImportError_([gettext("文件行数过多：最多 {MAX_ROWS} 行数据。").format(MAX_ROWS=MAX_ROWS)])


def _texts(value):
    """The text in a cell: a string, or the strings of a JSON list (e.g. measures)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _check_cells(records: list[dict], header: list | None = None) -> list[dict]:
    """Row count, cell length, NUL characters and lone surrogates of parsed records. ``header`` is a CSV's or
    a sheet's first row (row 1, checked once); without one (JSON) each record's keys are checked in its row."""
    if len(records) > MAX_ROWS:
        raise _too_many_rows()
    errors = []

    def check(index: int, column, text: str) -> None:
        if len(text) > MAX_CELL_CHARS:
            errors.append(gettext("第{index}行：单元格内容过长（{count} 个字符，最多 {MAX_CELL_CHARS} 个）。").format(index=index, count=len(text), MAX_CELL_CHARS=MAX_CELL_CHARS))
        elif "\x00" in text:
            errors.append(gettext("第{index}行：单元格含有空字符（NUL）。").format(index=index))
        elif problem := surrogate_problem(text):
            errors.append(gettext("第{index}行「{column}」列：{problem}").format(index=index, column=shown(str(column or "")), problem=problem))

    for name in header or ():
        if isinstance(name, str):
            check(1, name, name)
    for index, record in enumerate(records, start=2):
        for key, value in record.items():
            keys = (key,) if header is None and isinstance(key, str) else ()
            for text in (*keys, *_texts(value)):
                if isinstance(text, str):
                    check(index, key, text)
    if errors:
        raise ImportError_(capped(errors))
    return records


def _read_csv(raw: bytes) -> tuple[list[str], list[dict]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_([gettext("文件编码错误：CSV 文件必须为 UTF-8 编码。")]) from None
    reader = csv.DictReader(io.StringIO(text))
    records = []
    try:
        for record in reader:
            if len(records) >= MAX_ROWS:
                raise _too_many_rows()
            records.append(record)
    except csv.Error:  # e.g. a field over the csv module's limit of 131,072 characters
        raise ImportError_([
            gettext("第{line_num}行：CSV 格式错误或单元格内容过长（最多 {MAX_CELL_CHARS} 个字符）。").format(line_num=reader.line_num, MAX_CELL_CHARS=MAX_CELL_CHARS)
        ]) from None
    return list(reader.fieldnames or []), records


def _json_depth_ok(data) -> bool:
    """A list of objects whose values are scalars (or lists of scalars, e.g. measures)."""
    if not isinstance(data, list):
        return False
    for record in data:
        if not isinstance(record, dict):
            return False
        for value in record.values():
            if isinstance(value, dict):
                return False
            if isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
                return False
    return True


def _read_json(raw: bytes) -> list[dict]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise ImportError_([gettext("JSON 文件嵌套层级过深：应为由对象组成的数组。")]) from None
    except UnicodeDecodeError:
        raise ImportError_([gettext("文件编码错误：JSON 文件必须为 UTF-8 编码。")]) from None
    except json.JSONDecodeError as exc:
        raise ImportError_([gettext("JSON 文件无法解析：第 {line} 行第 {column} 列附近格式有误。").format(line=exc.lineno, column=exc.colno)]) from None
    except ValueError:  # an integer over Python's limit on digits (int_max_str_digits, 4,300 by default)
        raise ImportError_([gettext("JSON 文件无法解析：数字位数过多（最多 {digits} 位）。").format(digits=sys.get_int_max_str_digits())]) from None
    if not _json_depth_ok(data):
        raise ImportError_([gettext("JSON 文件必须是对象数组，对象的值为文本或数字。")])
    return data


# A cell's start tag, <c ...>, <c> or <c/>, with or without a namespace prefix (<x:c ...>).
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")


def _count_cells(archive) -> int:
    """About the number of cells in the workbook (never much fewer), counted in the raw XML of every part (a
    sheet may sit under any name) in 1 MB pieces before openpyxl parses any: openpyxl spends tens of
    microseconds and a dict on each cell, and opening a sheet that declares no <dimension> parses all of it."""
    count = 0
    for info in archive.infolist():
        with archive.open(info) as source:
            for chunk in iter(lambda source=source: source.read(1 << 20), b""):
                count += sum(chunk.count(tag) for tag in _CELL_TAGS)
    return count


def _unreadable_xlsx(path: Path, exc: Exception) -> ImportError_:
    """The library's own (English) words go to the log, the person importing is told in Chinese."""
    log.warning("XLSX import %s unreadable: %s: %s", path.name, type(exc).__name__, exc)
    return ImportError_([gettext("XLSX 文件已损坏或不是有效的 Excel 文件，请在 Excel 中重新保存后再导入。")])


def _read_xlsx(path: Path) -> tuple[list[str], list[dict]]:
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as archive:
            uncompressed = sum(info.file_size for info in archive.infolist())
            if uncompressed > MAX_UNCOMPRESSED_BYTES:
                raise ImportError_([
                    gettext("XLSX 文件解压后过大（{value} MB，最多 {value2} MB）。").format(value=uncompressed // (1024 * 1024), value2=MAX_UNCOMPRESSED_BYTES // (1024 * 1024))
                ])
            cells = _count_cells(archive)  # reads no more than the sizes checked above (else: a bad CRC)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise ImportError_([gettext("XLSX 文件无法读取：文件已损坏或不是 XLSX 格式。")]) from None
    if cells > MAX_CELLS:
        raise ImportError_([gettext("XLSX 文件的单元格过多（约 {count} 个，最多 {MAX_CELLS} 个）。").format(count=cells, MAX_CELLS=MAX_CELLS)])
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise _unreadable_xlsx(path, exc) from None
    try:
        sheet = wb.active
        # The sheet's declared <dimension> is not trusted: openpyxl pads every row to its width (a 27 KB file
        # declaring A1:XFD5001 became 5,000 rows of 16,384 cells). Only the first MAX_COLUMNS columns are read,
        # and of those only as many as the header row names.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        first = next(rows, ())
        width = max((i + 1 for i, v in enumerate(first) if v not in (None, "")), default=0)
        header = [str(c).strip() if c is not None else "" for c in first[:width]]
        records = []
        for count, row in enumerate(rows, start=1):
            if count > MAX_ROWS:
                raise _too_many_rows()
            row = row[:width]
            if any(v not in (None, "") for v in row):
                records.append({h: ("" if v is None else v) for h, v in zip(header, row, strict=False)})
    except ImportError_:
        raise
    except Exception as exc:  # noqa: BLE001 - the sheet is parsed while it is read: bad XML, a bad number, ...
        raise _unreadable_xlsx(path, exc) from None
    finally:
        wb.close()
    return header, records


def _read_rows(path: Path) -> list[dict]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json", ".xlsx"):
        raise ImportError_([gettext("不支持的文件类型「{suffix}」：仅支持 CSV、XLSX、JSON。").format(suffix=suffix)])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportError_([gettext("文件过大（{value} KB），最多 {value2} MB。").format(value=size // 1024, value2=MAX_FILE_BYTES // (1024 * 1024))])
    if suffix == ".json":
        return _check_cells(_read_json(path.read_bytes()))
    header, records = _read_csv(path.read_bytes()) if suffix == ".csv" else _read_xlsx(path)
    return _check_cells(records, header)


def parse(path) -> list[Row]:
    """Read and validate; raise ImportError_ with every problem, by row, in Chinese."""
    records = _read_rows(Path(path))
    if not records:
        raise ImportError_([gettext("文件中没有数据行。")])
    missing = [c for c in COLUMNS if c not in records[0]]
    if missing:
        raise ImportError_([gettext("缺少列：{value}。").format(value='、'.join(missing))])
    errors, rows, seen = [], [], {}
    for index, rec in enumerate(records, start=2):

        def get(column, rec=rec):
            return str(rec.get(column, "") or "").strip()

        code, name = get("事项编码"), get("禁止或许可事项")
        try:
            number = int(float(get("项目号")))
        except (ValueError, OverflowError):  # "abc", "nan", "inf"
            errors.append(gettext("第{index}行：项目号「{value}」不是数字。").format(index=index, value=get('项目号')))
            number = 0
        else:
            if not 1 <= number <= MAX_ITEM_NUMBER:
                errors.append(gettext("第{index}行：项目号「{value}」应在 1 至 {MAX_ITEM_NUMBER} 之间。").format(index=index, value=get('项目号'), MAX_ITEM_NUMBER=MAX_ITEM_NUMBER))
                number = 0
        if not CODE_RE.match(code) or code[0] not in KIND_BY_PREFIX:
            errors.append(gettext("第{index}行：事项编码「{code}」格式错误，应为以1或2开头的6位数字。").format(index=index, code=code))
        elif code in seen:
            errors.append(gettext("第{index}行：事项编码「{code}」与第{value}行重复。").format(index=index, code=code, value=seen[code]))
        else:
            seen[code] = index
        if not name:
            errors.append(gettext("第{index}行：禁止或许可事项不能为空。").format(index=index))
        measures = [m.strip() for m in get("禁止或许可准入措施描述").splitlines() if m.strip()]
        if not measures:
            errors.append(gettext("第{index}行：准入措施描述不能为空。").format(index=index))
        local = get("地方性许可事项") in ("是", "Y", "y", "1", "true", "True")
        rows.append(Row(index, number, name, code, measures, get("主管部门"), local, get("设立依据")))
    if errors:
        raise ImportError_(capped(errors))
    return rows


def _wanted(row: Row) -> list[tuple[str, str, str]]:
    scope = "local" if row.local else "national"
    return [(text, scope, row.basis) for text in row.measures]


def _measures(item) -> list[tuple[str, str, str]]:
    return [(m.text, m.scope, m.legal_basis) for m in item.measures.all()]


def _codes(codes: list[str], limit: int = 20) -> str:
    shown = "、".join(codes[:limit])
    return shown + (ngettext("等 {count} 项", "等 {count} 项", len(codes)).format(count=len(codes)) if len(codes) > limit else "")


def _published_refusal(edition, created: list[str], updated: list[str], removed: list[str]) -> list[str]:
    """Why an import may not change an edition that is or was in force; empty when it changes nothing.

    The active edition (and an earlier one kept as public history) is what service items were checked
    against: its items change only through a new edition, whose activation flags and suspends the
    service items tied to changed or removed items and records all of it (``ListEdition.activate``).
    """
    if not (created or updated or removed):
        return []
    state = gettext("现行版本") if edition.is_active else gettext("已启用过的历史版本")
    changes = [
        gettext("{label}事项 {codes}").format(label=label, codes=_codes(codes))
        for label, codes in ((gettext("新增"), created), (gettext("修改"), updated), (gettext("删除"), removed))
        if codes
    ]
    return [
        gettext("「{name}」是{state}，不能通过导入直接修改：本次文件将{value}。").format(name=edition.name, state=state, value='；'.join(changes)),
        gettext("请以新的版本名称（如“2026年版”）导入，在“版本差异”中核对后启用新版本；启用时，关联的政务服务事项"
        "将被标记待复核，依据被删除的将停止受理，并全部留痕。"),
    ]


IMPORT_KIND = "catalog.edition"


def _plan(edition, rows: list[Row], result: ImportResult) -> tuple[list[tuple], list]:
    """The writes that make ``edition`` match ``rows``: (action, row, values, item) to create or update, and
    the items to remove; items already as the file has them count as unchanged."""
    existing = {i.code: i for i in edition.items.prefetch_related("measures")}
    plan = []
    for row in rows:
        values = {
            "number": row.number,
            "kind": KIND_BY_PREFIX[row.code[0]],
            "name": row.name,
            "departments": row.departments,
            "local": row.local,
        }
        item = existing.pop(row.code, None)
        if item is None:
            plan.append(("create", row, values, None))
        elif any(getattr(item, k) != v for k, v in values.items()) or _measures(item) != _wanted(row):
            plan.append(("update", row, values, item))
        else:
            result.unchanged += 1
    return plan, sorted(existing.values(), key=lambda item: item.code)


def import_edition(path, edition_name: str, *, by=None) -> ImportResult:
    """Create or update a draft edition by item code; an edition in force only accepts an identical file.

    The draft is written in short batches (zhunru.imports). It is not public (only an activated edition is)
    and cannot be activated while this import's ``ImportRun`` is unfinished; an import stopped half-way
    leaves such a draft, and running it again (upserts by code) completes it. The last import started on a
    draft owns it: an earlier one still running stops at its next batch.
    """
    from django.utils import timezone

    from zhunru.catalog.models import ListEdition, ListItem, ListMeasure
    from zhunru.imports import file_sha256, write_in_batches
    from zhunru.models import ImportRun

    rows = parse(path)
    result = ImportResult()
    with transaction.atomic():
        edition, _ = ListEdition.objects.get_or_create(name=edition_name)
        # Locked, so an activation cannot slip in between the check below and the import taking the draft.
        edition = ListEdition.objects.select_for_update().get(pk=edition.pk)
        if edition.is_active or edition.activated_at is not None:
            plan, removed = _plan(edition, rows, result)
            refusal = _published_refusal(
                edition,
                [row.code for action, row, _, _ in plan if action == "create"],
                [row.code for action, row, _, _ in plan if action == "update"],
                [item.code for item in removed],
            )
            if refusal:
                raise ImportError_(refusal)
            return result  # the same list as in force: nothing to write
        runs = ImportRun.objects.filter(kind=IMPORT_KIND, target=str(edition.pk))
        runs.filter(state=ImportRun.State.RUNNING).update(state=ImportRun.State.SUPERSEDED, finished_at=timezone.now())
        run = runs.create(kind=IMPORT_KIND, target=str(edition.pk), file_sha256=file_sha256(path),
                          file_name=Path(path).name[:255], started_by=by if getattr(by, "pk", None) else None)
    plan, removed = _plan(edition, rows, result)
    steps = plan + [("remove", None, None, item) for item in removed]
    runs.filter(pk=run.pk).update(planned=len(steps))

    def still_ours() -> None:
        list(ListEdition.objects.select_for_update().filter(pk=edition.pk).values_list("pk", flat=True))
        if not runs.filter(pk=run.pk, state=ImportRun.State.RUNNING).exists():
            raise ImportStopped([gettext("另一次导入已接管「{name}」，本次导入已停止：该版本以最近开始的导入为准。").format(name=edition.name)])

    def write(step) -> None:
        action, row, values, item = step
        if action == "remove":
            item.delete()
            result.removed += 1
            return
        if action == "create":
            item = ListItem.objects.create(edition=edition, code=row.code, **values)
            result.created += 1
        else:
            for k, v in values.items():
                setattr(item, k, v)
            item.save()
            item.measures.all().delete()
            result.updated += 1
        ListMeasure.objects.bulk_create(
            ListMeasure(item=item, position=i, text=t, scope=scope, legal_basis=basis)
            for i, (t, scope, basis) in enumerate(_wanted(row), 1)
        )

    write_in_batches(steps, write, sender=ListItem, begin=still_ours)
    with transaction.atomic():
        still_ours()
        run.finish()
    return result
