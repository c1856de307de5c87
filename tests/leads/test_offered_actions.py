"""Honest UI (issue 22, item 5): the timeline offers only the actions its reader may take now, and the model
refuses the same ones it does not offer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse


def offered(client, lead) -> set[str]:
    body = client.get(reverse("zhunru_lead_timeline", args=[lead.pk])).content.decode()
    return {a for a in lead.ACTION_STATES if reverse("zhunru_lead_action", args=[lead.pk, a]) in body}


def test_each_person_is_offered_only_their_steps(client, make_lead, depts, people):
    lead = make_lead()
    client.force_login(people["coordinator"])
    assert offered(client, lead) == {"transfer", "escalate", "urge"}
    lead.transfer(to=depts["market"], by=people["coordinator"])

    client.force_login(people["market"])
    assert offered(client, lead) == {"accept", "verify", "co_handler", "request_extension"}
    lead.request_extension(by=people["market"], days=2, reason="需调取档案")
    assert offered(client, lead) == {"accept", "verify", "co_handler"}  # one request at a time

    client.force_login(people["approver"])
    assert offered(client, lead) >= {"approve_extension", "reject_extension"}

    client.force_login(people["housing"])  # not (yet) handling this lead: it cannot even see it
    assert client.get(reverse("zhunru_lead_timeline", args=[lead.pk])).status_code == 404


def test_what_is_not_offered_is_refused(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    assert "accept" not in lead.allowed_actions(people["housing"])
    with pytest.raises(PermissionDenied):
        lead.accept(by=people["housing"])
    assert "urge" not in lead.allowed_actions(people["market"])
    with pytest.raises(PermissionDenied):
        lead.urge(by=people["market"])
