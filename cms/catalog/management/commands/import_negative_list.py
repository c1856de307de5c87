from django.core.management.base import BaseCommand, CommandError

from cms.catalog.importers import ImportError_, import_edition


class Command(BaseCommand):
    help = "导入负面清单（CSV、XLSX 或 JSON）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--edition", required=True)

    def handle(self, *args, **options):
        try:
            result = import_edition(options["file"], options["edition"])
        except ImportError_ as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.errors)) from None
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from None
        self.stdout.write(
            f"新增{result.created}项，更新{result.updated}项，未变{result.unchanged}项，删除{result.removed}项。"
        )
