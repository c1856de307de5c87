"""Degrade, never drop: with Redis (cache and broker) down every page answers, and the work that waits is relayed
once Redis is back.

The outage is real: a private ``redis-server`` (never the machine's shared one) is the cache, the broker and
``REDIS_URL``, and is stopped while a complaint is filed, a lead transferred and a page published, then
started again. The relay runs as production runs it: the scheduler's sweeps are sent to the broker and what
they enqueue is consumed from Redis (in this thread, as a worker would, so the test's transaction sees it).
"""

import datetime
import uuid

import dramatiq
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from dramatiq.brokers.redis import RedisBroker
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from deploy.settings.base import redis_cache
from tests.conftest import create_department, create_user
from zhunru import roles
from zhunru.leads.models import CalendarRange, HolidayYear, Lead, Notification
from zhunru.models import PolicyPage
from zhunru.portal.models import Complaint
from zhunru.search.models import IndexTask
from zhunru.workers.tasks.deadlines import recompute_due_times, scan_lead_deadlines
from zhunru.workers.tasks.indexing import sweep_index_tasks
from zhunru.workers.tasks.notifications import sweep_notifications

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456!"


@pytest.fixture
def redis_for_everything(settings, private_redis):
    """Cache, broker and REDIS_URL on the private server; e-mails relayed through the broker (production's path)."""
    settings.REDIS_URL = private_redis.url
    settings.CACHES = {"default": redis_cache(private_redis.url, key_prefix=f"outage-{uuid.uuid4().hex}")}
    settings.ZHUNRU_LEADS_EMAIL_RELAY = "worker"
    settings.ZHUNRU_PORTAL = {"THROTTLE_NAMESPACE": uuid.uuid4().hex}
    configured = dramatiq.get_broker()
    broker = RedisBroker(url=private_redis.url, namespace=f"zhunru-outage-{uuid.uuid4().hex}")
    actors = list(configured.actors.values())
    for actor in actors:
        broker.declare_actor(actor)
        actor.broker = broker
    yield broker
    for actor in actors:
        actor.broker = configured
    broker.close()


def run_queued(broker: RedisBroker) -> list[str]:
    """Consume every message waiting in the broker's queues and run its actor here, until none is left."""
    ran = []
    while True:
        before = len(ran)
        for queue in [q for q in broker.queues if not q.endswith((".DQ", ".XQ"))]:
            consumer = broker.consume(queue, prefetch=1, timeout=50)
            try:
                for message in consumer:
                    if message is None:
                        break
                    broker.get_actor(message.actor_name)(*message.args, **message.kwargs)
                    consumer.ack(message)
                    ran.append(message.actor_name)
            finally:
                consumer.close()
        if len(ran) == before:
            return ran


def publish_form(page: PolicyPage) -> dict:
    return nested_form_data({
        "title": page.title + "（修订）", "slug": page.slug, "kind": page.kind, "issuer": page.issuer,
        "document_number": page.document_number, "issue_date": page.issue_date.isoformat() if page.issue_date else "",
        "department": page.department_id or "", "summary": page.summary, "body": rich_text(page.body),
        "comments": inline_formset([]), "action-publish": "1",
    })


def test_with_redis_down_every_page_answers_and_nothing_waiting_is_lost(
        client, demo, redis_for_everything, private_redis, caplog, django_capture_on_commit_callbacks):
    changjiang = demo["360202"]
    coordinator = create_user("outage-coord", groups=[roles.COORDINATOR], departments=[changjiang.lead_department])
    market = create_department(changjiang, "昌江区停机测试局")
    officer = create_user("outage-officer", groups=[roles.DEPARTMENT_OFFICER], departments=[market])
    create_user("outage-admin", superuser=True)
    lead = Lead.objects.create_lead(jurisdiction=changjiang, title="某镇招标文件设置本地企业限制",
                                    source=Lead.Source.COMPLAINT)
    page = PolicyPage.objects.live().first()
    assert client.get("/changjiang/").status_code == 200  # warms nothing that the outage could need

    # Given Redis stops
    private_redis.stop()
    csrf_client = type(client)(enforce_csrf_checks=True)

    # When citizens use the portal and the API
    answers = {
        "portal home": client.get("/changjiang/"),
        "portal search": client.get(reverse("zhunru_portal:search") + "?q=招标&j=360202"),
        "search API": client.get("/api/v1/search/", {"q": "招标"}),
        "complaint form": csrf_client.get(reverse("zhunru_portal:complaint", args=["360202"])),
    }
    with django_capture_on_commit_callbacks(execute=True):
        answers["complaint POST"] = csrf_client.post(reverse("zhunru_portal:complaint", args=["360202"]), {
            "csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value,
            "submission_token": str(uuid.uuid4()), "description": "某街道招标公告要求投标企业在本区注册分公司。",
            "organization": "停机期间被反映的街道办事处", "consent": "on",
        })
    answers["complaint receipt"] = csrf_client.get(answers["complaint POST"]["Location"])

    # and officials sign in (session and CSRF in the database and the cookie), transfer a lead, publish a page
    csrf_client.get(reverse("wagtailadmin_login"))
    answers["admin login"] = csrf_client.post(reverse("wagtailadmin_login"), {
        "csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value,
        "username": "outage-admin", "password": PASSWORD,
    })
    answers["admin home"] = csrf_client.get(reverse("wagtailadmin_home"))
    token = csrf_client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        answers["lead transfer"] = csrf_client.post(reverse("zhunru_lead_action", args=[lead.pk, "transfer"]),
                                                    {"csrfmiddlewaretoken": token, "department": market.pk})
    with django_capture_on_commit_callbacks(execute=True):
        answers["page publication"] = csrf_client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]),
                                                       {**publish_form(page), "csrfmiddlewaretoken": token})
    answers["readyz"] = client.get("/readyz")

    # Then every page answers below 500, and the outage is named, not hidden
    assert {name: r.status_code for name, r in answers.items() if r.status_code >= 400} == {}
    assert answers["complaint POST"].status_code == 302 and answers["admin login"].status_code == 302
    assert answers["lead transfer"].status_code == 302 and answers["page publication"].status_code == 302
    ready = answers["readyz"].json()
    assert ready["status"] == "degraded" and ready["degraded"] == ["redis"] and ready["failing"] == []
    assert "入队失败" in caplog.text

    # and everything is in the database, waiting: the complaint and its coordinators' notice, the transfer
    # and its officer's notice, the publication and its index task
    complaint = Complaint.objects.get(organization="停机期间被反映的街道办事处")
    lead.refresh_from_db()
    page.refresh_from_db()
    assert lead.state == Lead.State.TRANSFERRED and page.title.endswith("（修订）")
    notices = Notification.objects.filter(recipient__in=[coordinator, officer])
    assert set(notices.values_list("email_status", flat=True)) == {"pending"}
    assert notices.filter(recipient=coordinator, key=f"complaint:{complaint.pk}:filed").exists()
    assert notices.filter(recipient=officer, object_id=str(lead.pk)).exists()
    index_tasks = IndexTask.objects.pending().filter(object_pk=str(page.pk))
    assert index_tasks.exists() and mail.outbox == []

    # When Redis is back and the scheduler's sweeps run (twice: a repeated sweep must not send twice)
    private_redis.start()
    for _ in range(2):
        sweep_notifications.send()
        sweep_index_tasks.send()
        ran = run_queued(redis_for_everything)
        assert "sweep_notifications" in ran and "sweep_index_tasks" in ran

    # Then each e-mail went out once and the page is indexed
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{username}@example.invalid" for username in notices.values_list("recipient__username", flat=True))
    assert set(notices.values_list("email_status", flat=True)) == {"sent"}
    assert not IndexTask.objects.pending().filter(object_pk=str(page.pk)).exists()


def test_a_calendar_change_during_an_outage_is_saved_and_the_next_scan_recomputes(
        jurisdiction, caplog, django_capture_on_commit_callbacks):
    lead = Lead.objects.create_lead(jurisdiction=jurisdiction, title="跨年线索", source=Lead.Source.COMPLAINT,
                                    received_at=timezone.make_aware(datetime.datetime(2026, 12, 31, 10)))
    assert lead.current_stage().provisional  # 2027's holidays are not entered yet
    dead = RedisBroker(url="redis://127.0.0.1:1/0")  # nothing listens there
    live, recompute_due_times.broker = recompute_due_times.broker, dead
    try:
        with django_capture_on_commit_callbacks(execute=True):
            year = HolidayYear.objects.create(year=2027)
            CalendarRange.objects.create(holiday_year=year, name="元旦", start=datetime.date(2027, 1, 1),
                                         end=datetime.date(2027, 1, 3))
    finally:
        recompute_due_times.broker = live
        dead.close()
    assert "期限重算入队失败" in caplog.text
    assert lead.current_stage().provisional  # the message was lost, the calendar change was not

    scan_lead_deadlines()  # the periodic scan, once the broker is back

    stage = lead.current_stage()
    assert not stage.provisional and stage.due_date == datetime.date(2027, 1, 4)
