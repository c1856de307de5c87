import signal
import threading

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.workers import scheduler


class Command(BaseCommand):
    help = _("运行周期任务调度器（可启动多个实例，同一时段的任务只会入队一次）。")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help=_("检查间隔（秒）"))

    def handle(self, *args, interval: float, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        try:
            scheduler.run(stop, interval=interval)
        except KeyboardInterrupt:
            stop.set()
        self.stdout.write(_("调度器已停止。"))
