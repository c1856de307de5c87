import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "SECRET_KEY": "k" * 20 + "-random-production-key-0123456789abcdef",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "ALLOWED_HOSTS": "zhunru.example.cn",
    # As compose sets them: the reverse proxy's address, and the audit checkpoints' own key.
    "ZHUNRU_TRUSTED_PROXIES": "172.28.0.10",
    "ZHUNRU_AUDIT_CHECKPOINT_KEY": "c" * 32 + "-audit-checkpoint-key",
}


def _check(env: dict) -> subprocess.CompletedProcess:
    dropped = ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the e2e tests set the last
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--settings=deploy.settings.production"],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )


def test_production_refuses_to_start_without_secret():
    result = _check({k: v for k, v in GOOD_ENV.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "拒绝启动" in result.stderr


def test_production_refuses_default_secret():
    result = _check({**GOOD_ENV, "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"})
    assert result.returncode != 0 and "拒绝启动" in result.stderr


def test_production_check_deploy_is_clean():
    result = _check(GOOD_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
