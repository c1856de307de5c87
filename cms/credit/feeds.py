"""Inbound feeds: credit status changes pulled from each platform since its cursor.

The cursor rule: events are handled in feed order, each in its own savepoint. An event is either
applied (a ``FeedChange`` row, the subject updated) or deliberately quarantined (a ``FeedQuarantine``
row with the reason: malformed, unknown subject, unknown type, invalid code). The cursor then moves
past it, in the same transaction. Any other failure (database error, platform unreachable) stops the
pull with the cursor on the last event applied or quarantined, so the next pull starts there again;
an event already applied is recognised by its ``event_id`` and not applied twice.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhunru.credit import conf
from zhunru.credit.models import (
    CreditClass,
    CreditList,
    CreditPlatform,
    FeedChange,
    FeedQuarantine,
    ListMembership,
    MarketSubject,
)
from zhunru.validators import validate_uscc
from zhunru.workers.clients.credit_platform import CreditPlatformError, for_platform

log = logging.getLogger(__name__)


class Malformed(Exception):
    pass


def _field(event: dict, name: str) -> str:
    value = event.get(name)
    if value in (None, "") or not isinstance(value, str | int):
        raise Malformed(gettext("缺少字段“{name}”或其类型不对。").format(name=name))
    return str(value)


def _date(event: dict, name: str) -> date:
    try:
        return date.fromisoformat(_field(event, name))
    except ValueError as exc:
        raise Malformed(gettext("字段“{name}”不是有效日期（YYYY-MM-DD）。").format(name=name)) from exc


def apply_event(platform: CreditPlatform, cursor: str, event: dict) -> str:
    """Apply one event; raise Malformed for anything that must be quarantined."""
    if not isinstance(event, dict):
        raise Malformed(gettext("记录不是 JSON 对象。"))
    event_id = _field(event, "event_id")
    if FeedChange.objects.filter(platform=platform, event_id=event_id).exists():
        return "already"
    kind = _field(event, "type")
    try:
        uscc = validate_uscc(_field(event, "uscc"))
    except ValidationError as exc:
        raise Malformed(gettext("统一社会信用代码无效：") + "；".join(exc.messages)) from exc
    subject = MarketSubject.objects.filter(uscc=uscc).first()
    if subject is None:
        raise Malformed(gettext("本地没有统一社会信用代码为 {uscc} 的市场主体。").format(uscc=uscc))
    source = gettext("{name}（事件 {event_id}）").format(name=platform.name, event_id=event_id)
    if kind == "class_change":
        new = _field(event, "credit_class")
        if new not in CreditClass.values:
            raise Malformed(gettext("未知的信用等级“{new}”。").format(new=new))
        old = subject.get_credit_class_display()
        subject.change_class(new, reason=str(event.get("reason") or gettext("信用平台推送")), source=source)
        summary = gettext("信用等级 {old} → {label}").format(old=old, label=CreditClass(new).label)
    elif kind in ("list_add", "list_remove"):
        which = _field(event, "list")
        if which not in CreditList.values:
            raise Malformed(gettext("未知的名录“{which}”。").format(which=which))
        on = _date(event, "date")
        current = subject.list_memberships.filter(list_kind=which, removed_on__isnull=True).first()
        if kind == "list_add":
            if current is None:
                ListMembership.objects.create(subject=subject, list_kind=which, added_on=on, source=source,
                                              added_reason=str(event.get("reason") or ""))
            summary = gettext("列入{label}（{on}）").format(label=CreditList(which).label, on=on)
        else:
            if current is None:
                raise Malformed(gettext("该主体不在{label}中，无法移出。").format(label=CreditList(which).label))
            current.removed_on = on
            current.removed_reason = str(event.get("reason") or "")
            current.save(update_fields=["removed_on", "removed_reason"])
            summary = gettext("移出{label}（{on}）").format(label=CreditList(which).label, on=on)
    else:
        raise Malformed(gettext("未知的事件类型“{kind}”。").format(kind=kind))
    FeedChange.objects.create(platform=platform, cursor=cursor, event_id=event_id, subject=subject,
                              summary=summary, raw=event)
    from zhunru.audit.recording import record

    record("credit.feed_applied", obj=subject, changes={"platform": platform.code, "event_id": event_id},
           note=summary)
    return "applied"


def pull(platform: CreditPlatform, *, max_pages: int = 50) -> dict:
    """Pull pages until the feed is exhausted; returns counts."""
    from zhunru.audit.recording import record

    client = for_platform(platform)
    counts = {"applied": 0, "quarantined": 0, "already": 0}
    for _ in range(max_pages):
        page = client.feed(platform.feed_cursor, limit=conf.get("FEED_PAGE_SIZE"))
        events = page.get("events") or []
        if not events:
            break
        for item in events:
            cursor = str(item.get("cursor") if isinstance(item, dict) and item.get("cursor") is not None else "")
            if not cursor:
                log.error("平台 %s 的反馈记录缺少游标，停止本次拉取", platform.code)
                return counts
            with transaction.atomic():
                try:
                    with transaction.atomic():  # the savepoint: applied entirely or not at all
                        outcome = apply_event(platform, cursor, item.get("event"))
                except (Malformed, IntegrityError, ValidationError) as exc:
                    reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                    FeedQuarantine.objects.create(platform=platform, cursor=cursor, raw=item, reason=reason)
                    record("credit.feed_quarantined", obj=platform, changes={"cursor": cursor}, note=reason)
                    outcome = "quarantined"
                counts[outcome] += 1
                platform.feed_cursor = cursor
                platform.feed_pulled_at = timezone.now()
                platform.save(update_fields=["feed_cursor", "feed_pulled_at"])
    return counts


def pull_all() -> dict:
    results = {}
    for platform in CreditPlatform.objects.filter(enabled=True, feed_enabled=True):
        try:
            results[platform.code] = pull(platform)
        except CreditPlatformError as exc:
            log.warning("拉取 %s 的信用状态变更失败：%s", platform.code, exc)
            results[platform.code] = {"error": str(exc)}
    return results
