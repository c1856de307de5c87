"""Wagtail's own views that span every Site (issue 19 item 3): the page types report, the page-type usage listing
and the form pages listing are for superusers only; every admin view naming another jurisdiction's page
(edit, history, move, …) answers 404 without its title; the public API v2 lists through one Site's host only that Site's pages, images
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


# Every admin view naming one page, as a URL with that page's id (and 侯马市's home as the move's destination).
PAGE_VIEW_URLS = [
    "/admin/pages/{id}/", "/admin/pages/{id}/results/", "/admin/pages/{id}/edit/", "/admin/pages/{id}/edit/preview/",
    "/admin/pages/{id}/view_draft/", "/admin/pages/{id}/add_subpage/", "/admin/pages/{id}/delete/",
    "/admin/pages/{id}/unpublish/", "/admin/pages/{id}/copy/", "/admin/pages/{id}/move/",
    "/admin/pages/{own}/move/{id}/confirm/", "/admin/pages/{id}/move/{own}/confirm/", "/admin/pages/{id}/lock/",
    "/admin/pages/{id}/unlock/", "/admin/pages/{id}/privacy/", "/admin/pages/{id}/revisions/",
    "/admin/pages/{id}/history/", "/admin/pages/{id}/history/results/", "/admin/pages/{id}/workflow_history/",
    "/admin/pages/{id}/usage/", "/admin/pages/workflow/preview/{id}/1/",
    "/admin/pages/workflow/confirm_cancellation/{id}/", "/admin/pages/add/zhunru_cms/policypage/{id}/",
    "/admin/choose-page/{id}/", "/admin/forms/submissions/{id}/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "coordinator"])
def test_page_views_of_another_jurisdiction_answer_404(client, page_scoping_world, role):  # noqa: F811
    """Every admin view naming a page of 昌江区 (its home or a draft under it), GET and POST, answers 侯马市's editor
    and coordinator 404 (Wagtail would redirect with "没有权限访问", or show the title in the workflow preview's
    refusal): the title nowhere, nothing changed, the attempt audited. 侯马市's own pages open; a superuser opens
    昌江区's."""
    from wagtail.models import Page

    from zhunru.audit.models import AuditEvent

    world = page_scoping_world
    houma, changjiang = world[HOUMA], world[CHANGJIANG]
    user = _user(world, HOUMA, role)
    client.force_login(user)
    own = houma["home"].pk
    for foreign in (changjiang["page"], changjiang["home"]):
        before = Page.objects.get(pk=foreign.pk)
        for template in PAGE_VIEW_URLS:
            url = template.format(id=foreign.pk, own=own)
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, (method.__name__, url, response.status_code)
                body = response.content.decode()
                assert foreign.title not in body and "景德镇市昌江区" not in body, url
        after = Page.objects.get(pk=foreign.pk)
        assert (after.path, after.title, after.live, after.locked) == (before.path, before.title, before.live,
                                                                        before.locked)
        assert AuditEvent.objects.filter(action="security.foreign_access", actor=user,
                                         object_id=str(foreign.pk)).exists()
    for url in (f"/admin/pages/{houma['page'].pk}/usage/", f"/admin/pages/{houma['page'].pk}/edit/",
                f"/admin/pages/{houma['page'].pk}/history/", f"/admin/pages/{own}/"):
        assert client.get(url).status_code == 200, url

    client.force_login(world["boss"])
    for url in (f"/admin/pages/{changjiang['page'].pk}/usage/", f"/admin/pages/{changjiang['page'].pk}/edit/"):
        assert client.get(url).status_code == 200, url


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
