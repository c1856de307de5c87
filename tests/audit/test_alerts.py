"""The hourly chain check tells coordinators, auditors and superusers about a break, once per break."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.recording import record
from zhunru.leads.models import Notification
from zhunru.models import Department, Jurisdiction
from zhunru.workers.scheduler import JOBS
from zhunru.workers.tasks.audit import verify_audit_chain, verify_audit_chain_full


def _set_note(event, note: str) -> None:
    table = connection.ops.quote_name(event._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET note = %s WHERE id = %s", [note, event.pk])


def _run_job(capture) -> None:
    with capture(execute=True):  # notification emails leave after commit
        verify_audit_chain()  # the actor as a plain function
        # The hourly run is incremental (from the last signed checkpoint); the daily one walks everything and
        # finds edits behind the checkpoint.
        verify_audit_chain_full()


@pytest.mark.django_db
def test_hourly_check_alerts_once_per_break(jurisdiction, make_user, django_capture_on_commit_callbacks):
    assert JOBS["verify_audit_chain"].every == timedelta(hours=1)
    assert JOBS["verify_audit_chain_full"].every == timedelta(days=1)
    # The jurisdiction's coordinator and auditor: the broken events are the jurisdiction's.
    coordinator = make_user("xietiao", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    auditor = make_user("shenji", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department])
    boss = make_user("boss", superuser=True)
    officer = make_user("jingban", groups=[roles.DEPARTMENT_OFFICER])
    # Another jurisdiction's coordinator: the broken events are not theirs to see, nor the alert.
    other = Jurisdiction.objects.create(name="别的区", short_name="别", level=Jurisdiction.Level.DISTRICT,
                                        division_code="360298", higher_office="别的市发展和改革委员会")
    outsider = make_user("waidi", groups=[roles.COORDINATOR], departments=[
        Department.objects.create(jurisdiction=other, name="别的区发展和改革委员会", is_lead=True)])
    chain = [record("test.step", obj=jurisdiction, note=f"第{i}步") for i in range(4)]

    _run_job(django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()  # an intact chain alerts nobody
    chain = [AuditEvent.objects.get(pk=event.pk) for event in chain]  # sealed by the run

    # Given an edited entry, the next runs alert each recipient once, naming the entry
    _set_note(chain[1], "被篡改")
    _run_job(django_capture_on_commit_callbacks)
    _run_job(django_capture_on_commit_callbacks)
    alerts = Notification.objects.filter(key=f"audit-chain-broken:{chain[1].sequence}")
    assert sorted(alerts.values_list("recipient__username", flat=True)) == sorted(
        [coordinator.username, auditor.username, boss.username]
    )
    assert not Notification.objects.filter(recipient__in=[officer, outsider]).exists()
    assert f"#{chain[1].sequence}" in alerts.first().body
    assert len(mail.outbox) == 3 and all("审计告警" in m.subject for m in mail.outbox)

    # A different break is a new alert
    _set_note(chain[1], "第1步")
    _set_note(chain[3], "也被篡改")
    _run_job(django_capture_on_commit_callbacks)
    assert Notification.objects.filter(key=f"audit-chain-broken:{chain[3].sequence}").count() == 3
    assert Notification.objects.count() == 6 and len(mail.outbox) == 6
