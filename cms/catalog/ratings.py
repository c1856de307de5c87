"""好差评: submission (idempotent) and follow-up of unsatisfied ratings, which are due within a period
counted by the lead tracker's working-day calendar and reminded about daily once overdue."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.catalog import conf
from zhunru.clock import format_date


class RatingError(ValueError):
    pass


class IdempotencyKeyReused(RatingError):
    """The key already counted a rating of another service item: never that item's rating for this one."""

    def __init__(self):
        super().__init__(_("该幂等键已用于其他事项的评价，请为本次评价使用新的幂等键。"))


def submit_rating(
    service_item,
    level: int,
    channel: str,
    comment: str = "",
    receipt_code: str = "",
    idempotency_key: str | None = None,
):
    from zhunru.audit.recording import record
    from zhunru.catalog.models import RatingFollowUp, ServiceRating

    if level not in dict(ServiceRating.LEVEL_CHOICES):
        raise RatingError(_("评价等级无效。"))
    if channel not in dict(ServiceRating.CHANNEL_CHOICES):
        raise RatingError(_("评价渠道无效。"))
    if idempotency_key:
        existing = ServiceRating.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return _same_item(existing, service_item)
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                service_item=service_item,
                level=level,
                channel=channel,
                comment=comment[:2000],
                receipt_code=receipt_code,
                idempotency_key=idempotency_key or None,
            )
            if level <= 2:
                due_date, provisional = follow_up_due(rating.created_at, service_item.department.jurisdiction)
                RatingFollowUp.objects.create(
                    rating=rating, department=service_item.department, due_date=due_date, due_provisional=provisional
                )
            record(
                "catalog.rating_submitted",
                obj=rating,
                department=service_item.department,
                changes={"level": level},
            )
    except IntegrityError:  # the same key won a concurrent race
        return _same_item(ServiceRating.objects.get(idempotency_key=idempotency_key), service_item)
    return rating


def _same_item(rating, service_item):
    if rating.service_item_id != service_item.pk:
        raise IdempotencyKeyReused
    return rating


def statistics(queryset):
    """Per department and item: count, average level, unsatisfied count."""
    return list(
        queryset.values("service_item__department__name", "service_item_id", "service_item__name")
        .annotate(count=Count("id"), average=Avg("level"), unsatisfied=Count("id", filter=Q(level__lte=2)))
        .order_by("service_item__department__name", "service_item__name")
    )


def follow_up_due(start, jurisdiction=None) -> tuple[datetime.date, bool]:
    """(last day to answer, provisional?) of a follow-up opened at ``start`` (the rating's time).

    Counted as the lead deadlines are (DOMAIN.md): the start day is not counted, holidays and 调休
    follow the State Council notices, a year the calendar does not know makes the date provisional.
    """
    from zhunru.leads.calendar import compute_due

    amount, unit = conf.get("FOLLOW_UP_LIMIT")
    due = compute_due(start, amount, unit, jurisdiction)
    return due.due_date, due.provisional


def refresh_follow_up_due_dates() -> int:
    """Give open follow-ups without a due date one, and recompute provisional ones; returns how many moved."""
    from zhunru.audit.recording import record
    from zhunru.catalog.models import RatingFollowUp

    moved = 0
    pending = RatingFollowUp.objects.open().filter(Q(due_date__isnull=True) | Q(due_provisional=True))
    for follow_up in pending.select_related("rating", "department__jurisdiction"):
        due_date, provisional = follow_up_due(follow_up.rating.created_at, follow_up.department.jurisdiction)
        if (due_date, provisional) != (follow_up.due_date, follow_up.due_provisional):
            RatingFollowUp.objects.filter(pk=follow_up.pk).update(due_date=due_date, due_provisional=provisional)
            record("catalog.follow_up_due_recomputed", obj=follow_up, department=follow_up.department,
                   changes={"due_date": [str(follow_up.due_date or ""), str(due_date)],
                            "provisional": [follow_up.due_provisional, provisional]})
            moved += 1
    return moved


def _recipients(department) -> list:
    """The department's members and the coordinators of its jurisdiction."""
    from django.contrib.auth import get_user_model

    from zhunru import roles

    users = get_user_model().objects.filter(is_active=True)
    members = users.filter(department_memberships__department=department)
    coordinators = users.filter(groups__name=roles.COORDINATOR,
                                department_memberships__department__jurisdiction_id=department.jurisdiction_id)
    return list((members | coordinators).distinct().order_by("pk"))


def remind_overdue_follow_ups(today: datetime.date | None = None) -> int:
    """Remind departments (and their coordinators) of unanswered follow-ups past their due date, once a day
    each; running twice the same day sends nothing more. Returns how many follow-ups were reminded."""
    from zhunru.audit.recording import record
    from zhunru.catalog.models import RatingFollowUp
    from zhunru.leads.notifications import notify

    today = today or timezone.localdate()
    refresh_follow_up_due_dates()  # old follow-ups, and a year entered since yesterday
    reminded = 0
    overdue = RatingFollowUp.objects.overdue(today).exclude(last_reminded_on=today)
    for follow_up in overdue.select_related("rating__service_item", "department__jurisdiction").order_by("pk"):
        with transaction.atomic():
            locked = RatingFollowUp.objects.select_for_update().get(pk=follow_up.pk)
            if locked.answered_at is not None or locked.last_reminded_on == today:
                continue
            rating, department = follow_up.rating, follow_up.department
            days = (today - follow_up.due_date).days
            body = _(
                "政务服务事项“{name}”收到的差评（{get_level_display}，"
                "{get_channel_display}，{format_date}）"
                "应于 {format_date2} 前答复，现已逾期 {days} 天，请尽快核实整改并填写整改答复。"
            ).format(name=rating.service_item.name, get_level_display=rating.get_level_display(), get_channel_display=rating.get_channel_display(), format_date=format_date(rating.created_at), format_date2=format_date(follow_up.due_date), days=days)
            if rating.comment:
                body += _("\n\n评价内容：{comment}").format(comment=rating.comment)
            notify(_recipients(department), _("差评整改逾期未答复：{value}").format(value=rating.service_item.name[:40]), body,
                   obj=follow_up, key=f"catalog:follow-up:{follow_up.pk}:overdue:{today}",
                   url=reverse("wagtailsnippets_zhunru_catalog_ratingfollowup:edit", args=[follow_up.pk]))
            locked.last_reminded_on = today
            locked.save(update_fields=["last_reminded_on"])
            record("catalog.follow_up_overdue_reminder", obj=follow_up, department=department,
                   changes={"days_overdue": days, "due_date": str(follow_up.due_date)})
            reminded += 1
    return reminded
