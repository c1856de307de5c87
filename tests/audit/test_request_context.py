"""Entries recorded during a request carry its user and client address, whoever records them."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.verification import verify_chain

ADMIN_IP = "203.0.113.7"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _since(last_id: int):
    return AuditEvent.objects.filter(id__gt=last_id)


def _head() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
def test_permission_change_through_the_admin_records_actor_ip_and_field_diff(client, make_user):
    boss = make_user("boss", superuser=True)
    officer = make_user("officer", groups=[roles.DEPARTMENT_OFFICER])
    coordinators = Group.objects.get(name=roles.COORDINATOR)
    client.force_login(boss)
    start = _head()

    # When a superuser makes the officer a coordinator and a superuser in the admin
    response = client.post(
        reverse("wagtailusers_users:edit", args=[officer.pk]),
        {
            "username": "officer", "email": "officer@example.invalid", "first_name": "经办", "last_name": "王",
            "is_active": "on", "is_superuser": "on", "groups": [coordinators.pk],
        },
        REMOTE_ADDR=ADMIN_IP,
    )
    assert response.status_code == 302

    # Then the group changes name who did it and from where
    changes = _since(start).filter(action="auth.permission_change", object_id=str(officer.pk))
    assert {e.changes["action"] for e in changes} == {"add", "remove"}
    for event in changes:
        assert (event.actor_id, event.ip) == (boss.pk, ADMIN_IP)
    added = changes.get(changes__action="add")
    assert added.changes["items"] == [roles.COORDINATOR]
    # and the user's own fields have a diff (django-auditlog), without the password hash
    update = _since(start).get(action="model.update", object_type="auth.user", object_id=str(officer.pk))
    assert update.changes["is_superuser"] == ["False", "True"]
    assert (update.actor_id, update.ip) == (boss.pk, ADMIN_IP)
    assert "password" not in update.changes and "last_login" not in update.changes
    # and Wagtail's own log entry of the edit carries the address too
    wagtail = _since(start).filter(action__startswith="wagtail.", object_type="auth.user").get()
    assert (wagtail.actor_id, wagtail.ip) == (boss.pk, ADMIN_IP)

    # After the request, a change from a shell or a command is nobody's: the request's user does not linger
    after = _head()
    officer.groups.clear()
    cleared = _since(after).get(action="auth.permission_change")
    assert cleared.actor_id is None and cleared.ip is None
    assert verify_chain().ok


@pytest.mark.django_db
def test_group_rename_and_staff_flag_have_a_field_diff(make_user):
    officer = make_user("staffer")
    officer.is_staff = True
    officer.set_password("another-pw-123456!")
    officer.save()
    event = AuditEvent.objects.filter(action="model.update", object_type="auth.user", object_id=str(officer.pk)).get()
    assert event.changes == {"is_staff": ["False", "True"]}  # the new password hash is not recorded

    group = Group.objects.create(name="临时组")
    group.name = "临时专班"
    group.save()
    renamed = AuditEvent.objects.get(action="model.update", object_type="auth.group", object_id=str(group.pk))
    assert renamed.changes["name"] == ["临时组", "临时专班"]


@pytest.mark.django_db
def test_login_and_failed_login_carry_the_address(client, make_user):
    user = make_user("officer")
    client.post("/admin/login/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR="198.51.100.4")
    failed = AuditEvent.objects.get(action="auth.login_failed", object_repr="officer")
    assert failed.ip == "198.51.100.4" and failed.actor_id is None

    response = client.post("/admin/login/", {"username": "officer", "password": "pw-123456!"},
                           REMOTE_ADDR="198.51.100.5")
    assert response.status_code == 302
    login = AuditEvent.objects.get(action="auth.login", actor=user)
    assert login.ip == "198.51.100.5"


@pytest.mark.django_db
def test_attachment_download_is_recorded_with_actor_and_address(client, make_department, make_user):
    from zhunru.uploads import store_attachment

    dept = make_department("甲局")
    officer = make_user("officer_a", groups=[roles.DEPARTMENT_OFFICER], departments=[dept])
    outsider = make_user("officer_b", groups=[roles.DEPARTMENT_OFFICER], departments=[make_department("乙局")])
    attachment = store_attachment(SimpleUploadedFile("印证材料.pdf", PDF), dept, department=dept, user=officer)
    url = f"/attachments/{attachment.uuid}/"

    client.force_login(outsider)
    assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 403
    assert not AuditEvent.objects.filter(action="attachment.download").exists()  # a refusal is no download

    client.force_login(officer)
    response = client.get(url, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action="attachment.download")
    assert (event.actor_id, event.ip, event.department_id) == (officer.pk, "192.0.2.10", dept.pk)
    assert (event.object_type, event.object_id) == ("zhunru_cms.attachment", str(attachment.pk))
