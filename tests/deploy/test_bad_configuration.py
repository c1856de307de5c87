"""Bad configuration gets a system-check message, never an exception at import or startup (issue 17).

Settings read while Django starts (the broker, the private storage, the order of INSTALLED_APPS) are tried in
a subprocess with a host site's settings (tests/deploy/host_settings.py) plus one bad line; settings read later
are tried in this process with override_settings.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core import checks

from zhunru import conf
from zhunru.search import conf as search_conf
from zhunru.search.checks import check_search_settings

REPO = Path(__file__).resolve().parents[2]

STARTUP = """
    import django
    django.setup()
    import dramatiq
    from django.core import checks
    from zhunru.models.attachments import private_storage
    print("BROKER", type(dramatiq.get_broker()).__name__)
    print("STORAGE", private_storage.location)
    print("IDS", sorted(m.id for m in checks.run_checks()))
"""


def start_host(tmp_path, line: str) -> str:
    package = tmp_path / "badhost"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        "from tests.deploy.host_settings import *  # noqa\n"
        "from tests.deploy.host_settings import INSTALLED_APPS  # noqa\n" + line + "\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "DJANGO_SETTINGS_MODULE": "badhost.settings", "HOST_BASE_DIR": str(tmp_path)}
    for name in ("REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(STARTUP)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=180)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_django_dramatiq_listed_above_the_zhunru_apps_still_gets_the_stub_broker(tmp_path):
    # Given a host that already had django_dramatiq, above the Zhunru apps (no DRAMATIQ_BROKER, no pika)
    output = start_host(tmp_path, 'INSTALLED_APPS.remove("django_dramatiq"); '
                                  'INSTALLED_APPS.insert(0, "django_dramatiq")')
    # Then it starts on the plugin's default broker, not django_dramatiq's RabbitMQ, and check W002 speaks
    assert "BROKER StubBroker" in output
    assert "zhunru_cms.W002" in output


def test_a_redis_url_the_client_refuses_is_a_check_error(tmp_path):
    output = start_host(tmp_path, 'REDIS_URL = "localhost:6379"')
    assert "BROKER StubBroker" in output
    assert "zhunru_cms.E003" in output


def test_a_private_media_root_that_is_no_path_is_a_check_error(tmp_path):
    output = start_host(tmp_path, "ZHUNRU_PRIVATE_MEDIA_ROOT = 5")
    assert f"STORAGE {tmp_path / 'var' / 'private'}" in output
    assert "zhunru_cms.E001" in output


@pytest.mark.parametrize(("value", "expected"), [
    ("nonsense", "zhunru_search.E004"),
    ({"MAX_QUERY_LENGTH": "abc"}, "zhunru_search.E004"),
    ({"MAX_PER_PAGE": None}, "zhunru_search.E004"),
    ({"BACKEND": "no.such.Backend"}, "zhunru_search.E001"),
    ({"BACKEDN": "zhunru.search.backends.embedded.EmbeddedBackend"}, "zhunru_search.W003"),
])
def test_a_bad_search_setting_is_a_check_message_and_the_defaults_serve(settings, value, expected):
    settings.ZHUNRU_SEARCH = value
    ids = [m.id for m in check_search_settings()]
    assert expected in ids
    params = search_conf.search_settings()
    for key in search_conf.INTEGER_KEYS:
        assert isinstance(params[key], int)
    if not isinstance(value, dict) or "MAX_QUERY_LENGTH" in value:
        assert params["MAX_QUERY_LENGTH"] == search_conf.DEFAULTS["MAX_QUERY_LENGTH"]


def test_a_good_search_setting_says_nothing(settings, tmp_path):
    settings.ZHUNRU_SEARCH = {"MAX_QUERY_LENGTH": "80", "PATH": str(tmp_path)}
    assert not [m for m in check_search_settings() if m.level >= checks.WARNING]
    assert search_conf.get("MAX_QUERY_LENGTH") == 80


def test_an_upload_limit_that_is_no_number_is_a_check_error_and_the_default_applies(settings):
    settings.ZHUNRU_UPLOAD_MAX_BYTES = "20MB"
    assert "zhunru_cms.E004" in [m.id for m in checks.run_checks()]
    assert conf.upload_max_bytes() == conf.DEFAULTS["UPLOAD_MAX_BYTES"]
