"""Delivery over real HTTP to the simulator: ack, idempotency, retries, rejections."""

import pytest
from django.db import transaction

from tests.credit.conftest import decision_fields, drain
from zhunru.credit import outbox
from zhunru.credit.delivery import deliver
from zhunru.credit.models import OutboundRecord
from zhunru.workers.clients.credit_platform import CreditPlatformUnavailable, for_platform


@pytest.fixture
def queued(platforms, make_subject, jurisdiction, django_capture_on_commit_callbacks):
    subject = make_subject()
    with django_capture_on_commit_callbacks(execute=False):
        rows = outbox.enqueue_decision("licensing", jurisdiction=jurisdiction, **decision_fields(subject))
    return rows


def test_a_decision_goes_to_the_national_and_the_provincial_platform(queued, simulator):
    assert {r.platform.code for r in queued} == {"national", "jiangxi"}
    for row in queued:
        assert deliver(row.pk) == "delivered"
        row.refresh_from_db()
        assert row.status == "delivered" and row.ack_id.startswith("ACK-")
        got = simulator.received(row.platform.code)[str(row.record_id)]
        assert got["ack_id"] == row.ack_id
        assert got["document"]["uscc"] == row.payload["uscc"]
        assert got["document"]["document_number"] == "昌市监许〔2026〕18号"


def test_redelivery_is_idempotent(queued, simulator):
    row = queued[0]
    client = for_platform(row.platform)
    first = client.deliver(row.document())
    second = client.deliver(row.document())
    assert second["ack_id"] == first["ack_id"] and second["duplicate"] is True
    assert len(simulator.received(row.platform.code)) == 1
    assert deliver(row.pk) == "delivered"
    row.refresh_from_db()
    assert row.ack_id == first["ack_id"]
    assert deliver(row.pk) == "skipped"  # delivered already: nothing sent


def test_bad_signature_is_refused(queued, simulator, settings):
    settings.ZHUNRU_CREDIT_KEYS = {"test": "wrong"}
    assert deliver(queued[0].pk) == "rejected"
    queued[0].refresh_from_db()
    assert "签名" in queued[0].rejection_reason


@pytest.mark.parametrize("mode", ["500", "timeout"])
def test_unavailable_marks_retrying_with_next_attempt(queued, simulator, mode):
    simulator.fail(mode, delay=1.5)
    row = queued[0]
    with pytest.raises(CreditPlatformUnavailable):
        deliver(row.pk)
    row.refresh_from_db()
    assert row.status == "retrying" and row.attempts == 1 and row.next_attempt_at is not None
    assert row.last_error
    assert deliver(row.pk) == "delivered"


def test_400_is_rejected_with_the_reason_and_resend_after_a_fix(queued, simulator, django_capture_on_commit_callbacks):
    simulator.fail("400", reason="决定文书号格式不符合规范")
    row = queued[0]
    assert deliver(row.pk) == "rejected"
    row.refresh_from_db()
    assert row.status == "rejected" and row.rejection_reason == "决定文书号格式不符合规范"
    assert deliver(row.pk) == "skipped"  # not retried
    row.payload["document_number"] = "昌市监许〔2026〕19号"
    row.save()
    with django_capture_on_commit_callbacks(execute=False):
        outbox.resend(row)
    row.refresh_from_db()
    assert row.status == "pending" and row.rejection_reason == ""
    assert deliver(row.pk) == "delivered"
    assert simulator.received(row.platform.code)[str(row.record_id)]["document"]["document_number"].endswith("19号")


def test_payload_is_validated_before_it_is_queued(platforms, make_subject, jurisdiction):
    from django.core.exceptions import ValidationError

    s = make_subject()
    with pytest.raises(ValidationError, match="双公示信息缺少必填项：行政处罚决定书文号。"):
        outbox.enqueue_decision("penalty", jurisdiction=jurisdiction,
                                **decision_fields(s, "penalty", document_number=""))
    with pytest.raises(ValidationError, match="校验位"):
        outbox.enqueue_decision("penalty", jurisdiction=jurisdiction,
                                **decision_fields(s, "penalty", uscc="91330100716105852E"))
    assert not OutboundRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_after_500_and_timeout_but_not_after_400(platforms, make_subject, jurisdiction,
                                                                     simulator, broker, worker):
    subject = make_subject()
    simulator.fail("500", count=2)
    simulator.fail("timeout", count=1, delay=1.5)
    with transaction.atomic():
        rows = outbox.enqueue_decision("licensing", jurisdiction=jurisdiction, **decision_fields(subject))
    drain(broker, worker)
    for row in rows:
        row.refresh_from_db()
        assert row.status == "delivered", (row.status, row.last_error)
    assert sum(r.attempts for r in rows) == 2 + 3  # three failures spread over the two records
    simulator.fail("400", count=1, reason="内容字段不得为空")
    with transaction.atomic():
        rows = outbox.enqueue_decision("penalty", jurisdiction=jurisdiction, **decision_fields(subject, "penalty"))
    drain(broker, worker)
    states = sorted((r.status, r.attempts) for r in OutboundRecord.objects.filter(kind="penalty"))
    assert states == [("delivered", 1), ("rejected", 1)]
