"""Recording audit events: an insert only, sealed into the chain afterwards (zhunru.audit.sealing)."""

import ipaddress
import logging

from django.utils import timezone

from zhunru.audit.jurisdictions import actor_jurisdiction_id, department_jurisdiction_id, jurisdiction_id_of
from zhunru.audit.models import AuditEvent

logger = logging.getLogger(__name__)


def _address(value: str) -> str | None:
    """A bare IP address from ``value`` (which may carry a port), or None if it is not one."""
    value = value.strip()
    if value.startswith("["):  # [v6]:port
        value = value[1:].split("]")[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, one definition for the audit trail, login throttling and the rate limits:
    zhunru.proxies.client_ip (forwarded headers believed only from ZHUNRU_TRUSTED_PROXIES)."""
    from zhunru.proxies import client_ip as proxied_client_ip

    return proxied_client_ip(request)


def _jurisdiction_id(obj, department_id: int | None, actor) -> int | None:
    """The object's jurisdiction, else the actor's single one (best effort: never fails the audited change)."""
    try:
        found = jurisdiction_id_of(obj, department_id=department_id) if obj is not None else None
        if found is None and obj is None:
            found = department_jurisdiction_id(department_id)
        return found if found is not None else actor_jurisdiction_id(actor)
    except Exception:
        logger.exception("audit: could not find the jurisdiction of %r", obj)
        return None


def record(
    action: str,
    *,
    obj=None,
    actor=None,
    request=None,
    department=None,
    department_id: int | None = None,
    changes: dict | None = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    ip: str | None = None,
    jurisdiction=None,
    jurisdiction_id: int | None = None,
    logentry_id: int | None = None,
    save: bool = True,
) -> AuditEvent:
    """Write one event, unsealed, inside the caller's transaction; no lock is taken (the sealer chains it).
    ``save=False`` returns it unsaved, for a caller that writes many with one bulk_create."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    department_id = department_id if department_id is not None else getattr(department, "pk", None)
    if jurisdiction_id is None:
        jurisdiction_id = getattr(jurisdiction, "pk", None) or _jurisdiction_id(obj, department_id, actor)
    event = AuditEvent(
        timestamp=timezone.now(),
        actor=actor,
        actor_repr=(actor.get_username() if actor is not None else "")[:150],
        ip=ip or client_ip(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        department_id=department_id,
        jurisdiction_id=jurisdiction_id,
        changes=changes or {},
        note=note,
        logentry_id=logentry_id,
    )
    if save:
        event.save()
    return event
