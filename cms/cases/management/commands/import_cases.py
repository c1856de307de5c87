"""Import existing cases from JSON: validate every record first (one bad record: nothing imported), then write
them in short batches, never twice."""

import datetime
import hashlib
import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_lazy

from zhunru.cases.models import Case, Category, Importance, Source, Subcategory
from zhunru.imports import capped, shown, surrogate_problem, write_in_batches
from zhunru.models import Department, Jurisdiction

REQUIRED = {
    "title": gettext_lazy("案例名称"),
    "region": gettext_lazy("地区"),
    "organization": gettext_lazy("涉及单位"),
    "category": gettext_lazy("类别"),
    "summary": gettext_lazy("基本案情"),
    "result": gettext_lazy("处理结果"),
    "published_on": gettext_lazy("通报日期"),
}
OPTIONAL = {"bulletin", "document", "clause", "subcategory", "importance", "keywords", "facts_date",
            "jurisdiction", "department"}
PROGRESS_FROM = 200  # records; smaller files import without progress lines
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 10_000
MAX_TEXT_CHARS = 50_000


def _aliases(choices, extra: dict[str, str]) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[value] = value
        table[str(label)] = value
    table.update(extra)
    return table


CATEGORY_ALIASES = _aliases(
    Category.choices,
    {"增设准入条件": Category.ENTRY_CONDITIONS, "违规增设准入条件": Category.ENTRY_CONDITIONS,
     "实施歧视性政策": Category.DISCRIMINATORY, "市场主体不正当竞争": Category.UNFAIR_COMPETITION},
)
SUBCATEGORY_ALIASES = _aliases(
    Subcategory.choices,
    {"增设审批环节": Subcategory.EXTRA_APPROVAL, "歧视性门槛": Subcategory.DISGUISED_THRESHOLD,
     "所有制": Subcategory.OWNERSHIP, "外地企业": Subcategory.NON_LOCAL, "招投标": Subcategory.BIDDING},
)
IMPORTANCE_ALIASES = _aliases(Importance.choices, {})


def natural_key(jurisdiction: Jurisdiction, title: str, organization: str, published_on: datetime.date) -> str:
    """The same case in a re-run file maps to the same key, so it is not imported twice."""
    raw = "|".join([jurisdiction.division_code, title.strip(), organization.strip(), published_on.isoformat()])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class Command(BaseCommand):
    help = gettext("从 JSON 文件导入既往案例：先校验全部记录，任一记录有误则不导入；重复运行不会重复导入。")

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext("JSON 文件：对象列表，每项至少包含 ") + "、".join(REQUIRED))
        parser.add_argument("--jurisdiction", default="", help=gettext("辖区名称、简称或区划代码（记录未注明辖区时使用）"))

    def handle(self, *args, **options):
        records = self._read(Path(options["file"]))
        default_jurisdiction = self._default_jurisdiction(options["jurisdiction"])
        total = len(records)
        self.stdout.write(gettext("共 {total} 条记录，开始校验……").format(total=total))

        problems: list[tuple[int, str]] = []
        prepared: list[Case] = []
        seen: dict[str, int] = {}
        for index, record in enumerate(records):
            case, errors = self._prepare(record, default_jurisdiction)
            if case is not None and not errors:
                if case.import_key in seen:
                    errors.append(gettext("与第 {value} 条记录重复（名称、涉及单位、通报日期相同）").format(value=seen[case.import_key] + 1))
                seen.setdefault(case.import_key, index)
            problems.extend((index, message) for message in errors)
            if not errors:
                prepared.append(case)
            self._progress(gettext("校验"), index + 1, total)

        if problems:
            for line in capped([gettext("第 {value} 条记录（索引 {index}）：{message}").format(
                    value=index + 1, index=index, message=message) for index, message in problems]):
                self.stderr.write(line)
            bad = len({index for index, _ in problems})
            raise CommandError(gettext("{bad} 条记录有误，未导入任何记录。请修正后重新运行。").format(bad=bad))

        existing = set(
            Case.objects.filter(import_key__in=[c.import_key for c in prepared]).values_list("import_key", flat=True)
        )
        new = [c for c in prepared if c.import_key not in existing]
        # Written in short batches (zhunru.imports): a complaint filed meanwhile never waits for the whole import.
        # Every record was validated above; an import stopped between batches keeps the batches before it, and
        # running it again adds the rest (the import key skips what is in).
        def write(case: Case) -> None:
            case.save()
            case.register()

        batches = write_in_batches(new, write, sender=Case, progress=lambda done, total: self._progress(
            gettext("导入"), done, total))
        self.stdout.write(self.style.SUCCESS(
            gettext("导入完成：新增 {count} 件（分 {batches} 批提交），已存在跳过 {count2} 件。").format(count=len(new), batches=batches, count2=len(existing))))

    # --- reading and validating ------------------------------------------------------

    def _read(self, path: Path) -> list:
        """The records, bounded before parsing (file size) and after (count, nesting, text length, NUL);
        a UTF-8 byte-order mark is accepted."""
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise CommandError(gettext("找不到文件：{path}").format(path=path)) from None
        if size > MAX_FILE_BYTES:
            raise CommandError(gettext("文件过大（{value} KB），最多 {value2} MB。").format(value=size // 1024, value2=MAX_FILE_BYTES // (1024 * 1024)))
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except RecursionError:
            raise CommandError(gettext("文件嵌套层级过深：内容应为对象列表（JSON 数组）。")) from None
        except UnicodeDecodeError:
            raise CommandError(gettext("文件不是有效的 UTF-8 JSON：文件编码应为 UTF-8。")) from None
        except json.JSONDecodeError as error:
            raise CommandError(gettext("文件不是有效的 UTF-8 JSON：第 {line} 行第 {column} 列附近格式有误。").format(
                line=error.lineno, column=error.colno)) from None
        except ValueError:  # an integer over Python's limit on digits (int_max_str_digits, 4,300 by default)
            raise CommandError(gettext("文件不是有效的 JSON：数字位数过多（最多 {digits} 位）。").format(digits=sys.get_int_max_str_digits())) from None
        if not isinstance(data, list):
            raise CommandError(gettext("文件内容应为对象列表（JSON 数组）。"))
        if len(data) > MAX_RECORDS:
            raise CommandError(gettext("记录过多（{count} 条），一次最多导入 {MAX_RECORDS} 条。").format(count=len(data), MAX_RECORDS=MAX_RECORDS))
        for index, record in enumerate(data):
            fields = []  # (field name, text or number): the record's values, a document's inner values included
            for key, value in record.items() if isinstance(record, dict) else ():
                inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
                if isinstance(value, (dict, list)) and any(isinstance(v, (dict, list)) for v in inner):
                    raise CommandError(gettext("第 {value} 条记录：字段嵌套过深（如 document 只能含文本字段）。").format(value=index + 1))
                fields.append((key, key))
                fields.extend((key, v) for v in inner)
                if isinstance(value, dict):
                    fields.extend((key, k) for k in value)
            for key, value in fields:
                if isinstance(value, str) and "\x00" in value:
                    raise CommandError(gettext("第 {value} 条记录：含有空字符（NUL）。").format(value=index + 1))
                if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
                    raise CommandError(gettext("第 {value} 条记录：字段内容过长（最多 {MAX_TEXT_CHARS} 个字符）。").format(value=index + 1, MAX_TEXT_CHARS=MAX_TEXT_CHARS))
                if isinstance(value, str) and (problem := surrogate_problem(value)):
                    raise CommandError(gettext("第 {value} 条记录：字段“{key}”{problem}").format(value=index + 1, key=shown(key), problem=problem))
        return data

    def _find_jurisdiction(self, value: str) -> Jurisdiction | None:
        value = (value or "").strip()
        if not value:
            return None
        return Jurisdiction.objects.filter(name=value).first() or Jurisdiction.objects.filter(
            division_code=value
        ).first() or Jurisdiction.objects.filter(short_name=value).first()

    def _default_jurisdiction(self, value: str) -> Jurisdiction | None:
        if value:
            found = self._find_jurisdiction(value)
            if found is None:
                raise CommandError(gettext("找不到辖区“{value}”。").format(value=value))
            return found
        only = list(Jurisdiction.objects.all()[:2])
        return only[0] if len(only) == 1 else None

    def _prepare(self, record, default_jurisdiction) -> tuple[Case | None, list[str]]:
        if not isinstance(record, dict):
            return None, [gettext("记录应为 JSON 对象")]
        errors = []
        for key, label in REQUIRED.items():
            value = record.get(key)
            if not isinstance(value, str) or not value.strip():
                errors.append(gettext("缺少必填字段“{key}”（{label}）").format(key=key, label=label) if value in (None, "") else gettext("字段“{key}”（{label}）应为非空文本").format(key=key, label=label))
        unknown = set(record) - set(REQUIRED) - OPTIONAL
        if unknown:
            errors.append(gettext("含未知字段：") + "、".join(sorted(unknown)))

        category = CATEGORY_ALIASES.get(str(record.get("category", "")).strip())
        if record.get("category") and category is None:
            errors.append(gettext("类别“{value}”无效，应为：").format(value=record['category']) + "、".join(str(label) for _, label in Category.choices))
        subcategory = ""
        if record.get("subcategory"):
            subcategory = SUBCATEGORY_ALIASES.get(str(record["subcategory"]).strip())
            if subcategory is None:
                errors.append(gettext("细分类别“{value}”无效").format(value=record['subcategory']))
                subcategory = ""
        importance = Importance.GENERAL
        if record.get("importance"):
            importance = IMPORTANCE_ALIASES.get(str(record["importance"]).strip())
            if importance is None:
                errors.append(gettext("重要程度“{value}”无效，应为：重大、重要、一般").format(value=record['importance']))

        published_on = self._date(record, "published_on", errors)
        facts_date = self._date(record, "facts_date", errors) if record.get("facts_date") else None

        jurisdiction = default_jurisdiction
        if record.get("jurisdiction"):
            jurisdiction = self._find_jurisdiction(str(record["jurisdiction"]))
            if jurisdiction is None:
                errors.append(gettext("找不到辖区“{value}”").format(value=record['jurisdiction']))
        elif jurisdiction is None:
            errors.append(gettext("未注明辖区：请在记录中填写 jurisdiction，或使用 --jurisdiction 参数"))

        department = None
        if jurisdiction is not None:
            if record.get("department"):
                department = Department.objects.filter(jurisdiction=jurisdiction, name=record["department"]).first()
                if department is None:
                    errors.append(gettext("辖区“{name}”中找不到部门“{value}”").format(name=jurisdiction.name, value=record['department']))
            else:
                department = jurisdiction.lead_department
                if department is None:
                    errors.append(gettext("辖区“{name}”尚未设置牵头部门").format(name=jurisdiction.name))

        document_name, document_number = "", ""
        document = record.get("document")
        if isinstance(document, dict):
            document_name, document_number = str(document.get("name", "")), str(document.get("number", ""))
        elif isinstance(document, str):
            document_name = document
        elif document is not None:
            errors.append(gettext("字段“document”应为文本或包含 name、number 的对象"))

        if errors:
            return None, errors
        case = Case(
            jurisdiction=jurisdiction,
            reporting_department=department,
            title=record["title"].strip(),
            region=record["region"].strip(),
            organization=record["organization"].strip(),
            document_name=document_name.strip(),
            document_number=document_number.strip(),
            category=category,
            subcategory=subcategory,
            source=Source.REGULATOR,
            facts_date=facts_date,
            importance=importance,
            summary=record["summary"].strip(),
            violated_clause=str(record.get("clause") or "").strip(),
            handling_result=record["result"].strip(),
            keywords=str(record.get("keywords") or "").strip(),
            published_on=published_on,
            bulletin_reference=str(record.get("bulletin") or "").strip(),
        )
        case.import_key = natural_key(jurisdiction, case.title, case.organization, published_on)
        try:
            case.full_clean(exclude=["import_key"], validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = Case._meta.get_field(field).verbose_name if field != "__all__" else gettext("记录")
                errors.extend(f"{label}：{m}" for m in messages)
            return None, errors
        return case, []

    def _date(self, record: dict, key: str, errors: list[str]) -> datetime.date | None:
        value = record.get(key)
        if not isinstance(value, str):
            return None  # a missing required date is already reported
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            errors.append(gettext("字段“{key}”的日期“{value}”无效，应为 ISO 格式，如 2025-10-22").format(key=key, value=value))
            return None

    def _progress(self, verb: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        step = max(1, total // 10)
        if done % step == 0 or done == total:
            self.stdout.write(gettext("{verb}进度：{done}/{total}（{value}%）").format(verb=verb, done=done, total=total, value=done * 100 // total))
