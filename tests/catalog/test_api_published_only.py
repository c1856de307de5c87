"""Every /api/v1/catalog/ read serves published content only: the active edition, published service
items and their published guide versions."""

import datetime

import pytest

from tests.catalog.conftest import text
from zhunru.catalog.models import ServiceDocumentVersion, ServiceItem


@pytest.fixture
def catalog(editions, make_department):
    old, new = editions
    new.activate()
    dept = make_department("市场监管局")
    published = ServiceItem.objects.create(department=dept, name="药品经营许可", published=True)
    # Linked to the same item in both editions, and to one that only the old edition has (links kept from the
    # old edition, written past the 单外无单 guard, which admits only current items).
    published.list_items.add(new.items.get(code="200001"))
    ServiceItem.list_items.through.objects.bulk_create(
        ServiceItem.list_items.through(serviceitem=published, listitem=old.items.get(code=code))
        for code in ("200001", "200002"))
    draft = ServiceItem.objects.create(department=dept, name="草稿事项", published=False)

    def version(service, number, published, body):
        return ServiceDocumentVersion.objects.create(
            service_item=service, kind=ServiceDocumentVersion.GUIDE, version=number,
            effective_date=datetime.date(2026, 1, number), body=body, published=published,
        )

    version(published, 1, True, "已发布的办事指南")
    version(published, 2, False, "尚未发布的第二版")
    version(draft, 1, True, "草稿事项的指南")
    return {"old": old, "new": new, "published": published, "draft": draft}


def test_statistics_of_an_unpublished_service_item_are_404(client, catalog):
    catalog["draft"].ratings.create(level=1, channel="hall")
    response = client.get(f"/api/v1/catalog/services/{catalog['draft'].pk}/statistics/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/catalog/services/{catalog['published'].pk}/statistics/").status_code == 200


def test_unpublished_guide_version_is_absent_everywhere(client, catalog):
    pk = catalog["published"].pk
    documents = client.get(f"/api/v1/catalog/services/{pk}/documents/").json()
    assert [(d["version"], d["body"]) for d in documents] == [(1, "已发布的办事指南")]
    detail = client.get(f"/api/v1/catalog/services/{pk}/").json()
    assert [d["version"] for d in detail["documents"]] == [1]
    listing = client.get("/api/v1/catalog/services/").json()
    assert [[d["version"] for d in s["documents"]] for s in listing["items"]] == [[1]]
    for url in (f"/api/v1/catalog/services/{pk}/", "/api/v1/catalog/services/", f"/api/v1/catalog/services/{pk}/documents/"):
        assert "尚未发布的第二版" not in text(client.get(url)), url
    # A published guide of an unpublished item is not reachable either.
    assert client.get(f"/api/v1/catalog/services/{catalog['draft'].pk}/documents/").status_code == 404
    assert "草稿事项的指南" not in text(client.get("/api/v1/catalog/services/"))


def test_codes_of_an_inactive_edition_are_not_served(client, catalog):
    codes = {i["code"] for i in client.get("/api/v1/catalog/items/?page_size=200").json()["items"]}
    assert codes == {"100001", "200001", "200102", "200004"}
    assert "200002" not in codes and "200003" not in codes  # only in the 2022 edition
    for code in ("200002", "200003"):
        response = client.get(f"/api/v1/catalog/items/{code}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert client.get(f"/api/v1/catalog/items/?q={code}").json()["count"] == 0
        assert client.get(f"/api/v1/catalog/services/?item={code}").json()["count"] == 0
    # A code in both editions is served once, from the active edition (its changed measure).
    item = client.get("/api/v1/catalog/items/200001/").json()
    assert item["edition"] == "2025年版"
    assert [m["text"] for m in item["measures"]] == ["未获得许可，不得从事药品生产", "未获得许可，不得从事药品网络销售"]
    assert client.get("/api/v1/catalog/items/?q=200001").json()["count"] == 1
    # A service item linked to old-edition items lists only the active edition's codes.
    detail = client.get(f"/api/v1/catalog/services/{catalog['published'].pk}/").json()
    assert detail["list_items"] == ["200001"]


def test_editions_lists_only_the_active_edition(client, catalog):
    assert [e["name"] for e in client.get("/api/v1/catalog/editions/").json()] == ["2025年版"]
    catalog["old"].activate()
    assert [e["name"] for e in client.get("/api/v1/catalog/editions/").json()] == ["2022年版"]
    assert client.get("/api/v1/catalog/items/200003/").json()["edition"] == "2022年版"
    assert client.get("/api/v1/catalog/items/200004/").status_code == 404
