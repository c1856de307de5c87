"""``manage.py scheduler`` as a container runs it: on start it enqueues every periodic job (each claims its
current time slot), and it stops cleanly on SIGTERM (what Kubernetes and Compose send), saying so."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.workers.test_serve import STARTUP_SECONDS, _coverage_env, stop

ROOT = Path(__file__).resolve().parents[2]


def test_scheduler_enqueues_every_periodic_job_and_stops_on_sigterm(tmp_path):
    import zhunru.workers.tasks  # noqa: F401  (registers the jobs)
    from zhunru.workers.scheduler import JOBS

    dropped = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("COVERAGE_")}
    env.update(ZHUNRU_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1", **_coverage_env())
    log = open(tmp_path / "scheduler.log", "w+")
    proc = subprocess.Popen([sys.executable, "manage.py", "scheduler", "--interval", "0.1"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "已调度 heartbeat" not in _read(log):
            assert proc.poll() is None and time.monotonic() < deadline, _read(log)
            time.sleep(0.1)
        time.sleep(0.5)  # a few more ticks
    finally:
        code = stop(proc, signal.SIGTERM)
    output = _read(log)
    assert code == 0, output
    assert output.rstrip().endswith("调度器已停止。"), output[-2000:]
    scheduled = [line.split("已调度 ", 1)[1].strip() for line in output.splitlines() if "已调度 " in line]
    assert set(scheduled) == set(JOBS), scheduled


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
