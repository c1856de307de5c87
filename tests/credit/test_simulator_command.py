"""``manage.py credit_simulator``, the stand-in credit platform an operator runs beside a demo or a test
environment: it listens where told, answers requests signed with the named key (and refuses others), and
stops on Ctrl-C, saying so."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.workers.test_serve import ROOT, STARTUP_SECONDS, _coverage_env, _free_port, ctrl_c_reaches_it, stop
from zhunru.workers.clients.credit_platform import CreditPlatformClient, CreditPlatformRejected


def test_credit_simulator_answers_signed_requests_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    dropped = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("COVERAGE_")}
    env.update(ZHUNRU_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1", SIM_TEST_KEY="sim-test-key", **_coverage_env())
    log = open(tmp_path / "simulator.log", "w+")
    # The key named by --key-ref: not in ZHUNRU_CREDIT_KEYS, so read from the environment variable of that name
    proc = subprocess.Popen([sys.executable, "manage.py", "credit_simulator", "--port", str(port),
                             "--key-ref", "SIM_TEST_KEY"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=ctrl_c_reaches_it)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url + "_state", timeout=5) as response:
                    assert json.loads(response.read()) == {"received": 0, "posts": 0, "batches": 0}
                break
            except OSError:  # refused, reset or timed out while it starts (URLError is one)
                assert proc.poll() is None and time.monotonic() < deadline, _read(log)
                time.sleep(0.2)
        assert CreditPlatformClient(url + "jiangxi/", b"sim-test-key").feed("0") == {"events": [], "next_cursor": "0"}
        try:
            CreditPlatformClient(url + "jiangxi/", b"another-key").feed("0")
        except CreditPlatformRejected as refused:
            assert refused.status == 401 and "签名验证失败" in str(refused)
        else:
            raise AssertionError("a request signed with another key was answered")
    finally:
        code = stop(proc, signal.SIGINT)
    output = _read(log)
    assert code == 0, output
    assert f"信用平台模拟器：{url}（Ctrl-C 停止）" in output and output.rstrip().endswith("模拟器已停止。"), output


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
