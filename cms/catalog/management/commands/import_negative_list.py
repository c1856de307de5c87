from django.core.management.base import BaseCommand, CommandError

from zhunru.catalog.importers import ImportError_, import_edition


class Command(BaseCommand):
    help = "导入负面清单（CSV、XLSX 或 JSON）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--edition", required=True, help="版本名称，如“2025年版”")
        parser.add_argument("--effective-date", help="施行日期 YYYY-MM-DD")

    def handle(self, *args, **options):
        import datetime

        from zhunru.audit.recording import record
        from zhunru.catalog.models import ListEdition

        effective = None
        if options["effective_date"]:
            try:
                effective = datetime.date.fromisoformat(options["effective_date"])
            except ValueError:
                raise CommandError(f"施行日期「{options['effective_date']}」格式错误，应为 YYYY-MM-DD。") from None
        try:
            result = import_edition(options["file"], options["edition"])
        except ImportError_ as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.errors)) from None
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from None
        edition = ListEdition.objects.get(name=options["edition"])
        if effective:
            edition.effective_date = effective
            edition.save(update_fields=["effective_date"])
        record(
            "catalog.edition_imported",
            obj=edition,
            changes={"file": str(options["file"]), "created": result.created, "updated": result.updated,
                     "unchanged": result.unchanged, "removed": result.removed},
            note="命令行导入",
        )
        self.stdout.write(
            f"新增{result.created}项，更新{result.updated}项，未变{result.unchanged}项，删除{result.removed}项。"
        )
