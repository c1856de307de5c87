"""Administrators see the notification e-mail outbox and can put failed e-mails back in it."""

import pytest

from zhunru.leads.models import Notification

pytestmark = pytest.mark.django_db


def test_outbox_shows_failures_and_requeues_them(client, make_user):
    admin, officer = make_user("root", superuser=True), make_user("officer")
    Notification.objects.create(recipient=officer, key="k1", subject="退信的提醒", body="x",
                                email_status=Notification.EmailStatus.FAILED, email_attempts=5,
                                email_error="SMTPRecipientsRefused: 550")
    client.force_login(officer)
    assert client.get("/admin/leads/notifications/outbox/").status_code in (302, 403)
    client.force_login(admin)
    html = client.get("/admin/leads/notifications/outbox/").content.decode()
    assert "退信的提醒" in html and "SMTPRecipientsRefused" in html
    assert client.post("/admin/leads/notifications/outbox/").status_code == 302
    note = Notification.objects.get()
    assert note.email_status == "pending" and note.email_attempts == 0
