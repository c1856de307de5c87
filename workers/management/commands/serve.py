import subprocess
import sys
import threading

import dramatiq
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from dramatiq.brokers.stub import StubBroker
from dramatiq.worker import Worker

from zhunru.workers import scheduler


class Command(BaseCommand):
    help = _("一并运行网站、后台任务处理进程和调度器（`make run` 使用）；Ctrl-C 全部停止。")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--worker-threads", type=int, default=2)

    def handle(self, *args, addrport: str, worker_threads: int, **options):
        import zhunru.workers.tasks  # noqa: F401  (registers actors)

        broker = dramatiq.get_broker()
        worker = None
        worker_process = None
        if isinstance(broker, StubBroker):
            # No broker server: consume the in-process stub broker from this process.
            broker.emit_after("process_boot")
            worker = Worker(broker, worker_threads=worker_threads, worker_timeout=1000)
            worker.start()
            self.stdout.write(_("后台任务：进程内处理（{worker_threads} 个线程，队列 {sorted}）").format(worker_threads=worker_threads, sorted=sorted(broker.queues)))
        else:
            worker_process = subprocess.Popen(
                [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", str(worker_threads)]
            )
            self.stdout.write(_("后台任务：Redis（{REDIS_URL}），已启动 rundramatiq 进程").format(REDIS_URL=settings.REDIS_URL))
        stop = threading.Event()
        sched = threading.Thread(target=scheduler.run, args=(stop,), name="scheduler", daemon=True)
        sched.start()
        self.stdout.write(_("调度器：已启动"))
        from zhunru.credit.demo import start_simulator

        credit_simulator = start_simulator(self.stdout)
        try:
            # Static files through WhiteNoise (its finders in DEBUG), as in production: runserver's own static
            # handler answers a path like /static/../x with a 500 (SuspiciousFileOperation), WhiteNoise with 404.
            call_command("runserver", addrport, use_reloader=False, use_threading=True, use_static_handler=False)
        finally:
            stop.set()
            if credit_simulator is not None:
                credit_simulator.stop()
            if worker is not None:
                worker.stop()
            if worker_process is not None:
                worker_process.terminate()
                worker_process.wait(timeout=30)
            self.stdout.write(_("已停止网站、后台任务与调度器。"))
