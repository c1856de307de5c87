"""Tell people something once: an in-admin notification plus a Chinese email, idempotent per key.

Public API (other areas reuse it)::

    notify(users, subject, body, *, obj=None, key=None, url="") -> int   # number of new notifications
"""

import hashlib
import logging
import threading

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhunru.leads.models import Notification

log = logging.getLogger(__name__)


def _default_key(subject: str, body: str, obj) -> str:
    target = f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else ""
    return "auto:" + hashlib.sha256(f"{target}|{subject}|{body}".encode()).hexdigest()[:40]


def notify(users, subject: str, body: str, *, obj=None, key: str | None = None, url: str = "") -> int:
    """Create one notification per user for ``key`` and email it; a second call with the same key does nothing.

    ``key`` names the occasion (e.g. ``"lead:42:stage:7:overdue"``); without it the content is the key.
    """
    key = (key or _default_key(subject, body, obj))[:200]
    ct = ContentType.objects.get_for_model(obj) if obj is not None else None
    if obj is not None and not url:
        url = getattr(obj, "admin_url", "") or ""
    created = 0
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if Notification.objects.filter(recipient=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, key=key, subject=subject[:200], body=body, url=url,
                    content_type=ct, object_id=str(obj.pk) if obj is not None else "",
                )
        except IntegrityError:  # a concurrent run created it first
            continue
        created += 1
        if user.email:
            _pending.__dict__.setdefault("pks", []).append(note.pk)
            transaction.on_commit(_flush_emails)
    return created


# Notifications waiting for their transaction to commit. Every notify() registers a flush; the first
# flush after a commit mails all of them in one batch and the others find nothing left. Rows of a
# rolled-back transaction no longer exist when the flush looks them up, so they are never mailed.
_pending = threading.local()


def _flush_emails() -> None:
    pks = _pending.__dict__.pop("pks", [])
    if not pks:
        return
    notes = list(Notification.objects.select_related("recipient").filter(pk__in=pks, emailed_at__isnull=True))
    if not notes:
        return
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    messages = []
    for note in notes:
        link = f"\n\n查看：{base}{note.url}" if note.url.startswith("/") else (f"\n\n查看：{note.url}" if note.url else "")
        name = note.recipient.get_full_name() or note.recipient.get_username()
        body = f"{name}，您好：\n\n{note.body}{link}\n\n——准入平台（本邮件由系统自动发送，请勿直接回复）"
        messages.append(EmailMessage(f"【准入】{note.subject}", body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email]))
    try:
        get_connection().send_messages(messages)
    except Exception:  # the in-admin notifications stand; log loudly, emailed_at stays empty
        log.exception("提醒邮件发送失败：%s 封", len(messages))
        return
    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
