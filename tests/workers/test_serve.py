"""``manage.py serve`` (what ``make run`` starts): the site, the in-process worker and the scheduler in one
process, on the stub broker, stopped together by Ctrl-C.

It runs as a subprocess on a free port, with the development settings ``make run`` uses, on a migrated
database of its own: a copy of the test database on SQLite, the test database itself on PostgreSQL (this
test is transactional, so whatever the server writes is flushed afterwards). When the suite is measured,
coverage measures the subprocess too (coverage's own start-up hook, ``COVERAGE_PROCESS_CONFIG``; its data
file is combined with the run's)."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


# How long a child process may take to start: seconds when the machine is idle, minutes on a busy CI machine
# (a Ctrl-C sent while Python still runs its start-up files can be swallowed there, leaving it running).
STARTUP_SECONDS = 300


def ctrl_c_reaches_it() -> None:
    """In the child before it starts: SIGINT as a terminal's Ctrl-C finds it. An ignored signal is inherited,
    and in the whole suite something earlier in the worker process leaves SIGINT ignored (the child then ran
    on after Ctrl-C, in CI only)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(proc, signum) -> int | None:
    """Send ``signum`` and wait for the exit code; a process still running after a minute is killed (None), so
    a test that already failed shows its own error, not a timeout of its clean-up."""
    proc.send_signal(signum)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _coverage_env() -> dict:
    """Measure the child as this process is measured (nothing when the run is not measured)."""
    try:
        import coverage
    except ImportError:
        return {}
    current = coverage.Coverage.current()
    if current is None:
        return {}
    import copy

    config = copy.copy(current.config)
    config.parallel = True  # its own data file beside the run's, combined at the end of the run
    return {"COVERAGE_PROCESS_CONFIG": config.serialize()}


def _database_env(tmp_path: Path) -> dict:
    """A migrated database for the server: a file copy of the in-memory SQLite test database, or the
    PostgreSQL test database."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(tmp_path / "db.sqlite3")
        connection.connection.backup(target)
        target.close()
        return {}  # the development settings' default: VAR_DIR/db.sqlite3
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return {"DATABASE_URL": f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"}


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _heartbeat_pids(tmp_path: Path) -> list[int]:
    """Processes that consumed the scheduler's heartbeat message (zhunru.workers.tasks.system.heartbeat)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(tmp_path / "db.sqlite3", timeout=5) as db:
            return [pid for (pid,) in db.execute("SELECT pid FROM zhunru_workers_workerheartbeat")]
    from zhunru.workers.models import WorkerHeartbeat

    return list(WorkerHeartbeat.objects.values_list("pid", flat=True))


@pytest.mark.django_db(transaction=True)
def test_serve_runs_site_worker_and_scheduler_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    dropped = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("COVERAGE_")}
    env.update(ZHUNRU_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1", **_database_env(tmp_path), **_coverage_env())
    simulator_port = _free_port()
    env["ZHUNRU_TEST_SIMULATOR_PORT"] = str(simulator_port)
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}", "--settings=tests.workers.serve_settings"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=ctrl_c_reaches_it,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Given the server started (Django and Wagtail import in a few seconds; more on a loaded machine)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                status, body = _get(f"{base}/readyz")
                break
            except OSError:
                assert proc.poll() is None, _output(log)
                assert time.monotonic() < deadline, _output(log)
                time.sleep(0.2)
        # Then it is ready, on the in-process broker (no Redis), and serves the portal
        ready = json.loads(body)
        assert status == 200 and ready["status"] == "ok", body
        assert ready["checks"]["redis"]["skipped"] == "未配置 REDIS_URL：使用进程内消息代理"
        assert ready["checks"]["database"]["vendor"] == connection.vendor
        status, page = _get(f"{base}/portal/complaint/status/")
        assert status == 200 and "查询" in page
        # Static files are served (WhiteNoise), and a path out of the static directories is a 4xx, not a 500.
        assert _get(f"{base}/static/wagtailadmin/css/core.css")[0] == 200
        for path in ("/static/../deploy/settings/base.py", "/static/%2e%2e/%2e%2e/manage.py",
                     "/static/..%2f..%2fmanage.py"):
            assert 400 <= _get(base + path)[0] < 500, path
        # and its scheduler's heartbeat job was consumed by its own worker threads, in this very process
        while proc.pid not in _heartbeat_pids(tmp_path):
            assert time.monotonic() < deadline, _output(log)
            time.sleep(0.2)
    finally:
        # When Ctrl-C reaches it, the site, the worker and the scheduler stop, and it exits cleanly
        code = stop(proc, signal.SIGINT)
    output = _output(log)
    assert code == 0, output
    assert "后台任务：进程内处理（2 个线程" in output
    assert "调度器：已启动" in output
    assert f"信用平台模拟器：http://127.0.0.1:{simulator_port}/" in output
    assert output.rstrip().endswith("已停止网站、后台任务与调度器。"), output[-2000:]


def _output(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()

