"""Commitments: eligibility by credit class, and a breach end to end to the platforms."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from zhunru.audit.models import AuditEvent
from zhunru.credit.delivery import check_due_commitments, deliver
from zhunru.credit.models import CommitmentRule, CreditCommitment, DishonestyRecord, OutboundRecord


def grant(subject, jurisdiction, due=date(2026, 11, 30)):
    return CreditCommitment.grant(subject=subject, jurisdiction=jurisdiction, permit_name="食品经营许可",
                                  promise="三十日内补交营业场所产权证明", due_date=due)


def test_dishonest_subjects_may_not_be_granted_one(jurisdiction, make_subject):
    with pytest.raises(ValidationError, match="信用等级为“失信”"):
        grant(make_subject(credit_class="dishonest"), jurisdiction)
    assert grant(make_subject(credit_class="trustworthy"), jurisdiction).status == "active"
    assert grant(make_subject(credit_class="general"), jurisdiction).status == "active"


def test_the_rule_is_configurable_per_jurisdiction(jurisdiction, make_subject, settings):
    CommitmentRule.objects.create(jurisdiction=jurisdiction, credit_class="general", allowed=False)
    with pytest.raises(ValidationError, match="不得适用"):
        grant(make_subject(credit_class="general"), jurisdiction)
    settings.ZHUNRU_CREDIT_COMMITMENT_ALLOWED_CLASSES = ["trustworthy", "general", "dishonest"]
    assert grant(make_subject(credit_class="dishonest"), jurisdiction)


def test_serious_list_refuses(jurisdiction, make_subject):
    from zhunru.credit.models import ListMembership

    s = make_subject(credit_class="general")
    ListMembership.objects.create(subject=s, list_kind="serious", added_on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="严重违法失信名单"):
        grant(s, jurisdiction)


def test_breach_end_to_end(platforms, jurisdiction, make_subject, simulator, django_capture_on_commit_callbacks):
    s = make_subject(credit_class="general")
    kept = grant(s, jurisdiction, due=date(2026, 11, 30))
    late = grant(s, jurisdiction, due=date(2026, 11, 10))
    done = grant(s, jurisdiction, due=date(2026, 11, 10))
    done.fulfil()
    with django_capture_on_commit_callbacks(execute=False):
        assert check_due_commitments(today=date(2026, 11, 23)) == 1
        assert check_due_commitments(today=date(2026, 11, 23)) == 0  # idempotent
    late.refresh_from_db()
    assert late.status == "breached" and late.permit_status == "revoked" and "未在承诺期限" in late.revoke_reason
    kept.refresh_from_db()
    done.refresh_from_db()
    assert kept.status == "active" and done.status == "fulfilled"
    rec = DishonestyRecord.objects.get(commitment=late)
    rows = OutboundRecord.objects.filter(kind="dishonesty")
    assert {r.platform.code for r in rows} == {"national", "jiangxi"}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"credit.commitment_breached", "credit.permit_revoked", "credit.dishonesty_recorded",
            "credit.outbound_queued"} <= actions
    for row in rows:
        assert deliver(row.pk) == "delivered"
        doc = simulator.received(row.platform.code)[str(row.record_id)]["document"]
        assert doc["kind"] == "dishonesty" and doc["document_number"] == rec.document_number
        assert doc["uscc"] == s.uscc
