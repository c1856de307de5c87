"""Filing a complaint: validation in Chinese, one complaint per submission, receipt code and status."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.portal.conftest import PDF
from zhunru.models import Attachment
from zhunru.portal.models import RECEIPT_ALPHABET, Complaint, format_receipt_code, new_receipt_code

pytestmark = pytest.mark.django_db


def complaint_url(jurisdiction):
    return reverse("zhunru_portal:complaint", args=[jurisdiction.division_code])


def test_form_renders_with_consent_text_and_token(client, changjiang):
    response = client.get(complaint_url(changjiang))
    html = response.content.decode()
    assert response.status_code == 200
    assert "问题反映和投诉" in html and "严格保密" in html and 'name="submission_token"' in html
    assert "12345" in html  # the hotlines are offered as an alternative
    assert 'aria-describedby="id_description_help"' in html and 'id="id_description_help"' in html


def test_empty_form_shows_chinese_errors_and_keeps_input(client, changjiang, complaint_data):
    data = complaint_data(description="太短", organization="", consent="")
    response = client.post(complaint_url(changjiang), data)
    html = response.content.decode()
    assert response.status_code == 400  # the form again, with its errors, as the JSON API answers it
    assert "提交未成功" in html
    assert "问题描述过短" in html
    assert "请填写涉及的单位。" in html
    assert "请阅读并勾选同意告知事项后再提交。" in html
    assert "某项目招标公告" in html  # nothing typed is lost
    assert Complaint.objects.count() == 2  # only the two demo complaints


def test_bad_contact_and_attachment_are_refused_in_chinese(client, changjiang, complaint_data):
    fake = SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    data = complaint_data(contact_email="not-an-email", contact_phone="abc", attachments=fake)
    html = client.post(complaint_url(changjiang), data).content.decode()
    assert "电子邮箱格式不正确。" in html
    assert "联系电话格式不正确" in html
    assert "的内容不是允许的类型" in html


def test_submission_gives_receipt_and_status(client, changjiang, complaint_data):
    response = client.post(complaint_url(changjiang), complaint_data())
    assert response.status_code == 302 and response["Location"] == reverse("zhunru_portal:complaint_receipt")
    assert "DEMX" not in response["Location"]  # codes never travel in URLs
    receipt = client.get(response["Location"]).content.decode()
    complaint = Complaint.objects.exclude(receipt_code__startswith="DEMX").get()
    assert complaint.display_code in receipt and "已收到" in receipt
    assert complaint.jurisdiction == changjiang and complaint.status == Complaint.Status.RECEIVED

    lookup = client.post(reverse("zhunru_portal:complaint_status"), {"code": complaint.display_code.lower()})
    html = lookup.content.decode()
    assert "已收到" in html and complaint.display_code in html


def test_double_submission_creates_one_complaint(client, changjiang, complaint_data):
    data = complaint_data()
    first = client.post(complaint_url(changjiang), data)
    second = client.post(complaint_url(changjiang), data)
    assert first.status_code == second.status_code == 302
    assert Complaint.objects.filter(submission_token=data["submission_token"]).count() == 1


def test_submission_token_is_unique_in_the_database(changjiang):
    import uuid

    from django.db import IntegrityError, transaction

    token = uuid.uuid4()
    Complaint.objects.create(jurisdiction=changjiang, submission_token=token, description="x" * 20, organization="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.create(jurisdiction=changjiang, submission_token=token, description="y" * 20,
                                 organization="b")


def test_attachment_is_stored_private_and_coordinator_only(client, changjiang, complaint_data, portal_coordinator,
                                                           make_user):
    upload = SimpleUploadedFile("招标公告.pdf", PDF, content_type="application/pdf")
    client.post(complaint_url(changjiang), complaint_data(attachments=upload))
    complaint = Complaint.objects.exclude(receipt_code__startswith="DEMX").get()
    attachment = Attachment.objects.get()
    assert attachment.owner == complaint and attachment.department is None
    url = reverse("zhunru_attachment_download", args=[attachment.uuid])
    assert client.get(url).status_code == 403  # the public
    officer = make_user("officer", departments=[changjiang.departments.exclude(is_lead=True).first()])
    client.force_login(officer)
    assert client.get(url).status_code == 403  # a department officer
    client.force_login(portal_coordinator)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_unknown_and_malformed_codes(client, portal):
    url = reverse("zhunru_portal:complaint_status")
    malformed = client.post(url, {"code": "123"})
    assert malformed.status_code == 400 and "回执码应为 12 位" in malformed.content.decode()
    too_long = client.post(url, {"code": "A" * 5000})
    assert too_long.status_code == 400 and "回执码最多 40 个字符" in too_long.content.decode()
    unknown = client.post(url, {"code": "ABCD-EFGH-JKMN"})
    assert unknown.status_code == 404 and "未找到该回执码" in unknown.content.decode()  # as the JSON API answers


def test_receipt_codes_are_typable_and_random():
    codes = {new_receipt_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 12 and set(c) <= set(RECEIPT_ALPHABET) for c in codes)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", format_receipt_code(codes.pop()))


def test_complaints_are_throttled_per_client(client, changjiang, complaint_data, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "COMPLAINT_RATE": (2, 3600)}
    statuses = [client.post(complaint_url(changjiang), complaint_data()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert "提交过于频繁" in client.post(complaint_url(changjiang), complaint_data()).content.decode()


def test_status_lookups_are_throttled(client, portal, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "STATUS_LOOKUP_RATE": (3, 3600)}
    url = reverse("zhunru_portal:complaint_status")
    statuses = [client.post(url, {"code": "ABCD-EFGH-JKMN"}).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]  # unknown codes, then refused
