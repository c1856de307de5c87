"""``manage.py reconcile_search_index``: apply due outbox tasks, then repair missing or stale index copies."""

from django.core.management.base import BaseCommand

from zhunru.search import indexing


class Command(BaseCommand):
    help = "处理待办索引任务，并核对索引与数据库：补齐缺失、更新过期、删除多余的文档。"

    def handle(self, *args, **options):
        applied, failed = indexing.apply_due()
        self.stdout.write(f"索引任务：完成 {applied}，失败 {failed}。")
        stats = indexing.reconcile()
        self.stdout.write(
            self.style.SUCCESS(
                f"核对完成：文档 {stats['documents']}，补齐 {stats['missing']}，更新 {stats['stale']}，删除 {stats['orphans']}。"
            )
        )
