"""好差评: submission (idempotent) and follow-up of unsatisfied ratings."""

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q


class RatingError(ValueError):
    pass


def submit_rating(
    service_item,
    level: int,
    channel: str,
    comment: str = "",
    receipt_code: str = "",
    idempotency_key: str | None = None,
):
    from cms.audit.recording import record
    from cms.catalog.models import RatingFollowUp, ServiceRating

    if level not in dict(ServiceRating.LEVEL_CHOICES):
        raise RatingError("评价等级无效。")
    if channel not in dict(ServiceRating.CHANNEL_CHOICES):
        raise RatingError("评价渠道无效。")
    if idempotency_key:
        existing = ServiceRating.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
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
                RatingFollowUp.objects.create(rating=rating, department=service_item.department)
            record(
                "catalog.rating_submitted",
                obj=rating,
                department=service_item.department,
                changes={"level": level},
            )
    except IntegrityError:
        return ServiceRating.objects.get(idempotency_key=idempotency_key)
    return rating


def statistics(queryset):
    """Per department and item: count, average level, unsatisfied count."""
    return list(
        queryset.values("service_item__department__name", "service_item_id", "service_item__name")
        .annotate(count=Count("id"), average=Avg("level"), unsatisfied=Count("id", filter=Q(level__lte=2)))
        .order_by("service_item__department__name", "service_item__name")
    )
