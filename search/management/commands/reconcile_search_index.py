"""``manage.py reconcile_search_index``: apply due outbox tasks, then repair missing or stale index copies."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.search import indexing


class Command(BaseCommand):
    help = _("处理待办索引任务，并核对索引与数据库：补齐缺失、更新过期、删除多余的文档。")

    def handle(self, *args, **options):
        applied, failed = indexing.apply_due()
        self.stdout.write(_("索引任务：完成 {applied}，失败 {failed}。").format(applied=applied, failed=failed))
        stats = indexing.reconcile()
        self.stdout.write(
            self.style.SUCCESS(
                _("核对完成：文档 {value}，补齐 {value2}，更新 {value3}，删除 {value4}。").format(value=stats['documents'], value2=stats['missing'], value3=stats['stale'], value4=stats['orphans'])
            )
        )
