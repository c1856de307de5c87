"""The citizen's side of issue 23: the receipt is shown once, and a refused request says when to come back."""

import pytest
from django.urls import reverse

from tests.portal.conftest import CONTACT
from zhunru.portal.models import Complaint

pytestmark = pytest.mark.django_db


def complaint_url(jurisdiction):
    return reverse("zhunru_portal:complaint", args=[jurisdiction.division_code])


def test_the_receipt_is_shown_once_then_the_status_lookup(client, changjiang, complaint_data):
    # Given a complaint just filed
    receipt_url = client.post(complaint_url(changjiang), complaint_data())["Location"]
    complaint = Complaint.objects.exclude(receipt_code__startswith="DEMX").get()
    # When the receipt page opens: the code and what was filed, never the contact details, never cached
    first = client.get(receipt_url)
    html = first.content.decode()
    assert first.status_code == 200 and complaint.display_code in html
    assert complaint.description in html and "本页只显示一次" in html
    assert not any(secret in html for secret in CONTACT.values())
    assert "no-store" in first["Cache-Control"]
    # Then a reload (or the next person at a shared computer) gets the status lookup, without the receipt
    again = client.get(receipt_url)
    assert again.status_code == 302 and again["Location"] == reverse("zhunru_portal:complaint_status") + "?receipt=shown"
    lookup = client.get(again["Location"]).content.decode()
    assert "回执页面只显示一次" in lookup and complaint.display_code not in lookup
    # and the code still finds the complaint there
    found = client.post(reverse("zhunru_portal:complaint_status"), {"code": complaint.receipt_code}).content.decode()
    assert complaint.display_code in found and "已收到" in found


def test_refused_complaints_carry_retry_after_in_the_header_and_in_words(client, changjiang, complaint_data, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "COMPLAINT_RATE": (1, 3600)}
    assert client.post(complaint_url(changjiang), complaint_data()).status_code == 302
    refused = client.post(complaint_url(changjiang), complaint_data())
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 2 * 3600
    assert f"请在 {-(-wait // 60)} 分钟后再试" in refused.content.decode()
    assert Complaint.objects.exclude(receipt_code__startswith="DEMX").count() == 1


def test_refused_status_lookups_and_api_calls_carry_retry_after(client, portal, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "STATUS_LOOKUP_RATE": (1, 60)}
    url = reverse("zhunru_portal:complaint_status")
    assert client.post(url, {"code": "ABCD-EFGH-JKMN"}).status_code == 404  # looked up: no such code
    page = client.post(url, {"code": "ABCD-EFGH-JKMN"})
    assert page.status_code == 429 and 0 < int(page["Retry-After"]) <= 120
    assert "秒后再试" in page.content.decode() or "分钟后再试" in page.content.decode()
    # The API shares the allowance of the same client and scope, and answers in its own error shape.
    api = client.post("/api/v1/portal/complaints/status/", {"code": "ABCD-EFGH-JKMN"}, content_type="application/json")
    assert api.status_code == 429 and int(api["Retry-After"]) > 0
    body = api.json()
    assert body["code"] == "throttled" and body["retry_after"] == int(api["Retry-After"])
    assert "请求过于频繁" in body["message"]
