import sys

from django.core.management.base import BaseCommand

from zhunru.audit.verification import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链；发现断裂时打印第一条断裂的条目并以状态码 1 退出。"

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.describe()))
            return
        self.stderr.write(self.style.ERROR(report.describe()))
        sys.exit(1)
