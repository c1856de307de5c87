import pytest

from zhunru.audit.models import AuditEvent
from zhunru.audit.recording import record
from zhunru.audit.sealing import seal_pending


@pytest.mark.django_db
def test_events_are_chained(jurisdiction):
    first = record("test.one", obj=jurisdiction, note="一")
    second = record("test.two", obj=jurisdiction, note="二")
    assert first.sequence is None and second.sequence is None  # written unsealed, no lock taken
    seal_pending()
    first, second = AuditEvent.objects.get(pk=first.pk), AuditEvent.objects.get(pk=second.pk)
    assert second.sequence == first.sequence + 1
    assert second.prev_hash == first.hash
    assert first.hash == first.compute_hash()
    assert list(AuditEvent.objects.for_object(jurisdiction).filter(action__startswith="test.")) == [first, second]


@pytest.mark.django_db
def test_domain_models_are_audit_logged(jurisdiction):
    from auditlog.models import LogEntry

    jurisdiction.higher_office = "新的上级机关"
    jurisdiction.save()
    assert LogEntry.objects.get_for_object(jurisdiction).filter(action=LogEntry.Action.UPDATE).exists()
