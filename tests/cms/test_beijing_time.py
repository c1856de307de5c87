"""One clock: what a person reads is Beijing time written 2026年12月4日 14:05, never the stored UTC.

The times chosen fall on different days in UTC and in Beijing, so a UTC value cannot pass for a local one.
"""

import datetime

import pytest
from django.urls import reverse

from zhunru import clock, roles

UTC = datetime.UTC
# 2026-09-24 16:30 UTC is 2026-09-25 00:30 in Beijing.
RECEIVED = datetime.datetime(2026, 9, 24, 16, 30, tzinfo=UTC)
RECEIVED_LOCAL = "2026年9月25日 00:30"
RECEIVED_UTC_TEXTS = ("2026-09-24 16:30", "2026-09-24T16:30", "2026年9月24日 16:30")


def test_formatter():
    assert clock.format_datetime(datetime.datetime(2026, 12, 4, 6, 5, tzinfo=UTC)) == "2026年12月4日 14:05"
    assert clock.format_datetime(datetime.datetime(2026, 12, 4, 6, 5)) == "2026年12月4日 14:05"  # naive = UTC
    assert clock.format_datetime("2026-12-04T06:05:00.123Z") == "2026年12月4日 14:05"
    assert clock.format_datetime(datetime.date(2026, 1, 2)) == "2026年1月2日"
    assert clock.format_date(RECEIVED) == "2026年9月25日"
    assert clock.format_datetime(None) == clock.format_date("") == ""
    assert clock.localize_text('{"at": "2026-09-24T16:30:00Z", "day": "2026-09-24"}') == (
        '{"at": "2026年9月25日 00:30", "day": "2026-09-24"}')


def test_template_filters():
    from django.template import engines

    template = engines["django"].from_string(
        "{% load zhunru_time %}{{ t|beijing }}|{{ t|beijing_date }}|{{ none|beijing|default:'办理中' }}")
    assert template.render({"t": RECEIVED, "none": None}) == f"{RECEIVED_LOCAL}|2026年9月25日|办理中"


@pytest.fixture
def coordinator(make_user, jurisdiction):
    return make_user("clock-coordinator", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])


@pytest.fixture
def lead(jurisdiction, coordinator):
    from zhunru.leads.models import Lead

    return Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.MUNICIPAL, received_at=RECEIVED,
                                    title="某镇要求外地企业设立分支机构方可经营", by=coordinator)


@pytest.mark.django_db
def test_lead_timeline_explains_the_deadline_in_beijing_time(client, coordinator, lead):
    client.force_login(coordinator)
    html = client.get(reverse("zhunru_lead_timeline", args=[lead.pk])).content.decode()
    explanation = html[html.index("期限如何计算"):]
    assert f"自 {RECEIVED_LOCAL} 起算" in explanation
    assert "接收于 " + RECEIVED_LOCAL in html
    for utc in RECEIVED_UTC_TEXTS:
        assert utc not in html


@pytest.fixture
def stamped_event(coordinator, lead):
    """An audit entry whose time and recorded change both fall at RECEIVED."""
    from zhunru.audit.models import AuditEvent
    from zhunru.audit.recording import record

    record("clock.test", obj=lead, actor=coordinator, changes={"received_at": RECEIVED.isoformat()}, note="时间测试")
    event = AuditEvent.objects.get(action="clock.test")
    # Entries are immutable through the ORM; move this one's time with SQL, as a test may.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET timestamp = %s WHERE id = %s", [RECEIVED, event.pk])
    event.refresh_from_db()
    assert event.timestamp == RECEIVED
    return event


@pytest.mark.django_db
def test_audit_detail_shows_beijing_time(client, coordinator, stamped_event):
    client.force_login(coordinator)
    html = client.get(reverse("audit_events:inspect", args=[stamped_event.pk])).content.decode()
    assert html.count(RECEIVED_LOCAL) >= 2  # the entry's time and the recorded change
    for utc in RECEIVED_UTC_TEXTS:
        assert utc not in html
