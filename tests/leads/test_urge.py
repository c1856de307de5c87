"""催办: a coordinator reminds the unit holding the lead; logged, notified once, nothing else changes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhunru.leads.models import LeadTransitionError, Notification


def test_urging_tells_the_unit_and_is_logged(client, make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    due = lead.current_stage().due_at
    client.force_login(people["coordinator"])
    response = client.post(reverse("zhunru_lead_action", args=[lead.pk, "urge"]), {"note": "请本周内报告"}, follow=True)
    assert f"线索 {lead.number} 已催办 测试区市场监督管理局" in response.content.decode()
    event = lead.events.get(action="urged")
    assert event.note == "请本周内报告" and event.actor == people["coordinator"]
    told = Notification.objects.filter(recipient=people["market"], subject__startswith="催办")
    assert told.count() == 1 and "请本周内报告" in told.get().body
    assert not Notification.objects.filter(recipient=people["housing"], subject__startswith="催办").exists()
    lead.refresh_from_db()
    assert lead.current_stage().due_at == due and lead.state == "transferred"


def test_only_a_coordinator_urges_an_open_lead(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        lead.urge(by=people["market"])
    lead.accept(by=people["market"])
    lead.verify(by=people["market"], findings="未发现问题。", needs_rectification=False)
    with pytest.raises(LeadTransitionError):
        lead.urge(by=people["coordinator"])
