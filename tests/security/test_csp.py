"""Content Security Policy on portal, API and admin responses."""

import re

import pytest

from zhunru import roles


def _directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _strict(sources: list[str]) -> bool:
    """Our origin and at most this response's nonce: no 'unsafe-inline', no 'unsafe-eval', no other host."""
    return sources[0] == "'self'" and all(s.startswith("'nonce-") for s in sources[1:]) and len(sources) <= 2


def _snippet_list(label: str) -> str:
    from django.apps import apps
    from django.urls import reverse

    viewset = apps.get_model(label).snippet_viewset
    return reverse(viewset.get_url_name("list"))


@pytest.fixture
def homes(demo):
    """The seed jurisdictions' portal homes (the shared demo rows, built once for consecutive tests)."""
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()  # a previous test's sites were rolled back, not deleted
    return {code: j.home_page for code, j in demo.items()}


@pytest.mark.django_db
def test_portal_pages_get_a_strict_policy_with_the_style_nonce(client, homes):
    home = homes["360202"]
    response = client.get(home.url, HTTP_HOST=home.get_site().hostname)
    assert response.status_code == 200
    policy = _directives(response)
    assert _strict(policy["script-src"])  # no inline scripts, no eval on the portal
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in policy["style-src"]
    # A new nonce per response.
    again = client.get(home.url, HTTP_HOST=home.get_site().hostname)
    assert f"'nonce-{nonce}'" not in _directives(again)["style-src"]


@pytest.mark.django_db
def test_portal_views_and_api_carry_the_policy(client, homes):
    for url in ("/portal/search/?q=招标", "/portal/360202/complaint/", "/api/v1/schema/", "/api/v1/docs", "/api/v2/pages/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _strict(_directives(response)["script-src"]), url


@pytest.mark.django_db
def test_admin_pages_work_under_their_policy(client, homes, make_user):
    """Wagtail's admin needs inline scripts and styles: its pages get the admin directives and still render."""
    home = homes["360202"]
    editor = make_user("editor", superuser=True)
    login = client.get("/admin/login/")
    assert "'unsafe-inline'" in _directives(login)["script-src"]
    client.force_login(editor)
    pages = {
        "/admin/": "准入",
        f"/admin/pages/{home.pk}/": home.title,
        f"/admin/pages/{home.pk}/edit/": home.title,
        _snippet_list("zhunru_cms.Department"): "部门",
        _snippet_list("zhunru_leads.Lead"): "线索",
        "/admin/audit_events/": "审计事件",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
        policy = _directives(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"], url
        assert not any(source.startswith("'nonce-") for source in policy["script-src"]), url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"], url


def test_the_admin_talks_to_no_third_party(settings):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False


@pytest.mark.django_db
def test_officer_sees_the_admin_policy_on_the_dashboard(client, make_user):
    client.force_login(make_user("officer", groups=[roles.DEPARTMENT_OFFICER]))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in _directives(response)["style-src"]
