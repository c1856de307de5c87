"""Commitments: eligibility by credit class (the breach procedure is in test_procedure.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from zhunru.credit.models import CommitmentRule, CreditCommitment


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
