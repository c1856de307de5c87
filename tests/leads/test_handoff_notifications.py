"""Hand-offs reach people: one notification per recipient and occasion, e-mailed through the outbox relay."""

import smtplib

import dramatiq
import pytest
from django.core import mail
from django.core.mail.backends import locmem
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from zhunru import roles
from zhunru.leads import handoffs
from zhunru.leads.models import CoHandling, Lead, Notification
from zhunru.leads.notifications import notify, relay
from zhunru.workers.tasks.notifications import relay_notifications, sweep_notifications

pytestmark = pytest.mark.django_db


@pytest.fixture
def via_worker(settings):
    """E-mails go through the relay actor (production's path), not inline after commit."""
    settings.ZHUNRU_LEADS_EMAIL_RELAY = "worker"


def told(lead, action):
    """Usernames notified of ``lead``'s latest ``action``."""
    event = lead.events.filter(action=action).latest("pk")
    key = f"lead-escalation:{event.data['escalation']}" if action == "escalated" else f"lead:{lead.pk}:event:{event.pk}"
    return sorted(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))


def test_transfer_tells_each_receiving_officer_once_and_the_relay_mails_once(
        make_lead, depts, people, make_user, via_worker, broker, django_capture_on_commit_callbacks):
    second = make_user("market2", groups=[roles.DEPARTMENT_OFFICER], departments=[depts["market"]])
    lead = make_lead()
    with django_capture_on_commit_callbacks(execute=True):
        lead.transfer(to=depts["market"], by=people["coordinator"])
    assert told(lead, "transferred") == ["market", "market2"]
    notes = Notification.objects.filter(recipient__in=[people["market"], second])
    assert notes.count() == 2 and all(n.url == lead.admin_url for n in notes)
    assert mail.outbox == []  # written in the transfer's transaction; the e-mail waits for the relay
    # Enqueued after commit; no worker runs in this test, so the message waits in the broker.
    waiting = broker.queues["notify"].qsize() if isinstance(broker, StubBroker) else broker.do_qsize("notify")
    assert waiting == 1

    relay_notifications([n.pk for n in notes])  # what the worker runs
    relay_notifications([n.pk for n in notes])  # a redelivered message
    sweep_notifications()  # and the periodic sweep
    assert sorted(m.to[0] for m in mail.outbox) == ["market2@example.invalid", "market@example.invalid"]
    message = mail.outbox[0]
    assert message.subject.startswith("【准入】收到移交线索")
    assert "（北京时间）" in message.body
    assert f"http://127.0.0.1:8000/admin/leads/{lead.pk}/timeline/" in message.body
    assert all(n.email_status == "sent" and n.emailed_at and n.email_attempts == 1
               for n in Notification.objects.filter(pk__in=notes))


def test_broker_down_the_email_waits_for_the_sweep(make_lead, depts, people, via_worker, caplog,
                                                    django_capture_on_commit_callbacks):
    dead = RedisBroker(url="redis://127.0.0.1:1/0")  # nothing listens there
    live = relay_notifications.broker
    relay_notifications.broker = dead
    try:
        lead = make_lead()
        with django_capture_on_commit_callbacks(execute=True):
            lead.transfer(to=depts["market"], by=people["coordinator"])  # the transfer itself succeeds
    finally:
        relay_notifications.broker = live
        dead.close()
    assert "入队失败" in caplog.text
    note = Notification.objects.get(recipient=people["market"])
    assert lead.state == Lead.State.TRANSFERRED and note.email_status == "pending" and mail.outbox == []

    sweep_notifications()  # the broker is back; the scheduler's sweep reads the outbox
    sweep_notifications()
    assert [m.to for m in mail.outbox] == [["market@example.invalid"]]


@pytest.mark.django_db(transaction=True)
def test_a_worker_relays_after_commit(make_lead, depts, people, via_worker, broker, worker,
                                      django_capture_on_commit_callbacks):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])  # autocommit: on_commit runs at once
    broker.join("notify")
    worker.join()
    assert [m.to for m in mail.outbox] == [["market@example.invalid"]]
    assert Notification.objects.get(recipient=people["market"]).email_status == "sent"


def test_no_address_is_told_in_app_and_never_blocks(make_lead, depts, people, caplog,
                                                    django_capture_on_commit_callbacks):
    people["market"].email = ""
    people["market"].save()
    lead = make_lead()
    with django_capture_on_commit_callbacks(execute=True):
        lead.transfer(to=depts["market"], by=people["coordinator"])
    note = Notification.objects.get(recipient=people["market"])
    assert note.email_status == "no_address" and mail.outbox == []
    assert "没有邮箱地址" in caplog.text
    assert lead.state == Lead.State.TRANSFERRED


class RefusingBackend(locmem.EmailBackend):
    """The locmem backend, refusing mailboxes of refused.invalid as an SMTP server refuses a recipient."""

    def send_messages(self, messages):
        for message in messages:
            refused = {a: (550, b"mailbox unavailable") for a in message.to if a.endswith("@refused.invalid")}
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)


def test_a_bouncing_address_is_recorded_and_retried_a_bounded_number_of_times(
        make_user, settings, via_worker, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    settings.EMAIL_BACKEND = "tests.leads.test_handoff_notifications.RefusingBackend"
    settings.ZHUNRU_LEADS_EMAIL_MAX_ATTEMPTS = 3
    user = make_user("bounce")
    user.email = "nobody@refused.invalid"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([user], "测试", "退信测试", key="t:bounce") == 1
    note = Notification.objects.get()
    now = timezone.now()
    for step in range(5):  # the sweep runs long after each back-off
        relay(now=now + datetime.timedelta(days=step))
    note.refresh_from_db()
    assert note.email_status == "failed" and note.email_attempts == 3
    assert "SMTPRecipientsRefused" in note.email_error
    assert note.read_at is None and Notification.objects.for_user(user).count() == 1  # still told in-app


def test_complainant_addresses_are_mailed_once_without_an_account(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([], "您反映的问题已受理", "回执码 X", key="c:1", addresses=["a@example.invalid"]) == 1
        assert notify([], "您反映的问题已受理", "回执码 X", key="c:1", addresses=["a@example.invalid"]) == 0
    assert [m.to for m in mail.outbox] == [["a@example.invalid"]]
    assert mail.outbox[0].body.startswith("您好：")


# --- one test per hand-off: who is told -------------------------------------------------------------

def test_acceptance_tells_the_coordinators(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.accept(by=people["market"])
    assert told(lead, "accepted") == ["coord"]


def test_verification_tells_coordinators_and_the_responsible_unit(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.accept(by=people["market"])
    lead.verify(by=people["market"], findings="要求本地注册", responsible_unit=depts["housing"], opinion="删除该要求")
    assert told(lead, "verified") == ["coord", "housing"]


def test_rectification_report_tells_the_coordinators_and_rework_the_unit(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.verify(by=people["market"], findings="要求本地注册", responsible_unit=depts["housing"], opinion="删除该要求")
    lead.report(by=people["housing"], summary="已修改")
    assert told(lead, "reported") == ["coord"]
    lead.return_for_rework(by=people["coordinator"], note="未附文件")
    assert told(lead, "returned") == ["housing"]


def test_extension_request_tells_the_approvers_and_the_decision_the_department(make_lead, depts, people, make_user):
    make_user("other-approver", groups=[roles.EXTENSION_APPROVER])  # no department here: another jurisdiction
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.request_extension(by=people["market"], days=3, reason="需要调取档案")
    assert told(lead, "extension_requested") == ["approver"]
    lead.approve_extension(by=people["approver"], note="同意")
    assert told(lead, "extension_approved") == ["coord", "market"]
    lead.request_extension(by=people["market"], days=3, reason="仍需时间")
    lead.reject_extension(by=people["approver"], note="理由不充分")
    assert told(lead, "extension_rejected") == ["coord", "market"]
    assert "理由不充分" in Notification.objects.filter(recipient=people["market"]).latest("pk").body


def test_co_handling_request_tells_its_officers_and_the_answer_the_competent_unit(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    co = CoHandling.set_up(lead, department=depts["justice"], task="审查文件合法性", method="joint_investigation",
                           form="letter", limit_amount=5, by=people["market"])
    assert told(lead, "co_handler_added") == ["justice"]
    co.respond(answer="文件第三条违法", by=people["justice"])
    assert told(lead, "co_handler_answered") == ["coord", "market"]


def test_escalation_tells_the_department_the_coordinators_and_the_government(make_lead, depts, people):
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.escalate(by=people["coordinator"], reason="逾期未核查")
    assert told(lead, "escalated") == ["gov", "market"]  # the coordinator acted: not told of it
    body = Notification.objects.filter(recipient=people["market"]).latest("pk").body
    assert handoffs.escalation_target(lead.jurisdiction) in body


def test_the_actor_is_registered_and_swept_periodically():
    from zhunru.workers.scheduler import JOBS

    assert "sweep_notifications" in JOBS
    assert relay_notifications.queue_name == "notify"
    assert dramatiq.get_broker().get_actor("relay_notifications") is relay_notifications


def test_escalation_names_the_jurisdictions_government_from_its_settings(make_lead, depts, people, jurisdiction):
    jurisdiction.escalates_to = "测试区人民政府"
    jurisdiction.save()
    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    esc = lead.escalate(by=people["coordinator"], reason="逾期未核查")
    assert "抄报：测试区人民政府" in esc.circulation_draft
    assert "报请测试区人民政府关注" in Notification.objects.filter(recipient=people["market"]).latest("pk").body


def test_the_demo_jurisdictions_escalate_to_their_own_government(demo):
    assert {j.division_code: j.escalates_to for j in demo.values()} == {
        "360202": "昌江区人民政府", "141081": "侯马市人民政府"}
