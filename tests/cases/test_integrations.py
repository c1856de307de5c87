"""The case register without the lead tracker's pieces (zhunru.cases.integrations): plain e-mail instead of the
notification outbox, each mailbox once per occasion; calendar-day deadlines by plain addition; working-day
deadlines and promoting a finding to a lead refused with a message naming what is missing.

"Without" is the module not importable (``sys.modules[name] = None`` makes ``import`` raise ImportError), as
in a host site whose installed package lacks it."""

import datetime
import logging
import sys

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from zhunru.cases import integrations
from zhunru.cases.models import MailboxNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_leads(monkeypatch):
    def hide(*modules):
        for name in modules:
            monkeypatch.setitem(sys.modules, f"zhunru.leads.{name}", None)

    return hide


def test_without_the_outbox_each_mailbox_gets_one_plain_email_per_occasion(
        without_leads, make_user, django_capture_on_commit_callbacks, caplog):
    without_leads("notifications")
    keeper = make_user("keeper")
    keeper.email = "keeper@example.invalid"
    nobody = make_user("no-mail")
    nobody.email = ""
    with django_capture_on_commit_callbacks(execute=True):
        reached = integrations.notify([keeper, nobody, None], "案例到期复核", "请复核案例。", key="review:1",
                                      addresses=["archive@example.invalid", "keeper@example.invalid"])
        again = integrations.notify([keeper], "案例到期复核", "请复核案例。", key="review:1",
                                    addresses=["archive@example.invalid"])
    assert (reached, again) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["archive@example.invalid", "keeper@example.invalid"]
    assert {m.subject for m in mail.outbox} == {"【准入】案例到期复核"}
    assert MailboxNotice.objects.filter(key="review:1").count() == 2
    # Nobody to tell: nothing sent, and the operator finds it in the log
    with caplog.at_level(logging.WARNING, logger="zhunru.cases.integrations"):
        assert integrations.notify([nobody], "无人接收的通知", "x") == 0
    assert "无人可通知：无人接收的通知" in caplog.text


def test_without_the_outbox_a_mail_server_outage_is_logged_not_raised(
        without_leads, settings, django_capture_on_commit_callbacks, caplog):
    without_leads("notifications")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens
    with caplog.at_level(logging.ERROR, logger="zhunru.cases.integrations"):
        with django_capture_on_commit_callbacks(execute=True):
            assert integrations.notify([], "台账逾期", "x", addresses=["unit@example.invalid"], key="k") == 1
    assert "通知邮件发送失败：unit@example.invalid 台账逾期" in caplog.text
    assert MailboxNotice.objects.filter(key="k").exists()  # the occasion stays recorded: not mailed twice


def test_without_the_working_calendar_only_calendar_days_are_counted(without_leads):
    without_leads("calendar")
    start = datetime.date(2026, 4, 30)
    assert integrations.deadline(start, 3, "calendar") == (datetime.date(2026, 5, 3), False)
    with pytest.raises(ImproperlyConfigured, match="工作日期限需要线索模块的工作日历"):
        integrations.deadline(start, 3, "working")


def test_with_the_working_calendar_labour_day_is_not_a_working_day(jurisdiction):
    due, provisional = integrations.deadline(datetime.date(2026, 4, 30), 1, "working", jurisdiction=jurisdiction)
    assert due > datetime.date(2026, 5, 1) and due.weekday() < 5


def test_without_the_lead_model_a_finding_cannot_become_a_lead(without_leads, jurisdiction, make_department):
    from zhunru.cases.models import LedgerEntry

    unit = make_department("测试区市场监督管理局")
    entry = LedgerEntry.objects.create(department=unit, responsible_unit=unit, problem="要求在本地设立分支机构",
                                       basis="负面清单", deadline=datetime.date(2026, 4, 30))
    without_leads("models")
    assert integrations.lead_model() is None
    with pytest.raises(ImproperlyConfigured, match="线索模块尚未提供 Lead.objects.create_lead"):
        integrations.lead_from_ledger_entry(entry)
