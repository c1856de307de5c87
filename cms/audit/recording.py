"""Appending to the audit chain."""

from django.db import transaction
from django.utils import timezone

from cms.audit.models import AuditEvent, ChainHead


def client_ip(request) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or None) if forwarded else request.META.get("REMOTE_ADDR")


def record(
    action: str,
    *,
    obj=None,
    actor=None,
    request=None,
    department=None,
    changes: dict | None = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain; runs inside the caller's transaction."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            timestamp=timezone.now(),
            actor=actor,
            actor_repr=(actor.get_username() if actor is not None else "")[:150],
            ip=ip or client_ip(request),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            department=department,
            changes=changes or {},
            note=note,
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event
