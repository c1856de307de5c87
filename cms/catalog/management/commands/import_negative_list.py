from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhunru.catalog.importers import ImportError_, ImportStopped, import_edition


class Command(BaseCommand):
    help = _("导入负面清单（CSV、XLSX 或 JSON）")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--edition", required=True, help=_("版本名称，如“2025年版”"))
        parser.add_argument("--effective-date", help=_("施行日期 YYYY-MM-DD"))

    def handle(self, *args, **options):
        import datetime

        from zhunru.audit.recording import record
        from zhunru.catalog.models import ListEdition

        effective = None
        if options["effective_date"]:
            try:
                effective = datetime.date.fromisoformat(options["effective_date"])
            except ValueError:
                raise CommandError(_("施行日期「{value}」格式错误，应为 YYYY-MM-DD。").format(value=options['effective_date'])) from None
        try:
            result = import_edition(options["file"], options["edition"])
        except ImportStopped as exc:
            raise CommandError(_("导入中止，已写入的部分留在未启用的版本中：\n") + "\n".join(exc.errors)) from None
        except ImportError_ as exc:
            raise CommandError(_("导入失败，未写入任何数据：\n") + "\n".join(exc.errors)) from None
        except OSError as exc:
            raise CommandError(_("无法读取文件：{exc}").format(exc=exc)) from None
        edition = ListEdition.objects.get(name=options["edition"])
        if effective:
            edition.effective_date = effective
            edition.save(update_fields=["effective_date"])
        record(
            "catalog.edition_imported",
            obj=edition,
            changes={"file": str(options["file"]), "created": result.created, "updated": result.updated,
                     "unchanged": result.unchanged, "removed": result.removed},
            note=_("命令行导入"),
        )
        self.stdout.write(
            _("新增{created}项，更新{updated}项，未变{unchanged}项，删除{removed}项。").format(created=result.created, updated=result.updated, unchanged=result.unchanged, removed=result.removed)
        )
