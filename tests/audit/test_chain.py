import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest

from zhunru import roles
from zhunru.audit.models import AuditEvent, AuditLogImmutable
from zhunru.audit.recording import record
from zhunru.audit.sealing import seal_pending
from zhunru.audit.verification import verify_chain


def _table():
    return connection.ops.quote_name(AuditEvent._meta.db_table)


@pytest.fixture
def chain(jurisdiction):
    events = [record(f"test.step{i}", obj=jurisdiction, note=f"第{i}步") for i in range(5)]
    seal_pending()
    return [AuditEvent.objects.get(pk=event.pk) for event in events]


@pytest.mark.django_db
def test_intact_chain_verifies(chain):
    report = verify_chain()
    assert report.ok and report.checked >= 5
    call_command("verify_audit_chain")


@pytest.mark.django_db
def test_edited_entry_is_detected(chain):
    target = chain[2]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET note = %s WHERE id = %s", ["被篡改", target.pk])
    report = verify_chain()
    assert not report.ok and report.broken_sequence == target.sequence
    assert "修改" in report.problem
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_chain")
    assert exit_info.value.code == 1


@pytest.mark.django_db
def test_deleted_entry_is_detected(chain):
    target = chain[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE id = %s", [target.pk])
    report = verify_chain()
    assert not report.ok and report.broken_sequence == target.sequence
    assert "删除" in report.problem


@pytest.mark.django_db
def test_deleted_last_entry_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE id = %s", [chain[-1].pk])
    report = verify_chain()
    assert not report.ok and report.broken_sequence == chain[-1].sequence


@pytest.mark.django_db
def test_inserted_entry_is_detected(chain):
    # Shift later entries up by one and forge an entry in the gap, with a self-consistent hash.
    forged_seq = chain[3].sequence
    with connection.cursor() as cursor:
        for event in sorted(AuditEvent.objects.filter(sequence__gte=forged_seq), key=lambda e: -e.sequence):
            cursor.execute(f"UPDATE {_table()} SET sequence = sequence + 1 WHERE id = %s", [event.pk])
    forged = AuditEvent(
        sequence=forged_seq, timestamp=chain[2].timestamp, action="test.forged", prev_hash=chain[2].hash,
        object_repr="伪造", format=1,  # the first format's hash does not cover the id: self-consistent
    )
    forged.hash = forged.compute_hash()
    forged.save()
    report = verify_chain()
    assert not report.ok
    assert report.broken_sequence == forged_seq + 1


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_orm(chain):
    event = chain[0]
    event.note = "改"
    with pytest.raises(AuditLogImmutable):
        event.save()
    with pytest.raises(AuditLogImmutable):
        event.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(note="改")
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_pruning_keeps_the_rest_verifiable(jurisdiction, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from zhunru.audit.models import ChainAnchor

    real_now = timezone.now
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", lambda: real_now() - timedelta(days=400))
    old = [record("test.old", obj=jurisdiction) for _ in range(3)]
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", real_now)
    recent = [record("test.recent", obj=jurisdiction) for _ in range(2)]

    call_command("prune_audit_log", days=365)

    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(action="test.old").count() == 0
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    anchor = ChainAnchor.objects.get()
    assert anchor.pruned_through >= 3
    report = verify_chain(full=True)
    assert report.ok and report.first_sequence == anchor.pruned_through + 1


@pytest.mark.django_db
def test_logins_failures_and_permission_changes_are_chained(client, make_user):
    user = make_user("officer")
    client.post("/admin/login/", {"username": "officer", "password": "wrong"})
    assert AuditEvent.objects.filter(action="auth.login_failed", object_repr="officer").exists()
    assert not AuditEvent.objects.filter(changes__icontains="wrong").exists()
    assert client.login(request=HttpRequest(), username="officer", password="pw-123456!")  # axes needs a request
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()
    user.groups.add(Group.objects.get(name=roles.COORDINATOR))
    change = AuditEvent.objects.filter(action="auth.permission_change").last()
    assert change.changes["action"] == "add" and roles.COORDINATOR in change.changes["items"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_model_changes_reach_the_chain(jurisdiction):
    jurisdiction.higher_office = "某市发展和改革委员会"
    jurisdiction.save()
    event = AuditEvent.objects.filter(action="model.update", object_type="zhunru_cms.jurisdiction").last()
    assert event is not None and "higher_office" in event.changes


@pytest.mark.django_db
def test_timeline_is_read_only_and_export_is_audited(client, make_user, jurisdiction):
    record("test.visible", obj=jurisdiction)
    auditor = make_user("auditor", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department])
    officer = make_user("plain_officer", groups=[roles.DEPARTMENT_OFFICER])
    client.force_login(officer)
    assert client.get("/admin/audit_events/").status_code in (302, 403)
    client.force_login(auditor)
    assert client.get("/admin/audit_events/").status_code == 200
    response = client.get("/admin/audit_events/", {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "test.visible" in body.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="audit.export", actor=auditor).exists()
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/audit_events/edit/{event.pk}/").status_code in (302, 403, 404)
    assert client.get(f"/admin/audit_events/delete/{event.pk}/").status_code in (302, 403, 404)


@pytest.mark.django_db
def test_deleting_a_user_or_department_leaves_the_entries_that_name_them(client, make_user, make_department,
                                                                        jurisdiction):
    """Entries keep the ids they were recorded with; SET_NULL would rewrite them and break the chain."""
    leaver = make_user("leaver")
    dept = make_department("撤销的部门")
    event = record("test.named", actor=leaver, department=dept, note="记录时的操作人与部门")
    leaver.delete()
    dept.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is not None and event.department_id is not None
    assert event.actor_repr == "leaver" and event.department_name() == f"已删除的部门 #{event.department_id}"
    assert verify_chain().ok

    # The jurisdiction's auditor: the event keeps the jurisdiction of the department it was recorded with.
    client.force_login(make_user("auditor2", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department]))
    listing = client.get("/admin/audit_events/")
    assert listing.status_code == 200 and "已删除的部门" in listing.content.decode()
    assert client.get(f"/admin/audit_events/inspect/{event.pk}/").status_code == 200
