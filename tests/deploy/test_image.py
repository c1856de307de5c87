"""The image recipe and the production web process, run here with gunicorn (no Docker engine to build it)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .manifests import DEPLOY, ROOT


def test_dockerfile_builds_a_non_root_gunicorn_image_with_static_files():
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.splitlines()[2].startswith("# Build") and "FROM python:3.11-slim" in text
    assert "USER 10001" in text and "useradd --system --uid 10001" in text
    assert "manage.py collectstatic --noinput" in text
    assert 'CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "deploy.wsgi"]' in text
    assert "HEALTHCHECK" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production_web(tmp_path):
    """gunicorn with deploy/gunicorn.conf.py and production settings on SQLite, on a free loopback port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL",
                                                             "ELASTICSEARCH_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "deploy.settings.production",
        "SECRET_KEY": "p" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "zhunru.example.cn,localhost",
        "ZHUNRU_VAR_DIR": str(tmp_path / "var"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    })
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind",
                                f"127.0.0.1:{port}", "deploy.wsgi"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail((tmp_path / "gunicorn.log").read_text())
                time.sleep(0.1)
        yield port, env, tmp_path / "gunicorn.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_gunicorn_serves_health_and_the_container_healthcheck_passes(production_web):
    port, env, log_path = production_web
    check = [sys.executable, str(DEPLOY / "healthcheck.py"), "http"]
    assert subprocess.run([*check, "/healthz"], env=env, timeout=30).returncode == 0
    assert subprocess.run([*check, "/readyz"], env=env, timeout=30).returncode == 0
    # Without the proxy's headers production settings redirect to HTTPS, except the health probes (the kubelet
    # and compose's healthcheck call them directly, SECURE_REDIRECT_EXEMPT).

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    probe = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"})
    assert opener.open(probe, timeout=5).status == 200
    page = urllib.request.Request(f"http://127.0.0.1:{port}/admin/login/", headers={"Host": "localhost"})
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(page, timeout=5)
    assert redirect.value.code == 301
    # Access and application logs are JSON lines carrying the request id.
    time.sleep(0.3)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access and all("rid=" in line["message"] for line in access)
    assert any(len(line["message"].split("rid=")[1].split()[0]) == 32 for line in access)


def test_worker_healthcheck_runs_the_readyz_checks_and_names_a_dead_redis(tmp_path, private_redis):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "deploy.settings.test", "REDIS_URL": private_redis.url})
    check = [sys.executable, str(DEPLOY / "healthcheck.py"), "services"]
    healthy = subprocess.run(check, env=env, capture_output=True, text=True, timeout=120)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert json.loads(healthy.stdout)["failing"] == []
    private_redis.stop()
    failing = subprocess.run(check, env=env, capture_output=True, text=True, timeout=120)
    assert failing.returncode == 1
    assert json.loads(failing.stdout)["failing"] == ["redis"]
