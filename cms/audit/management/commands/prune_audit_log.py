from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cms.audit.models import AuditEvent, ChainAnchor
from cms.audit.recording import record
from cms.audit.verification import verify_chain


class Command(BaseCommand):
    help = "按保留期（ZHUNRU_AUDIT_RETENTION_DAYS）清理过期审计日志，并记录锚点以保证剩余链可校验。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保留天数（默认取设置）")

    def handle(self, *args, days: int | None, **options):
        days = days if days is not None else getattr(settings, "ZHUNRU_AUDIT_RETENTION_DAYS", None)
        if not days:
            self.stdout.write("未设置保留期，审计日志永久保存，无需清理。")
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"审计链已断裂，拒绝清理：{report.describe()}")
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            last = AuditEvent.objects.filter(timestamp__lt=cutoff).order_by("-sequence").first()
            if last is None:
                self.stdout.write("没有超过保留期的审计日志。")
                return
            ChainAnchor.objects.create(pruned_through=last.sequence, last_hash=last.hash, pruned_at=timezone.now())
            # The only deletion path: a raw queryset delete bypassing the immutable manager.
            doomed = AuditEvent.objects.filter(sequence__lte=last.sequence)
            count = doomed.count()
            doomed._raw_delete(doomed.db)
            record("audit.prune", note=f"清理 #{last.sequence} 及以前的 {count} 条审计日志（保留 {days} 天）")
        self.stdout.write(f"已清理 {count} 条，锚点为 #{last.sequence}。")
