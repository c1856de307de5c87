"""A bulletin sent for legal review tells the legal reviewers of its own jurisdiction, once."""

import pytest
from django.core import mail

from zhunru import roles
from zhunru.leads.models import Notification

pytestmark = pytest.mark.django_db


def test_submission_tells_this_jurisdictions_legal_reviewers(make_bulletin, editor, make_user, lead_department,
                                                             django_capture_on_commit_callbacks):
    here = make_user("legal-here", groups=[roles.LEGAL_REVIEWER], departments=[lead_department])
    elsewhere = make_user("legal-elsewhere", groups=[roles.LEGAL_REVIEWER])  # no department of this jurisdiction
    page = make_bulletin(user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        page.get_workflow().start(page, editor)
    notes = Notification.objects.filter(key__startswith=f"bulletin:{page.pk}:legal-review:")
    assert [n.recipient for n in notes] == [here]
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    assert page.title in notes[0].body and notes[0].url == f"/admin/pages/{page.pk}/edit/"
    assert any(m.to == [here.email] and "待司法审核" in m.subject for m in mail.outbox)
