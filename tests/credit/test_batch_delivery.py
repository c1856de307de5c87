"""Batch delivery over real HTTP to the simulator: one request and one commit per batch, each record marked on
its own, nothing lost or doubled when a batch is cut off, bounded requests in flight per platform."""

import pytest

from tests.credit.conftest import decision_fields, drain, make_uscc
from zhunru.audit.models import AuditEvent
from zhunru.credit import outbox
from zhunru.credit.delivery import deliver_batch, deliver_pending
from zhunru.credit.models import OutboundRecord
from zhunru.workers.clients import credit_platform
from zhunru.workers.clients.credit_platform import CreditPlatformUnavailable, for_platform


class _Subject:
    name = "景德镇市昌江区瓷都陶瓷文化有限公司"
    uscc = make_uscc("91360202MA35X1C0Q")


def _queue(platforms, n, *, code="jiangxi"):
    """``n`` open records for one platform (the business change's own path is tested in test_delivery)."""
    platform = next(p for p in platforms if p.code == code)
    payload = outbox.build_payload(**decision_fields(_Subject))
    rows = [OutboundRecord(platform=platform, kind="licensing", jurisdiction=platform.jurisdiction,
                           payload={**payload, "document_number": f"昌市监许〔2026〕{i}号"}) for i in range(n)]
    OutboundRecord.objects.bulk_create(rows)
    return list(OutboundRecord.objects.filter(platform=platform).order_by("pk"))


def _audited(action, rows):
    return AuditEvent.objects.filter(action=action, object_id__in=[str(r.pk) for r in rows]).count()


def test_a_batch_is_one_request_and_every_record_gets_its_own_ack(platforms, simulator):
    rows = _queue(platforms, 25)
    counts = deliver_batch([r.pk for r in rows])
    assert counts["delivered"] == 25
    assert simulator.state.batches == 1 and simulator.state.posts == 25
    received = simulator.received("jiangxi")
    for row in rows:
        row.refresh_from_db()
        assert row.status == "delivered" and row.attempts == 1
        assert row.ack_id == received[str(row.record_id)]["ack_id"]
        assert received[str(row.record_id)]["document"]["document_number"] == row.payload["document_number"]
    assert _audited("credit.outbound_delivered", rows) == 25


def test_rejected_records_are_marked_one_by_one(platforms, simulator):
    rows = _queue(platforms, 6)
    bad = rows[2]
    bad.payload["subject_name"] = ""
    bad.save()
    simulator.fail("400", count=1, reason="决定文书号格式不符合规范")  # taken by the first record of the batch
    counts = deliver_batch([r.pk for r in rows])
    assert (counts["delivered"], counts["rejected"]) == (4, 2)
    states = {r.pk: (r.status, r.rejection_reason) for r in OutboundRecord.objects.filter(pk__in=[x.pk for x in rows])}
    assert states[rows[0].pk] == ("rejected", "决定文书号格式不符合规范")
    assert states[bad.pk][0] == "rejected" and "subject_name" in states[bad.pk][1]
    assert [states[r.pk][0] for r in rows if r.pk not in (rows[0].pk, bad.pk)] == ["delivered"] * 4
    assert _audited("credit.outbound_rejected", rows) == 2
    assert set(simulator.received("jiangxi")) == {str(r.record_id) for r in rows} - {str(rows[0].record_id),
                                                                                     str(bad.record_id)}


def test_a_batch_cut_off_after_the_platform_took_it_is_resent_without_doubles(platforms, simulator):
    # Given a worker that sent the batch and died before its commit: the platform holds the records, the
    # outbox still says pending.
    rows = _queue(platforms, 10)
    first = for_platform(rows[0].platform).deliver_many([r.document() for r in rows])
    assert OutboundRecord.objects.filter(pk__in=[r.pk for r in rows], status="pending").count() == 10
    # When the batch is delivered again
    assert deliver_batch([r.pk for r in rows])["delivered"] == 10
    # Then every record is delivered once, with the ack the platform gave the first time
    assert len(simulator.received("jiangxi")) == 10
    acks = dict(OutboundRecord.objects.filter(pk__in=[r.pk for r in rows]).values_list("record_id", "ack_id"))
    assert {str(k): v for k, v in acks.items()} == {a["record_id"]: a["ack_id"] for a in first}
    events = AuditEvent.objects.filter(action="credit.outbound_delivered", object_id__in=[str(r.pk) for r in rows])
    assert all(e.changes["duplicate"] is True for e in events) and events.count() == 10
    # and a third run finds nothing open: no request, no event
    batches = simulator.state.batches
    assert not deliver_batch([r.pk for r in rows])
    assert simulator.state.batches == batches and events.count() == 10


def test_a_failed_batch_request_leaves_every_record_to_retry(platforms, simulator):
    rows = _queue(platforms, 5)
    simulator.fail("500", count=1)
    with pytest.raises(CreditPlatformUnavailable):
        deliver_batch([r.pk for r in rows])
    for row in OutboundRecord.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.status == "retrying" and row.attempts == 1 and row.next_attempt_at and "500" in row.last_error
    assert not simulator.received("jiangxi")
    assert deliver_batch([r.pk for r in rows])["delivered"] == 5
    assert OutboundRecord.objects.filter(pk__in=[r.pk for r in rows], status="delivered", attempts=2).count() == 5


def test_a_bad_signature_rejects_the_whole_batch_with_the_reason(platforms, simulator, settings):
    rows = _queue(platforms, 3)
    settings.ZHUNRU_CREDIT_KEYS = {"test": "wrong"}
    assert deliver_batch([r.pk for r in rows])["rejected"] == 3
    assert set(OutboundRecord.objects.filter(pk__in=[r.pk for r in rows]).values_list("rejection_reason", flat=True)) \
        == {"签名验证失败"}


@pytest.fixture
def no_batch_endpoint(simulator):
    simulator.state.batch_endpoint = False
    yield simulator
    credit_platform._no_batch.clear()  # the next test's simulator may get this one's port


def test_a_platform_without_a_batch_endpoint_gets_one_post_per_record(platforms, no_batch_endpoint):
    simulator = no_batch_endpoint
    rows = _queue(platforms, 4)
    simulator.fail("400", count=1, reason="内容字段不得为空")
    counts = deliver_batch([r.pk for r in rows])
    assert (counts["delivered"], counts["rejected"]) == (3, 1)
    assert simulator.state.batches == 0 and len(simulator.received("jiangxi")) == 3
    assert rows[0].platform.endpoint_url in credit_platform._no_batch
    # A 500 part-way: the record before it is delivered, the rest wait for the retry.
    more = _queue(platforms, 4, code="national")
    simulator.fail("duplicate_ack", count=1)
    simulator.fail("500", count=1)
    with pytest.raises(CreditPlatformUnavailable):
        deliver_batch([r.pk for r in more])
    assert [r.status for r in OutboundRecord.objects.filter(pk__in=[r.pk for r in more]).order_by("pk")] \
        == ["delivered"] + ["retrying"] * 3
    assert len(simulator.received("national")) == 1
    assert deliver_batch([r.pk for r in more])["delivered"] == 3


@pytest.mark.django_db(transaction=True)
def test_send_now_sends_one_message_per_batch_of_a_platform(platforms, simulator, settings, broker, worker):
    settings.ZHUNRU_CREDIT_BATCH_SIZE = 4
    rows = _queue(platforms, 10) + _queue(platforms, 3, code="national")
    assert outbox.send_now([r.pk for r in rows]) == 13
    drain(broker, worker)
    assert OutboundRecord.objects.filter(pk__in=[r.pk for r in rows], status="delivered").count() == 13
    assert simulator.state.batches == 3 + 1  # 4 + 4 + 2 records for one platform, 3 for the other


@pytest.mark.django_db(transaction=True)
def test_requests_in_flight_to_one_platform_are_bounded(platforms, simulator, settings):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("delivery threads on SQLite's shared in-memory test database hit table locks; CI runs PostgreSQL")
    settings.ZHUNRU_CREDIT_PLATFORM_CONCURRENCY = 2
    rows = _queue(platforms, 40)
    simulator.fail("slow", count=8, delay=0.2)
    counts = deliver_pending(rows[0].platform, batch_size=5, concurrency=8)
    assert counts["delivered"] == 40
    assert simulator.state.batches == 8 and simulator.state.max_in_flight == 2
    assert OutboundRecord.objects.filter(status="delivered").count() == 40
    assert AuditEvent.objects.filter(action="credit.outbound_delivered").count() == 40
