"""The verifier checks both ends of the chain: the chain head at the end, the retention anchor at the start."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from zhunru.audit import verification
from zhunru.audit.models import AuditEvent, ChainAnchor, ChainHead
from zhunru.audit.recording import record
from zhunru.audit.sealing import seal_pending
from zhunru.audit.verification import verify_chain


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _raw_delete_through(sequence: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(AuditEvent)} WHERE sequence <= %s", [sequence])


@pytest.fixture
def chain(jurisdiction):
    events = [record(f"test.step{i}", obj=jurisdiction, note=f"第{i}步") for i in range(5)]
    seal_pending()
    return [AuditEvent.objects.get(pk=event.pk) for event in events]


def _forge_after(last: AuditEvent, **fields) -> AuditEvent:
    """An entry linked to ``last`` with a self-consistent hash, as someone with database access could write."""
    forged = AuditEvent(
        sequence=last.sequence + 1, timestamp=last.timestamp + timedelta(seconds=1), action="test.forged",
        object_repr="伪造", prev_hash=last.hash, format=1, **fields,  # format 1: the hash does not cover the id
    )
    forged.hash = forged.compute_hash()
    forged.save()
    return forged


@pytest.mark.django_db
def test_entry_appended_at_the_end_is_detected(chain):
    last = AuditEvent.objects.order_by("-sequence").first()
    forged = _forge_after(last)
    report = verify_chain()
    assert not report.ok and report.broken_sequence == forged.sequence
    assert "追加" in report.problem


@pytest.mark.django_db
def test_last_entry_replaced_or_head_forged_is_detected(chain):
    last = AuditEvent.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table(ChainHead)} SET last_hash = %s WHERE id = 1", ["f" * 64])
    report = verify_chain()
    assert not report.ok and report.broken_sequence == last.sequence
    assert "链头" in report.problem


@pytest.mark.django_db
def test_missing_head_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(ChainHead)}")
    report = verify_chain()
    assert not report.ok and "链头记录缺失" in report.problem


@pytest.mark.django_db
def test_entries_appended_by_others_during_verification_are_no_break(chain, jurisdiction, monkeypatch):
    real_extend = verification._Walk.extend
    appended = []

    def extend_then_someone_writes(self, batch_size):
        walked = real_extend(self, batch_size)
        if not appended:  # another request appends right after the first pass
            appended.append(record("test.concurrent", obj=jurisdiction))
            seal_pending()  # and the sealer chains it
        return walked

    monkeypatch.setattr(verification._Walk, "extend", extend_then_someone_writes)
    report = verify_chain()
    assert report.ok, report.describe()
    assert report.last_sequence == AuditEvent.objects.get(pk=appended[0].pk).sequence


@pytest.mark.django_db
def test_forged_anchor_hiding_deleted_entries_is_detected(chain):
    # Delete the oldest entries and write an anchor that makes the rest link up, as a pruning would.
    cut = chain[2]
    _raw_delete_through(cut.sequence)
    ChainAnchor.objects.create(pruned_through=cut.sequence, last_hash=cut.hash, pruned_at=timezone.now())
    report = verify_chain()
    assert not report.ok and report.broken_sequence == cut.sequence + 1
    assert "锚点" in report.problem and "audit.prune" in report.problem


@pytest.mark.django_db
def test_forged_anchor_after_a_real_pruning_is_detected(jurisdiction, monkeypatch):
    real_now = timezone.now
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", lambda: real_now() - timedelta(days=400))
    [record("test.old", obj=jurisdiction) for _ in range(2)]
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", real_now)
    recent = [record("test.recent", obj=jurisdiction) for _ in range(3)]
    call_command("prune_audit_log", days=365)
    recent = [AuditEvent.objects.get(pk=event.pk) for event in recent]
    prune = AuditEvent.objects.get(action="audit.prune")
    anchor = ChainAnchor.objects.get()
    assert prune.changes["pruned_through"] == anchor.pruned_through and prune.changes["last_hash"] == anchor.last_hash
    assert verify_chain().ok  # the real anchor is vouched for by its audit.prune entry

    # Then someone removes the entries up to the pruning's own record and anchors after them
    _raw_delete_through(recent[-1].sequence)
    ChainAnchor.objects.create(pruned_through=recent[-1].sequence, last_hash=recent[-1].hash, pruned_at=real_now())
    report = verify_chain()
    assert not report.ok and report.broken_sequence == recent[-1].sequence + 1
