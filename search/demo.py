"""Demo: index the demo content right away (``manage.py load_demo`` runs this after the other apps' demos)."""

from zhunru.search import indexing


def load(stdout=None) -> None:
    """Apply pending outbox tasks, then reconcile, so the portal search works at once; idempotent."""
    applied, failed = indexing.apply_due(limit=10_000)
    stats = indexing.reconcile()
    if stdout is not None:
        stdout.write(f"检索索引：处理任务 {applied} 个（失败 {failed}），核对 {stats['documents']} 条文档。\n")
