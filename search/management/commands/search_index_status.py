"""``manage.py search_index_status``: backend health and the outbox backlog."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.search import indexing
from zhunru.search.backends import get_backend


class Command(BaseCommand):
    help = _("显示检索服务状态和待处理的索引任务。")

    def handle(self, *args, **options):
        health = get_backend().health()
        backlog = indexing.backlog()
        self.stdout.write(json.dumps({"health": health, "backlog": backlog}, ensure_ascii=False, default=str, indent=2))
        if not health.get("ok"):
            return _("检索服务不可用。\n")
