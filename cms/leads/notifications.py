"""Tell people something once: the ``Notification`` outbox, written in the change's own transaction.

Public API (other areas reuse it)::

    notify(users, subject, body, *, obj=None, key=None, url="", addresses=()) -> int   # new notifications
    relay(ids=None, *, now=None) -> RelayResult      # send due e-mails (the actor and the sweep call it)
    send_digests(now=None) -> int                    # one e-mail per person who chose the daily digest

``notify`` writes one row per recipient and key (a second call with the same key does nothing) and,
after commit, hands the new rows to the relay: through the worker (``notifications_queued`` signal,
connected by ``zhunru.workers``) or inline (``ZHUNRU_LEADS_EMAIL_RELAY = "inline"``). The relay reads
the rows, so a lost message only delays an e-mail: the periodic sweep sends whatever is still due.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.leads import conf
from zhunru.leads.channels import (
    ChannelError,
    EmailChannel,
    absolute_url,
    messaging_channel,
    notification_jurisdiction,
)
from zhunru.leads.models import Notification
from zhunru.leads.signals import notifications_queued

log = logging.getLogger(__name__)


def _default_key(subject: str, body: str, obj) -> str:
    target = f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else ""
    return "auto:" + hashlib.sha256(f"{target}|{subject}|{body}".encode()).hexdigest()[:40]


def notify(users, subject: str, body: str, *, obj=None, key: str | None = None, url: str = "", addresses=()) -> int:
    """Create one notification per user (and per mailbox in ``addresses``) for ``key``; return how many are new.

    ``key`` names the occasion (e.g. ``"lead:42:event:7"``); without it the content is the key. A user
    without an e-mail address is told in-app only (logged); nothing here can fail the caller's change.
    """
    key = (key or _default_key(subject, body, obj))[:200]
    ct = ContentType.objects.get_for_model(obj) if obj is not None else None
    if obj is not None and not url:
        url = getattr(obj, "admin_url", "") or ""
    common = {"key": key, "subject": subject[:200], "body": body, "url": url[:500], "content_type": ct,
              "object_id": str(obj.pk) if obj is not None else ""}
    from zhunru.leads.models import NotificationPreference

    rows = []
    seen = set()
    people = [u for u in users if u is not None and u.is_active]
    digest = NotificationPreference.digest_user_ids(u.pk for u in people) if people else set()
    for user in people:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if not user.email:
            log.warning("用户 %s 没有邮箱地址，仅发送站内提醒：%s", user.get_username(), subject)
            status = Notification.EmailStatus.NO_ADDRESS
        elif user.pk in digest:
            status = Notification.EmailStatus.DIGEST  # e-mailed with the day's others by send_digests
        else:
            status = Notification.EmailStatus.PENDING
        rows.append({"recipient": user, "email_status": status})
    for address in dict.fromkeys(a.strip() for a in addresses if a and a.strip()):
        rows.append({"address": address, "email_status": Notification.EmailStatus.PENDING})
    created = []
    for fields in rows:
        lookup = {"recipient": fields["recipient"]} if "recipient" in fields else {
            "recipient__isnull": True, "address": fields["address"]}
        if Notification.objects.filter(key=key, **lookup).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(**common, **fields)
        except IntegrityError:  # a concurrent run created it first
            continue
        created.append(note)
    pending = [n.pk for n in created if n.email_status == Notification.EmailStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: _after_commit(pending), robust=True)
    return len(created)


def _after_commit(ids: list[int]) -> None:
    if conf.get("EMAIL_RELAY") == "inline" or not notifications_queued.has_listeners(Notification):
        relay(ids)
    else:  # zhunru.workers enqueues the relay actor; a broker error is logged there and left to the sweep
        notifications_queued.send(sender=Notification, ids=ids)


@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0  # attempts that failed (retried later, or given up)
    given_up: int = 0


def _claim(note_id: int, now: datetime.datetime) -> bool:
    """Take one due row for sending (one conditional UPDATE: two relays never both get it)."""
    lease = now + datetime.timedelta(seconds=conf.get("EMAIL_LEASE_SECONDS"))
    return bool(Notification.objects.email_due(now).filter(pk=note_id).update(
        email_status=Notification.EmailStatus.SENDING, email_attempts=F("email_attempts") + 1,
        email_next_attempt_at=lease))


def relay(ids=None, *, now: datetime.datetime | None = None) -> RelayResult:
    """Send the e-mail of every due notification (of ``ids``, or all: the sweep); idempotent.

    Each row is claimed before it is sent and marked ``sent`` with ``emailed_at`` after; a failure is
    recorded in ``email_error`` and retried with a doubling delay up to ``EMAIL_MAX_ATTEMPTS``, then
    marked ``failed`` (the in-admin notification stands either way).
    """
    now = now or timezone.now()
    due = Notification.objects.email_due(now)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    candidates = list(due.order_by("pk").values_list("pk", flat=True)[: conf.get("EMAIL_SWEEP_BATCH")])
    result = RelayResult()
    if not candidates:
        return result
    email = EmailChannel()
    extra = messaging_channel()
    max_attempts = conf.get("EMAIL_MAX_ATTEMPTS")
    connection = get_connection()
    try:
        for pk in candidates:
            if not _claim(pk, now):
                continue  # another relay took it, or it was sent meanwhile
            note = Notification.objects.select_related("recipient").get(pk=pk)
            if note.email_attempts == 1:
                try:
                    extra.deliver(note)
                except Exception:  # the adapter is best effort; the e-mail and the inbox do not depend on it
                    log.exception("提醒 %s 的消息通道发送失败", pk)
            try:
                email.deliver(note, connection=connection)
            except ChannelError as exc:
                result.failed += 1
                final = note.email_attempts >= max_attempts
                result.given_up += final
                delay = conf.get("EMAIL_RETRY_BASE_SECONDS") * 2 ** (note.email_attempts - 1)
                Notification.objects.filter(pk=pk).update(
                    email_status=Notification.EmailStatus.FAILED if final else Notification.EmailStatus.PENDING,
                    email_error=str(exc), email_next_attempt_at=None if final else now + datetime.timedelta(seconds=delay))
                log.warning("提醒邮件发送失败（第 %s 次%s）：%s → %s：%s", note.email_attempts, _("，不再重试") if final else "",
                            note.subject, note.email_address, exc)
                continue
            Notification.objects.filter(pk=pk).update(
                email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now(), email_error="",
                email_next_attempt_at=None)
            result.sent += 1
    finally:
        try:
            connection.close()
        except Exception:
            log.debug("closing the mail connection failed", exc_info=True)
    return result


def digest_cutoff(now: datetime.datetime) -> datetime.datetime:
    """The latest daily digest time (``EMAIL_DIGEST_HOUR`` o'clock, Beijing time) at or before ``now``."""
    from zhunru.clock import BEIJING

    local = now.astimezone(BEIJING)
    cutoff = local.replace(hour=conf.get("EMAIL_DIGEST_HOUR"), minute=0, second=0, microsecond=0)
    if cutoff > local:
        cutoff -= datetime.timedelta(days=1)
    return cutoff


def send_digests(now: datetime.datetime | None = None) -> int:
    """Send each person who chose the daily digest one e-mail with their notifications written before the
    latest digest time; return how many e-mails went out. Rows are locked while their e-mail is sent, so two
    runs never send one twice; a failed e-mail leaves them waiting for the next run (error recorded)."""
    from zhunru.clock import format_date, format_datetime

    now = now or timezone.now()
    cutoff = digest_cutoff(now)
    waiting = Notification.objects.filter(email_status=Notification.EmailStatus.DIGEST, created_at__lt=cutoff)
    recipients = list(waiting.order_by().values_list("recipient_id", flat=True).distinct())
    sent = 0
    email = EmailChannel()
    for recipient_id in recipients:
        with transaction.atomic():
            rows = list(waiting.filter(recipient_id=recipient_id).select_for_update().select_related("recipient")
                        .order_by("created_at", "pk"))
            if not rows:
                continue  # another run sent them
            lines = []
            for n, note in enumerate(rows, start=1):
                link = absolute_url(note.url, notification_jurisdiction(note))
                lines += [f"{n}. {note.subject}（{format_datetime(note.created_at)}）", note.body,
                          *([_("查看：{link}").format(link=link)] if link else []), ""]
            summary = Notification(recipient=rows[0].recipient, subject=_("{format_date}提醒汇总（{count} 条）").format(format_date=format_date(cutoff), count=len(rows)),
                                   body="\n".join(lines).rstrip(), created_at=cutoff)
            ids = [note.pk for note in rows]
            try:
                email.deliver(summary)
            except ChannelError as exc:
                Notification.objects.filter(pk__in=ids).update(email_error=str(exc), email_attempts=F("email_attempts") + 1)
                log.warning("提醒汇总邮件发送失败，下次重试：%s：%s", summary.email_address, exc)
                continue
            Notification.objects.filter(pk__in=ids).update(email_status=Notification.EmailStatus.SENT,
                                                           emailed_at=timezone.now(), email_error="")
            sent += 1
    return sent
