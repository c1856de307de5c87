"""``manage.py rebuild_search_index``: build a fresh index from the database and swap it in."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhunru.search import indexing
from zhunru.search.backends import get_backend


class Command(BaseCommand):
    help = _("从数据库重建全文检索索引（新建索引、批量写入、原子切换，然后删除旧索引）。")

    def handle(self, *args, **options):
        backend = get_backend()
        self.stdout.write(_("检索后端：{name}").format(name=backend.name))
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] < 0.5 and done != total:
                return
            last[0] = now
            if total:
                width = 30
                filled = int(width * min(done, total) / total)
                bar = "█" * filled + "·" * (width - filled)
                self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
            else:
                self.stdout.write("\r" + _("已写入 {done} 条").format(done=done), ending="")
            if hasattr(self.stdout, "flush"):
                self.stdout.flush()

        n = indexing.rebuild(progress=progress)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(ngettext("重建完成：{n} 条文档，用时 {value:.1f} 秒。", "重建完成：{n} 条文档，用时 {value:.1f} 秒。", n).format(n=n, value=time.monotonic() - started)))
