"""The host contract of README's "Install into an existing Wagtail site", short of a wheel (.ci/jobs/host-site).

- zhunru.settings: ZHUNRU_APPS complete, two-factor left out when django-otp is missing;
- a host with none of this project's settings starts: defaults, the stub broker (never RabbitMQ), checks that
  speak instead of exceptions (subprocess with tests/deploy/host_settings.py);
- mounted under /zhunru/ (tests/deploy/host_urls.py): Zhunru's middleware leaves the host's pages alone, URLs
  carry the prefix, load_demo keeps the host's default Site and serves the jurisdictions under the prefix.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Page, Site

from zhunru import demo
from zhunru.models import JurisdictionHomePage, PortalIndexPage

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def test_zhunru_apps_are_complete_and_the_core_app_comes_before_django_dramatiq():
    from zhunru import ZHUNRU_APPS as legacy
    from zhunru.settings import ZHUNRU_APPS, ZHUNRU_MIDDLEWARE

    assert legacy == ZHUNRU_APPS
    for app in ["zhunru", "zhunru.search", "zhunru.workers", "auditlog", "axes", "django_dramatiq", "csp",
                "corsheaders", "wagtail.api.v2", "rest_framework", "django_otp", "django_otp.plugins.otp_totp",
                "django_otp.plugins.otp_static"]:
        assert app in ZHUNRU_APPS, app
    assert ZHUNRU_APPS.index("zhunru") < ZHUNRU_APPS.index("django_dramatiq")
    assert "django_otp.middleware.OTPMiddleware" in ZHUNRU_MIDDLEWARE
    assert ZHUNRU_MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_without_django_otp_two_factor_is_left_out():
    result = run_python("""
        import sys
        sys.modules["django_otp"] = None  # as if the 2fa extra were not installed
        from zhunru.settings import ZHUNRU_APPS, ZHUNRU_MIDDLEWARE, TWO_FACTOR_AVAILABLE
        assert not TWO_FACTOR_AVAILABLE
        assert not [a for a in ZHUNRU_APPS + ZHUNRU_MIDDLEWARE if "otp" in a], (ZHUNRU_APPS, ZHUNRU_MIDDLEWARE)
        print("ok")
    """)
    assert result.stdout.strip() == "ok", result.stderr


HOST_STARTUP = """
    import sys
    if "{block}":
        sys.modules["{block}"] = None
    import django
    django.setup()
    import dramatiq
    from dramatiq.brokers.stub import StubBroker
    from django.conf import settings
    from django.core.management import call_command
    assert isinstance(dramatiq.get_broker(), StubBroker), dramatiq.get_broker()
    print("VAR_DIR", settings.VAR_DIR)
    print("PRIVATE", settings.ZHUNRU_PRIVATE_MEDIA_ROOT)
    print("REDIS_URL", repr(settings.REDIS_URL))
    from zhunru.models.attachments import private_storage
    print("STORAGE", private_storage.location)
    call_command("check")
"""


@pytest.mark.parametrize("block", ["", "django_otp"])
def test_a_host_without_the_projects_settings_starts_and_checks_speak(tmp_path, block):
    # Given a host's settings with README's lines only (and, second, no django-otp installed)
    result = run_python(HOST_STARTUP.format(block=block),
                        env={"DJANGO_SETTINGS_MODULE": "tests.deploy.host_settings", "HOST_BASE_DIR": str(tmp_path)})
    # Then Django starts on the stub broker with the defaults, and `check` reports instead of raising
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"VAR_DIR {tmp_path / 'var'}" in output
    assert f"PRIVATE {tmp_path / 'var' / 'private'}" in output
    assert f"STORAGE {tmp_path / 'var' / 'private'}" in output
    assert "zhunru_cms.W002" in output  # in-process broker: what to configure for production
    assert ("zhunru_cms.W001" in output) == bool(block)  # two-factor off, install zhunru[2fa]
    assert "zhunru_security.E001" not in output


def test_a_bad_private_media_root_is_a_check_error_not_an_exception(tmp_path):
    result = run_python("""
        import django
        from django.conf import settings
        django.setup()
        from django.core import checks
        from django.test import override_settings
        with override_settings(ZHUNRU_PRIVATE_MEDIA_ROOT=settings.MEDIA_ROOT / "private"):
            print(sorted(m.id for m in checks.run_checks()))
    """, env={"DJANGO_SETTINGS_MODULE": "tests.deploy.host_settings", "HOST_BASE_DIR": str(tmp_path)})
    assert "zhunru_cms.E002" in result.stdout, result.stderr


@pytest.fixture
def mounted():
    with override_settings(ROOT_URLCONF="tests.deploy.host_urls"):
        yield


@pytest.mark.django_db
def test_zhunru_middleware_leaves_the_hosts_pages_alone(client, mounted):
    host = client.get("/host-page/")
    assert host.status_code == 200
    assert "Content-Security-Policy" not in host.headers

    plugin = client.get("/zhunru/portal/search/")
    assert plugin.status_code == 200
    assert "nonce-" in plugin.headers["Content-Security-Policy"]

    admin = client.get("/admin/login/")
    assert "'unsafe-inline'" in admin.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_health_and_schema_come_with_zhunru_urls_under_the_prefix(client, mounted):
    assert client.get("/zhunru/healthz").json() == {"status": "ok"}
    assert client.get("/zhunru/api/v1/schema/").json()["openapi"]
    assert client.get("/healthz", follow=True).status_code == 404  # not at the host's root


@pytest.mark.django_db
def test_generated_urls_carry_the_prefix(mounted):
    assert reverse("zhunru_portal:search") == "/zhunru/portal/search/"
    assert reverse("catalog_document_download", args=[7]) == "/zhunru/catalog/documents/7/download/"
    assert reverse("zhunru_attachment_download", args=["00000000-0000-0000-0000-000000000000"]).startswith(
        "/zhunru/attachments/")


@pytest.mark.django_db
def test_load_demo_in_a_host_keeps_its_default_site_and_serves_jurisdictions_under_the_prefix(client, mounted):
    # Given a host's default Site as Wagtail's migrations make it
    before = Site.objects.get(is_default_site=True)
    root_before = before.root_page_id

    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    # Then its default Site and root page are unchanged, the portal sits below them as "zhunru"
    after = Site.objects.get(is_default_site=True)
    assert (after.pk, after.root_page_id) == (before.pk, root_before)
    portal = PortalIndexPage.objects.get()
    assert portal.get_parent().pk == root_before and portal.slug == "zhunru"
    # each jurisdiction has its Site by hostname too
    home = JurisdictionHomePage.objects.get(slug="changjiang")
    assert Site.objects.filter(root_page=home, hostname="changjiang.localhost").exists()

    # And on the host's own name the jurisdiction's pages answer under the prefix (one-host case)
    page = client.get("/zhunru/changjiang/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert client.get("/zhunru/changjiang/policies/").status_code == 200
    # every link of the plugin's pages carries the prefix (the brand link too, without a jurisdiction)
    for path in ["/zhunru/", "/zhunru/portal/search/", "/zhunru/changjiang/"]:
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', client.get(path).content.decode())
        assert links and not [u for u in links if not u.startswith(("/zhunru/", "/static/"))], (path, links)
    # search results link to the pages on the host's own name, under the prefix
    from zhunru.search.documents import page_url

    policy = home.get_descendants().live().last()
    assert page_url(policy) == f"/zhunru/changjiang/{policy.url_path.split('/changjiang/', 1)[1]}"
    # the portal's link to a jurisdiction leads there on the same host
    assert client.get(f"/zhunru/portal/{home.jurisdiction.division_code}/").url == "/zhunru/changjiang/"


@pytest.mark.django_db
def test_load_demo_in_this_project_makes_the_portal_the_default_site():
    demo.load()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class is PortalIndexPage
    assert site.root_page.get_parent().pk == Page.get_first_root_node().pk
