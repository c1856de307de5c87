"""deploy/Caddyfile in front of the app: a client's forged X-Forwarded-For never becomes its address.

Caddy (Debian's package; .ci/system-packages installs it in CI) runs the repository's Caddyfile unchanged,
pointed by its environment variables at a gunicorn on a free port that serves tests/deploy/proxy_app.py
(zhunru.proxies with ZHUNRU_TRUSTED_PROXIES=127.0.0.1, the proxy's address here, as compose sets the proxy
container's). Skipped where the caddy binary is absent, except in CI, where it must be there.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.deploy.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
FORGED = "203.0.113.9"

pytestmark = pytest.mark.skipif(
    shutil.which("caddy") is None and not os.environ.get("CI"),
    reason="caddy is not installed (apt-get install caddy; CI installs it through .ci/system-packages)",
)


def _get(url: str, headers: dict | None = None) -> dict:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _wait_for(url: str, process: subprocess.Popen, name: str) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise AssertionError(f"{name} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{name} did not answer at {url}")


@pytest.fixture
def app_behind_caddy(tmp_path):
    """(URL through Caddy, URL of the app itself); both processes stopped afterwards."""
    app_port, proxy_port = _free_port(), _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.deploy.proxy_app", "ZHUNRU_TRUSTED_PROXIES": "127.0.0.1",
           "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{app_port}", "--workers", "1",
         "django.core.wsgi:get_wsgi_application()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    caddy_env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
                 "XDG_CONFIG_HOME": str(tmp_path / "config"), "ZHUNRU_CADDY_ADMIN": "off",
                 "ZHUNRU_SITE_ADDRESS": f"http://127.0.0.1:{proxy_port}",
                 "ZHUNRU_WEB_UPSTREAM": f"127.0.0.1:{app_port}"}
    caddy = subprocess.Popen(["caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
                             cwd=tmp_path, env=caddy_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        direct, proxied = f"http://127.0.0.1:{app_port}/whoami", f"http://127.0.0.1:{proxy_port}/whoami"
        _wait_for(direct, app, "gunicorn")
        _wait_for(proxied, caddy, "caddy")
        yield proxied, direct
    finally:
        for process in (caddy, app):
            process.terminate()
        for process in (caddy, app):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_forged_x_forwarded_for_through_caddy_does_not_change_the_client_address(app_behind_caddy):
    proxied, direct = app_behind_caddy

    # Had a forged header reached the app from the trusted proxy's address, the app would believe it ...
    assert _get(direct, {"X-Forwarded-For": FORGED})["client_ip"] == FORGED

    # ... but Caddy replaces what the client wrote with the address it saw, and says the scheme was http.
    seen = _get(proxied, {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"})
    assert seen["forwarded_for"] == "127.0.0.1"
    assert seen["client_ip"] == "127.0.0.1"
    assert seen["scheme"] == "http"
    assert _get(proxied)["client_ip"] == "127.0.0.1"
