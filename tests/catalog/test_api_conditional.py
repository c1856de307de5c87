"""Conditional reads of /api/v1/catalog/: a client's earlier validators never earn a stale 304.

Clients send back what they kept: ``If-None-Match`` with the ETag, or ``If-Modified-Since`` alone (the
validator caches fall back to). Both must miss once the answer changed, removals included.
"""

import datetime
import json
import time

import pytest
from django.utils.http import http_date

from cms.catalog.models import ServiceDocumentVersion, ServiceItem


def text(response) -> str:
    """The JSON body as readable text (the renderer escapes non-ASCII characters)."""
    return json.dumps(response.json(), ensure_ascii=False)


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
    return first, second, guide


def validators(response) -> list[dict]:
    """Each validator a client may send back on its own (the date: Last-Modified if any, else now)."""
    since = response.get("Last-Modified") or http_date(time.time() + 60)
    return [{"HTTP_IF_NONE_MATCH": response["ETag"]}, {"HTTP_IF_MODIFIED_SINCE": since}]


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
        assert "Last-Modified" not in response, url
        cached = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert cached.status_code == 304 and cached["ETag"] == response["ETag"] and not cached.content, url
        assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, url


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
