"""Pages and media per jurisdiction in the admin (issue 19 item 2): Wagtail's page API, page chooser and the
image and document choosers show a user only their own jurisdiction's pages and media."""

import pytest

from tests.conftest import create_user, shared_rows
from zhunru import roles

CHANGJIANG, HOUMA = "360202", "141081"


@shared_rows("page_scoping_world", base="demo")
def page_scoping_world():
    """In each seed jurisdiction: a draft page, a document and an image (named after it) and an editor."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.documents import get_document_model

    from zhunru.models import Jurisdiction, PolicyPage

    world = {}
    for code in (CHANGJIANG, HOUMA):
        j = Jurisdiction.objects.get(division_code=code)
        page = PolicyPage(title=f"{j.name}草稿政策", slug=f"scoping-{code}", issuer=j.name, body="<p>草稿</p>",
                          live=False)
        j.home_page.add_child(instance=page)
        document = get_document_model().objects.create(
            title=f"{j.name}内部文档", collection=roles.jurisdiction_collection(j),
            file=SimpleUploadedFile(f"scoping-{code}.txt", b"text"))
        editor = create_user(f"scoping-editor-{code}", groups=[roles.EDITOR], departments=[j.lead_department])
        world[code] = {"jurisdiction": j, "page": page, "home": j.home_page, "document": document,
                       "editor": editor}
    world["boss"] = create_user("scoping-boss", superuser=True)
    return world


def _html(client, url, params=None) -> str:
    """A chooser answer's HTML (a modal step is JSON, which writes Chinese as \\u escapes)."""
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


def _all_titles(client, **params) -> set[str]:
    """Every page title the admin API lists (page after page of 20)."""
    titles, offset = set(), 0
    while True:
        response = client.get("/admin/api/main/pages/", {**params, "offset": offset})
        assert response.status_code == 200, response.content[:200]
        data = response.json()
        titles |= {item["title"] for item in data["items"]}
        offset += len(data["items"])
        if not data["items"] or offset >= data["meta"]["total_count"]:
            return titles


@pytest.mark.django_db
def test_the_admin_page_api_lists_own_pages_only(client, page_scoping_world):
    houma, changjiang = page_scoping_world[HOUMA], page_scoping_world[CHANGJIANG]
    client.force_login(houma["editor"])
    titles = _all_titles(client)
    assert houma["page"].title in titles and houma["home"].title in titles
    assert not {changjiang["page"].title, changjiang["home"].title} & titles
    for page in (changjiang["page"], changjiang["home"]):
        assert client.get(f"/admin/api/main/pages/{page.pk}/").status_code == 404
        children = client.get("/admin/api/main/pages/", {"child_of": page.pk})
        assert children.status_code in (200, 400, 404)
        assert changjiang["page"].title not in children.content.decode()
    found = client.get("/admin/api/main/pages/", {"search": changjiang["page"].title})
    assert changjiang["page"].title not in found.content.decode()

    client.force_login(page_scoping_world["boss"])
    everything = _all_titles(client)
    assert {houma["page"].title, changjiang["page"].title} <= everything


@pytest.mark.django_db
def test_the_page_chooser_offers_own_pages_only(client, page_scoping_world):
    houma, changjiang = page_scoping_world[HOUMA], page_scoping_world[CHANGJIANG]
    client.force_login(houma["editor"])
    portal = houma["home"].get_parent()
    for url, params in (("/admin/choose-page/", {}), (f"/admin/choose-page/{portal.pk}/", {}),
                        ("/admin/choose-page/search/", {"q": "草稿政策"})):
        html = _html(client, url, params)
        assert changjiang["page"].title not in html and changjiang["home"].title not in html, url
    assert houma["page"].title in _html(client, f"/admin/choose-page/{houma['home'].pk}/")
    # Browsing from, or moving to or from, another jurisdiction's page: 404, nothing of it shown.
    for url in (f"/admin/choose-page/{changjiang['home'].pk}/", f"/admin/choose-page/{changjiang['page'].pk}/",
                f"/admin/pages/{houma['page'].pk}/move/{changjiang['home'].pk}/confirm/",
                f"/admin/pages/{changjiang['page'].pk}/move/{houma['home'].pk}/confirm/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert changjiang["page"].title not in response.content.decode()

    client.force_login(page_scoping_world["boss"])
    for world in (houma, changjiang):
        assert world["page"].title in _html(client, f"/admin/choose-page/{world['home'].pk}/")


@pytest.mark.django_db
def test_the_document_chooser_offers_own_collection_only(client, page_scoping_world):
    houma, changjiang = page_scoping_world[HOUMA], page_scoping_world[CHANGJIANG]
    client.force_login(houma["editor"])
    html = _html(client, "/admin/documents/chooser/")
    assert houma["document"].title in html and changjiang["document"].title not in html
    assert client.get(f"/admin/documents/edit/{changjiang['document'].pk}/").status_code in (302, 403, 404)
    # The admin API's documents endpoint (Wagtail lists every document there): own collection only.
    listing = client.get("/admin/api/main/documents/").json()
    assert {d["title"] for d in listing["items"]} >= {houma["document"].title}
    assert changjiang["document"].title not in {d["title"] for d in listing["items"]}
    assert client.get(f"/admin/api/main/documents/{changjiang['document'].pk}/").status_code == 404
