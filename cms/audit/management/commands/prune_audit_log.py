from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhunru.audit.retention import MIN_RETENTION_DAYS, RetentionError, prune_expired


class Command(BaseCommand):
    help = _(
        "按保留期（ZHUNRU_AUDIT_RETENTION_DAYS，未设置则永久保存）清理过期审计日志，"
        "并记录锚点以保证剩余链可校验。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help=_("保留天数（默认取设置；不少于 {MIN_RETENTION_DAYS}）").format(MIN_RETENTION_DAYS=MIN_RETENTION_DAYS))

    def handle(self, *args, days: int | None, **options):
        try:
            result = prune_expired(days)
        except RetentionError as exc:
            raise CommandError(str(exc)) from exc
        if result.days is None:
            self.stdout.write(_("未设置保留期，审计日志永久保存，无需清理。"))
        elif not result.count:
            self.stdout.write(_("没有超过保留期的审计日志。"))
        else:
            self.stdout.write(_("已清理 {count} 条，锚点为 #{pruned_through}。").format(count=result.count, pruned_through=result.pruned_through))
