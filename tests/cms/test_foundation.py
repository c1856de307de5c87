import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpRequest

from zhunru import roles
from zhunru.models import Department, Jurisdiction, PolicyPage
from zhunru.uploads import check_upload, store_attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504E470D0A1A0A0000000D4948445200000001000000010806000000")


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_publishes_both_notices(client, full_demo):
    call_command("load_demo")  # the second time (full_demo was the first)
    # The two seeds and the higher-level jurisdictions whose offices approve their extension requests.
    assert Jurisdiction.objects.count() == 4
    assert Department.objects.filter(is_lead=True).count() == 4
    assert PolicyPage.objects.live().count() == 2
    houma = Jurisdiction.objects.get(name="侯马市")
    assert houma.lead_department.name == "侯马市发展和改革局"
    assert houma.parent.name == "临汾市" and houma.higher_office_name == "临汾市发展和改革委员会"
    assert houma.parent.site is None  # no portal of its own in the demo
    assert houma.site is not None and houma.site.root_page.specific.jurisdiction == houma

    response = client.get("/api/v2/pages/", {"type": "zhunru_cms.PolicyPage", "fields": "issuer"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["meta"]["type"] for item in items} == {"zhunru_cms.PolicyPage"}
    assert {item["issuer"] for item in items} == {"景德镇市昌江区发展和改革委员会", "侯马市发展和改革局"}

    # Served on the jurisdiction's own site and under the installation's index.
    own = client.get("/policies/market-access-mechanisms/", HTTP_HOST="houma.localhost").content.decode()
    assert "一日移交、三日核查、七日整改" in own
    via_index = client.get("/houma/policies/market-access-mechanisms/").content.decode()
    assert "一日移交、三日核查、七日整改" in via_index


@pytest.mark.django_db
def test_roles_exist_with_admin_access():
    roles.sync_roles()
    for name in roles.ROLES:
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists()
    assert Group.objects.get(name=roles.COORDINATOR).permissions.filter(codename="change_department").exists()


@pytest.mark.django_db
def test_admin_speaks_chinese(client, make_user):
    make_user("boss", superuser=True)
    client.login(request=HttpRequest(), username="boss", password="pw-123456!")  # axes needs a request
    html = client.get("/admin/").content.decode()
    assert "仪表板" in html or "控制面板" in html or "基础数据" in html


def test_upload_checked_by_content_not_extension():
    assert check_upload(SimpleUploadedFile("证明.pdf", PDF)).mime_type == "application/pdf"
    with pytest.raises(ValidationError) as forged:
        check_upload(SimpleUploadedFile("证明.pdf", PNG))
    assert forged.value.code == "extension_mismatch"
    with pytest.raises(ValidationError) as script:
        check_upload(SimpleUploadedFile("证明.pdf", b"#!/bin/sh\nrm -rf /\n"))
    assert script.value.code == "bad_type"
    with pytest.raises(ValidationError) as big:
        check_upload(SimpleUploadedFile("大.pdf", PDF + b"0" * 2048), max_bytes=1024)
    assert big.value.code == "too_large"


@pytest.mark.django_db
def test_attachment_download_is_department_scoped(client, jurisdiction, make_department, make_user):
    a = make_department("甲局")
    b = make_department("乙局")
    officer_b = make_user("officer_b", groups=[roles.DEPARTMENT_OFFICER], departments=[b])
    officer_a = make_user("officer_a", groups=[roles.DEPARTMENT_OFFICER], departments=[a])
    attachment = store_attachment(SimpleUploadedFile("印证材料.pdf", PDF), a, department=a, user=officer_a)
    assert attachment.sha256 and attachment.file.path.startswith(str(attachment.file.storage.location))

    url = f"/attachments/{attachment.uuid}/"
    assert client.get(url).status_code == 302 or client.get(url).status_code == 403
    client.force_login(officer_b)
    assert client.get(url).status_code == 403
    client.force_login(officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """No model change without its migration, and no migration that freezes a machine's settings."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
