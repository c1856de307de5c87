"""Wagtail's own views that span every Site (issue 19 item 3): the page types report, the page-type usage listing
and the form pages listing are for superusers only; the workflow preview and page usage of another jurisdiction's
page answer 404 without its title; the public API v2 lists through one Site's host only that Site's pages, images
and documents."""

import pytest

from tests.security.test_page_scoping import CHANGJIANG, HOUMA, page_scoping_world  # noqa: F401 (fixture)

SUPERUSER_ONLY = [
    "/admin/reports/page-types-usage/", "/admin/reports/page-types-usage/results/",
    "/admin/reports/page-types-usage/?export=csv",
    "/admin/pages/usage/zhunru_cms/policypage/", "/admin/pages/usage/zhunru_cms/policypage/results/",
    "/admin/pages/usage/zhunru_cms/jurisdictionhomepage/",
    "/admin/forms/", "/admin/forms/results/",
]
HOSTS = {CHANGJIANG: "changjiang.localhost:8000", HOUMA: "houma.localhost:8000"}


def _user(world, code, role):
    from tests.conftest import create_user
    from zhunru import roles

    j = world[code]["jurisdiction"]
    return create_user(f"wv-{role}-{code}", groups=[{"coordinator": roles.COORDINATOR, "editor": roles.EDITOR,
                                                     "auditor": roles.AUDITOR}[role]],
                       departments=[j.lead_department])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "coordinator", "auditor"])
def test_reports_over_every_site_are_for_superusers_only(client, page_scoping_world, role):  # noqa: F811
    world = page_scoping_world
    client.force_login(_user(world, HOUMA, role))
    for url in SUPERUSER_ONLY:
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert "景德镇市昌江区" not in response.content.decode()
    menu = client.get("/admin/").content.decode()
    assert "/admin/reports/page-types-usage/" not in menu and 'href="/admin/forms/"' not in menu

    client.force_login(world["boss"])
    for url in SUPERUSER_ONLY:
        assert client.get(url).status_code == 200, url
    assert "景德镇市昌江区" in client.get("/admin/pages/usage/zhunru_cms/jurisdictionhomepage/").content.decode()


@pytest.mark.django_db
def test_page_views_of_another_jurisdiction_answer_404(client, page_scoping_world):  # noqa: F811
    """The workflow preview (Wagtail's refusal names the page) and the page's usage: 404 for 昌江区's page, its title
    nowhere, the attempt audited; 侯马市's own page's usage opens."""
    from zhunru.audit.models import AuditEvent

    world = page_scoping_world
    houma, changjiang = world[HOUMA], world[CHANGJIANG]
    editor = _user(world, HOUMA, "editor")
    client.force_login(editor)
    foreign = changjiang["page"]
    for url in (f"/admin/pages/workflow/preview/{foreign.pk}/1/", f"/admin/pages/{foreign.pk}/usage/",
                f"/admin/pages/workflow/preview/{changjiang['home'].pk}/1/"):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        body = response.content.decode()
        assert foreign.title not in body and "景德镇市昌江区" not in body
    assert AuditEvent.objects.filter(action="security.foreign_access", actor=editor,
                                     object_id=str(foreign.pk)).exists()
    assert client.get(f"/admin/pages/{houma['page'].pk}/usage/").status_code == 200

    client.force_login(world["boss"])
    assert client.get(f"/admin/pages/{foreign.pk}/usage/").status_code == 200


@pytest.mark.django_db
def test_the_public_api_lists_only_the_hosts_site(client, page_scoping_world):  # noqa: F811
    """Through 侯马市's host: its live pages, never 昌江区's, and ``?site=`` naming 昌江区's host is refused; its
    collection's documents and images, never 昌江区's (by id: 404). The installation's index site serves both."""
    world = page_scoping_world
    houma, changjiang = world[HOUMA], world[CHANGJIANG]
    host = {"HTTP_HOST": HOSTS[HOUMA]}

    pages = client.get("/api/v2/pages/", {"limit": 100}, **host)
    assert pages.status_code == 200
    ids = {item["id"] for item in pages.json()["items"]}
    assert houma["home"].pk in ids and changjiang["home"].pk not in ids
    other = client.get("/api/v2/pages/", {"site": HOSTS[CHANGJIANG], "limit": 100}, **host)
    assert other.status_code == 400 and "景德镇市昌江区" not in other.content.decode()
    assert client.get(f"/api/v2/pages/{changjiang['home'].pk}/", **host).status_code == 404
    assert client.get("/api/v2/pages/", {"site": HOSTS[HOUMA]}, **host).status_code == 200

    documents = client.get("/api/v2/documents/", {"limit": 100}, **host)
    titles = {d["title"] for d in documents.json()["items"]}
    assert houma["document"].title in titles and changjiang["document"].title not in titles
    assert client.get(f"/api/v2/documents/{changjiang['document'].pk}/", **host).status_code == 404
    assert client.get(f"/api/v2/documents/{houma['document'].pk}/", **host).status_code == 200
    changjiang_side = client.get("/api/v2/documents/", {"limit": 100}, HTTP_HOST=HOSTS[CHANGJIANG]).json()
    assert houma["document"].title not in {d["title"] for d in changjiang_side["items"]}

    # The installation's index (the default Site, every jurisdiction's portal below it) lists both.
    everything = {d["title"] for d in client.get("/api/v2/documents/", {"limit": 100}).json()["items"]}
    assert {houma["document"].title, changjiang["document"].title} <= everything
