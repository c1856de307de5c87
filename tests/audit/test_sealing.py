"""Writers insert unsealed events without a lock; one sealer chains them; verification is incremental from a
signed checkpoint and covers django-auditlog's LogEntry rows."""

import threading

import pytest
from django.db import connection, connections, transaction

from zhunru.audit import sealing
from zhunru.audit.models import AuditEvent, ChainCheckpoint, ChainHead
from zhunru.audit.recording import record
from zhunru.audit.sealing import seal_batch, seal_pending
from zhunru.audit.verification import verify_chain

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent transactions need PostgreSQL"
)


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def chain(jurisdiction):
    events = [record(f"test.step{i}", obj=jurisdiction, note=f"第{i}步") for i in range(5)]
    seal_pending()
    return [AuditEvent.objects.get(pk=event.pk) for event in events]


@pytest.mark.django_db
def test_sealing_is_contiguous_and_idempotent(jurisdiction):
    seal_pending()
    head = ChainHead.objects.get(pk=1).last_sequence
    events = [record("test.step", obj=jurisdiction) for _ in range(5)]
    assert all(e.sequence is None and e.hash == "" for e in events)
    assert seal_batch(limit=2) == 2
    assert seal_pending() == 3
    assert seal_pending() == 0  # nothing sealed twice
    sealed = list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("id"))
    assert [e.sequence for e in sealed] == list(range(head + 1, head + 6))
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_crashing_sealer_loses_nothing(jurisdiction, monkeypatch):
    seal_pending()
    events = [record("test.step", obj=jurisdiction) for _ in range(4)]
    head_before = ChainHead.objects.get(pk=1).last_sequence
    real = sealing.event_hash
    calls = []

    def crash_on_third(values):
        calls.append(values["id"])
        if len(calls) == 3:
            raise RuntimeError("sealer killed")
        return real(values)

    monkeypatch.setattr(sealing, "event_hash", crash_on_third)
    with pytest.raises(RuntimeError):
        seal_pending()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in events], sequence__isnull=True).count() == 4
    assert ChainHead.objects.get(pk=1).last_sequence == head_before
    monkeypatch.setattr(sealing, "event_hash", real)
    assert seal_pending() == 4 and verify_chain().ok


@pytest.mark.django_db
def test_sealed_hashes_are_the_models_hashes(make_department, make_user):
    """The sealer and verification hash rows, not models: the same content and hash as the model's, for an
    event with every kind of field (actor, IP, department, jurisdiction, changes, a LogEntry)."""
    from auditlog.models import LogEntry

    department = make_department("甲局")
    user = make_user("hash-check")
    record("test.full", obj=department, actor=user, department=department, ip="10.1.2.3",
           changes={"到期": ["2026-12-01T08:00:00+08:00", None], "数量": [1, 2.5]}, note="核对")
    seal_pending()
    for event in AuditEvent.objects.filter(sequence__isnull=False):
        assert event.compute_hash() == event.hash
    entry = LogEntry.objects.get_for_object(department).get(action=LogEntry.Action.CREATE)
    assert sealing.logentry_hashes([entry.pk]) == {entry.pk: sealing.logentry_hash(entry)}
    assert AuditEvent.objects.get(logentry_id=entry.pk).logentry_hash == sealing.logentry_hash(entry)


@pytest.mark.django_db
def test_reordered_pair_is_detected(chain):
    a, b = chain[1], chain[2]
    _sql(f"UPDATE {_table(AuditEvent)} SET sequence = 0 WHERE id = %s", [a.pk])
    _sql(f"UPDATE {_table(AuditEvent)} SET sequence = %s WHERE id = %s", [a.sequence, b.pk])
    _sql(f"UPDATE {_table(AuditEvent)} SET sequence = %s WHERE id = %s", [b.sequence, a.pk])
    report = verify_chain()
    assert not report.ok and report.broken_sequence == a.sequence


@pytest.mark.django_db
def test_edited_or_deleted_auditlog_entry_is_detected(make_department):
    from auditlog.models import LogEntry

    department = make_department("甲局")
    assert verify_chain().ok
    entry = LogEntry.objects.get_for_object(department).get(action=LogEntry.Action.CREATE)
    event = AuditEvent.objects.get(logentry_id=entry.pk)
    assert event.logentry_hash and event.sequence

    _sql(f"UPDATE {_table(LogEntry)} SET object_repr = %s WHERE id = %s", ["别的部门", entry.pk])
    report = verify_chain(full=True)
    assert not report.ok and report.broken_sequence == event.sequence and "被修改" in report.problem

    _sql(f"DELETE FROM {_table(LogEntry)} WHERE id = %s", [entry.pk])
    report = verify_chain(full=True)
    assert not report.ok and report.broken_sequence == event.sequence and "被删除" in report.problem


@pytest.mark.django_db
def test_incremental_verification_starts_at_the_signed_checkpoint(chain, jurisdiction):
    first = verify_chain()
    assert first.ok
    checkpoint = ChainCheckpoint.objects.order_by("-sequence").first()
    assert checkpoint.sequence == first.last_sequence
    [record("test.more", obj=jurisdiction) for _ in range(3)]
    second = verify_chain()
    assert second.ok and second.checked == 3 and second.first_sequence == checkpoint.sequence + 1


@pytest.mark.django_db
def test_forged_checkpoint_is_detected(chain):
    assert verify_chain().ok
    checkpoint = ChainCheckpoint.objects.order_by("-sequence").first()
    _sql(f"UPDATE {_table(ChainCheckpoint)} SET hash = %s WHERE id = %s", ["e" * 64, checkpoint.pk])
    report = verify_chain()
    assert not report.ok and "签名无效" in report.problem


@pytest.mark.django_db
def test_whole_chain_rewritten_is_detected_by_the_checkpoint(chain):
    assert verify_chain().ok
    # Someone with database access edits an entry and recomputes every hash after it, and the head.
    _sql(f"UPDATE {_table(AuditEvent)} SET note = %s WHERE id = %s", ["被篡改", chain[1].pk])
    previous = None
    for event in AuditEvent.objects.filter(sequence__isnull=False).order_by("sequence"):
        if previous is not None:
            event.prev_hash = previous
        event.hash = event.compute_hash()
        _sql(f"UPDATE {_table(AuditEvent)} SET prev_hash = %s, hash = %s WHERE id = %s",
             [event.prev_hash, event.hash, event.pk])
        previous = event.hash
    _sql(f"UPDATE {_table(ChainHead)} SET last_hash = %s WHERE id = 1", [previous])
    assert verify_chain(checkpoint=False, full=False).ok is False
    report = verify_chain(full=True)
    assert not report.ok and "检查点" in report.problem


def _in_thread(target, *args):
    """Run ``target`` on its own database connection in a thread; re-raise its exception in the caller."""
    errors = []

    def run():
        try:
            target(*args)
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_audited_write_does_not_wait_for_an_open_audited_transaction():
    seal_pending()
    written, release, state = threading.Event(), threading.Event(), {}

    def slow_import():
        with transaction.atomic():
            state["a"] = record("test.slow_import").pk
            written.set()
            release.wait(timeout=30)
            state["a_committed_after_release"] = release.is_set()

    thread, errors = _in_thread(slow_import)
    assert written.wait(timeout=30)
    with transaction.atomic():  # would block here on the chain head's row lock with the old recording
        b = record("test.complaint").pk
    assert not release.is_set()  # b committed while a's transaction is still open
    assert seal_pending() == 1  # a is not committed yet: only b is sealed
    release.set()
    thread.join(timeout=30)
    assert not errors and state["a_committed_after_release"]

    # a has the lower id and committed late: it is sealed at the next run, after b, leaving no gap.
    assert state["a"] < b
    assert seal_pending() == 1
    a_event, b_event = AuditEvent.objects.get(pk=state["a"]), AuditEvent.objects.get(pk=b)
    assert a_event.sequence == b_event.sequence + 1 and a_event.prev_hash == b_event.hash
    assert verify_chain(full=True).ok


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_seal_each_event_once():
    seal_pending()
    head = ChainHead.objects.get(pk=1).last_sequence
    with transaction.atomic():
        ids = [record("test.burst", note=str(i)).pk for i in range(300)]
    barrier, counts = threading.Barrier(2), []

    def sealer():
        barrier.wait(timeout=30)
        counts.append(seal_pending(limit=25))

    threads = [_in_thread(sealer) for _ in range(2)]
    for thread, errors in threads:
        thread.join(timeout=60)
        assert not errors
    assert sum(counts) == 300
    sequences = sorted(AuditEvent.objects.filter(pk__in=ids).values_list("sequence", flat=True))
    assert sequences == list(range(head + 1, head + 301))
    assert verify_chain(full=True).ok
