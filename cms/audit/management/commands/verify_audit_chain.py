import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.audit.verification import verify_chain


class Command(BaseCommand):
    help = _("先封存已提交的待封存条目，再校验审计日志哈希链；发现断裂时打印第一条断裂的条目并以状态码 1 退出。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true",
            help=_("从头（或保留期锚点）校验全部条目并核对每个已签名检查点；默认从最近的检查点增量校验。"),
        )

    def handle(self, *args, **options):
        report = verify_chain(full=options["full"])
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.describe()))
            return
        self.stderr.write(self.style.ERROR(report.describe()))
        sys.exit(1)
