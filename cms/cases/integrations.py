"""Where the register meets the lead tracker: notifications, working-day deadlines, promoting a finding.

Each function uses ``zhunru.leads`` when it provides the piece, and otherwise a plain fallback
(Django email, calendar days) or a clear error, so the register works before and without it.
"""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def _leads_attr(module: str, name: str):
    try:
        return getattr(import_module(f"zhunru.leads.{module}"), name)
    except (ImportError, AttributeError):
        return None


def notify(users, subject: str, body: str, *, addresses=(), obj=None, key: str | None = None, url: str = "") -> int:
    """Tell ``users`` once per ``key`` (in-admin notification + email via the lead tracker's notify()).

    ``addresses`` are mailboxes without a user account (a register's shared mailbox, a department's
    address); they get a plain email. Returns how many were reached.
    """
    users = [u for u in users if u is not None]
    leads_notify = _leads_attr("notifications", "notify")
    reached = 0
    covered: set[str] = set()
    if leads_notify is not None:
        # Users and shared mailboxes alike go through the lead tracker's outbox: written in this transaction,
        # relayed, retried, never lost when the mail server is down.
        covered = {u.email for u in users if u.email}
        reached += leads_notify(users, subject, body, obj=obj, key=key, url=url,
                                addresses=sorted(set(addresses) - covered))
        return reached or _nobody(subject)
    addresses = [*addresses, *(u.email for u in users if u.email)]  # without the lead tracker: plain e-mail
    for address in sorted(set(addresses) - covered):
        reached += _mail_once(address, subject, body, key)
    return reached or _nobody(subject)


def _nobody(subject: str) -> int:
    log.warning("无人可通知：%s", subject)
    return 0


def _mail_once(address: str, subject: str, body: str, key: str | None) -> int:
    """Email a mailbox that has no user account, once per ``key`` (after commit)."""
    from zhunru.cases.models import MailboxNotice

    if key:
        try:
            with transaction.atomic():
                MailboxNotice.objects.create(key=key[:200], address=address, subject=subject[:200])
        except IntegrityError:
            return 0
    def send() -> None:
        try:
            send_mail(_("【准入】{subject}").format(subject=subject), body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # the MailboxNotice row stays; log loudly rather than fail the job after commit
            log.exception("通知邮件发送失败：%s %s", address, subject)

    transaction.on_commit(send)
    return 1


def deadline(start: datetime.date, days: int, unit: str, *, jurisdiction=None) -> tuple[datetime.date, bool]:
    """(due date, provisional?) of a period counted by the leads calendar (民法典 rules, holidays, 调休).

    Working days need that calendar; calendar days fall back to plain addition without it.
    """
    compute_due = _leads_attr("calendar", "compute_due")
    if compute_due is None:
        if unit == "working":
            raise ImproperlyConfigured(_("工作日期限需要线索模块的工作日历（zhunru.leads.calendar），目前尚不可用。"))
        return start + datetime.timedelta(days=days), False
    due = compute_due(start, days, unit, jurisdiction)
    return due.due_date, due.provisional


def lead_model():
    """The lead tracker's Lead model, or None where zhunru.leads does not provide it."""
    return _leads_attr("models", "Lead")


def lead_from_ledger_entry(entry, *, by=None, request=None):
    """Create a lead (source 自查发现) from a ledger finding through the lead tracker's own constructor.

    Idempotent: a finding already turned into a lead returns that lead.
    """
    from django.contrib.contenttypes.models import ContentType

    lead_cls = lead_model()
    if lead_cls is None or not hasattr(lead_cls.objects, "create_lead"):
        raise ImproperlyConfigured(_("线索模块尚未提供 Lead.objects.create_lead，暂不能将问题转为线索。"))
    existing = lead_cls.objects.filter(
        origin_type=ContentType.objects.get_for_model(entry), origin_id=str(entry.pk)
    ).first()
    if existing is not None:
        return existing
    parts = [_("问题：{problem}").format(problem=entry.problem), _("依据：{basis}").format(basis=entry.basis)]
    if entry.measure:
        parts.append(_("整改措施：{measure}").format(measure=entry.measure))
    if entry.campaign_id:
        parts.append(_("自查专项：{campaign}").format(campaign=entry.campaign))
    return lead_cls.objects.create_lead(
        jurisdiction=entry.department.jurisdiction,
        source=lead_cls.Source.INSPECTION,
        title=entry.problem.splitlines()[0][:200],
        description="\n".join(parts),
        subject_name=entry.responsible_unit.name[:200],
        reporter=entry.department.name,
        origin=entry,
        by=by,
        request=request,
    )
