"""Conditional reads of /api/v1/catalog/: a client's earlier validators never earn a stale 304.

Clients send back what they kept: ``If-None-Match`` with the ETag, or ``If-Modified-Since`` alone (the
validator caches fall back to). Both must miss once the answer changed, removals included.

HTTP dates have whole seconds, and a test runs within one: ``age()`` moves the catalog's last change
back, as the time that passes between a client's reads would.
"""

import datetime

import pytest
from django.db.models import F
from django.utils.http import http_date, parse_http_date

from tests.catalog.conftest import text
from zhunru.catalog.models import CatalogRevision, ServiceDocumentVersion, ServiceItem


def age(seconds: int) -> None:
    CatalogRevision.objects.update(changed_at=F("changed_at") - datetime.timedelta(seconds=seconds))


@pytest.fixture
def services(editions, make_department):
    _old, new = editions
    new.activate()
    dept = make_department("市场监管局")
    first = ServiceItem.objects.create(department=dept, name="药品经营许可", published=True)
    second = ServiceItem.objects.create(department=dept, name="食品经营许可", published=True)
    first.list_items.add(new.items.get(code="200001"))
    guide = ServiceDocumentVersion.objects.create(
        service_item=first, kind=ServiceDocumentVersion.GUIDE, version=1,
        effective_date=datetime.date(2026, 1, 1), body="第一版办事指南", published=True,
    )
    age(20)
    return first, second, guide


def validators(response) -> list[dict]:
    """Each validator a client may send back on its own; the change under test happened since."""
    age(10)
    return [{"HTTP_IF_NONE_MATCH": response["ETag"]}, {"HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]}]


def test_unpublishing_a_service_item_is_not_answered_304(client, services):
    first, second, _ = services
    listing = client.get("/api/v1/catalog/services/")
    detail = client.get(f"/api/v1/catalog/services/{second.pk}/")
    assert listing.status_code == detail.status_code == 200
    assert client.get("/api/v1/catalog/services/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304

    second.published = False
    second.save()

    for sent in validators(listing):
        again = client.get("/api/v1/catalog/services/", **sent)
        assert again.status_code == 200, sent
        assert [s["id"] for s in again.json()["items"]] == [first.pk]
    for sent in validators(detail):
        gone = client.get(f"/api/v1/catalog/services/{second.pk}/", **sent)
        assert gone.status_code == 404 and gone.json()["code"] == "not_found"


@pytest.mark.parametrize("url", ["/api/v1/catalog/services/{pk}/", "/api/v1/catalog/services/{pk}/documents/"])
def test_withdrawing_a_guide_is_not_answered_304(client, services, url):
    first, _, guide = services
    url = url.format(pk=first.pk)
    before = client.get(url)
    assert "第一版办事指南" in text(before)

    guide.published = False
    guide.save()

    for sent in validators(before):
        after = client.get(url, **sent)
        assert after.status_code == 200, sent
        assert "第一版办事指南" not in text(after)


def test_publishing_a_new_guide_version_is_not_answered_304(client, services):
    first, _, _ = services
    url = f"/api/v1/catalog/services/{first.pk}/"
    before = client.get(url)
    ServiceDocumentVersion.objects.create(
        service_item=first, kind=ServiceDocumentVersion.GUIDE, version=2,
        effective_date=datetime.date(2026, 6, 1), body="第二版办事指南", published=True,
    )
    for sent in validators(before):
        after = client.get(url, **sent)
        assert after.status_code == 200, sent
        assert [d["version"] for d in after.json()["documents"]] == [2, 1]


def test_activating_another_edition_is_not_answered_304(client, services, editions):
    old, _new = editions
    before = client.get("/api/v1/catalog/items/")
    assert "200003" not in text(before)
    old.activate()
    for sent in validators(before):
        after = client.get("/api/v1/catalog/items/", **sent)
        assert after.status_code == 200, sent
        assert "200003" in {i["code"] for i in after.json()["items"]}


def test_reads_carry_an_etag_and_answer_304_only_to_a_matching_one(client, services):
    first, _, _ = services
    for url in (
        "/api/v1/catalog/editions/",
        "/api/v1/catalog/items/",
        "/api/v1/catalog/items/?kind=permitted&page_size=2",
        "/api/v1/catalog/items/200001/",
        "/api/v1/catalog/services/",
        f"/api/v1/catalog/services/{first.pk}/",
        f"/api/v1/catalog/services/{first.pk}/documents/",
        f"/api/v1/catalog/services/{first.pk}/statistics/",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["ETag"].startswith('"'), url
        cached = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert cached.status_code == 304 and cached["ETag"] == response["ETag"] and not cached.content, url
        assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, url
        if url.endswith("/statistics/"):  # moves with every rating: ETag only
            assert "Last-Modified" not in response
            continue
        since = response["Last-Modified"]
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304, url
        older = http_date(parse_http_date(since) - 1)
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=older).status_code == 200, url


def test_a_page_has_its_own_etag(client, services):
    first = client.get("/api/v1/catalog/items/?page_size=2")
    second = client.get("/api/v1/catalog/items/?page_size=2&page=2")
    assert first["ETag"] != second["ETag"]
    assert client.get("/api/v1/catalog/items/?page_size=2&page=2", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_head_is_answered_like_get_without_a_body(client, services):
    get = client.get("/api/v1/catalog/items/")
    head = client.head("/api/v1/catalog/items/")
    assert head.status_code == 200 and head["ETag"] == get["ETag"] and not head.content
    assert client.head("/api/v1/catalog/items/", HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


def test_deleting_a_service_item_or_renaming_its_department_is_not_answered_304(client, services):
    first, second, _ = services
    listing = client.get("/api/v1/catalog/services/")
    second.delete()
    for sent in validators(listing):
        after = client.get("/api/v1/catalog/services/", **sent)
        assert after.status_code == 200 and [s["id"] for s in after.json()["items"]] == [first.pk], sent
    age(30)  # that read was a while ago
    detail = client.get(f"/api/v1/catalog/services/{first.pk}/")
    first.department.name = "区市场监督管理局"
    first.department.save()
    for sent in validators(detail):
        after = client.get(f"/api/v1/catalog/services/{first.pk}/", **sent)
        assert after.status_code == 200 and "区市场监督管理局" in text(after), sent


def test_no_last_modified_within_the_second_of_a_change(client, services):
    """A second change within the same second would not move a whole-second date: the ETag alone validates."""
    first, _, _ = services
    first.fees = "不收费"
    first.save()
    response = client.get(f"/api/v1/catalog/services/{first.pk}/")
    assert response.status_code == 200 and "Last-Modified" not in response and response["ETag"]


def test_a_failed_change_does_not_move_the_catalog_revision(services):
    from django.db import transaction

    before = CatalogRevision.last_changed()
    with pytest.raises(RuntimeError), transaction.atomic():
        services[0].save()
        raise RuntimeError
    assert CatalogRevision.last_changed() == before
