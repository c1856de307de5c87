"""Which jurisdiction an audit event belongs to, so each office's audit timeline shows its own events only.

Tried in order, for the object (first answer wins):

1. an ``audit_jurisdiction`` attribute, property or method returning a Jurisdiction or its id;
2. the object itself when it is a Jurisdiction;
3. a ``jurisdiction`` foreign key (leads, cases, complaints, credit records, register settings …);
4. its department (``zhunru.audit.departments``): that department's jurisdiction;
5. a page: the jurisdiction whose portal home (JurisdictionHomePage) is the page or one of its ancestors;
6. steps 1–3 for the Zhunru objects its foreign keys point to (a lead's extension gets its lead's).

Without an object (a login, an export) or when the object has none, the acting user's jurisdiction, when
the user belongs to exactly one; otherwise None (seen by superusers only).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

JURISDICTION_MODEL = "zhunru_cms.jurisdiction"


def _pk(value) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return getattr(value, "pk", None)


def _own(obj) -> int | None:
    hook = getattr(obj, "audit_jurisdiction", None)
    if hook is not None:
        return _pk(hook() if callable(hook) else hook)
    if obj._meta.label_lower == JURISDICTION_MODEL:
        return obj.pk
    try:
        field = obj._meta.get_field("jurisdiction")
    except Exception:
        return None
    if getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False):
        if field.concrete and field.related_model._meta.label_lower == JURISDICTION_MODEL:
            return getattr(obj, field.attname)
    return None


def department_jurisdiction_id(department_id: int | None) -> int | None:
    if department_id is None:
        return None
    from zhunru.models import Department

    return Department.objects.filter(pk=department_id).values_list("jurisdiction_id", flat=True).first()


def page_jurisdiction_id(page) -> int | None:
    """The jurisdiction whose portal home is ``page`` or one of its ancestors."""
    from zhunru.models import JurisdictionHomePage

    path = getattr(page, "path", "") or ""
    steplen = getattr(type(page), "steplen", 4)
    prefixes = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
    if not prefixes:
        return None
    return (
        JurisdictionHomePage.objects.filter(path__in=prefixes)
        .order_by("-depth")
        .values_list("jurisdiction_id", flat=True)
        .first()
    )


def actor_jurisdiction_id(actor) -> int | None:
    """The acting user's jurisdiction when there is exactly one (departments' memberships)."""
    if actor is None or not getattr(actor, "pk", None):
        return None
    from zhunru.models import Jurisdiction

    ids = list(
        Jurisdiction.objects.filter(departments__memberships__user_id=actor.pk).values_list("id", flat=True).distinct()[:2]
    )
    return ids[0] if len(ids) == 1 else None


def jurisdiction_id_of(obj, *, department_id: int | None = None) -> int | None:
    """The id of ``obj``'s jurisdiction, or None; ``department_id`` when already known saves a lookup."""
    if obj is None or not isinstance(obj, models.Model):
        return department_jurisdiction_id(department_id)
    own = _own(obj)
    if own is not None:
        return own
    if department_id is None:
        from zhunru.audit.departments import department_id_of

        department_id = department_id_of(obj)
    found = department_jurisdiction_id(department_id)
    if found is not None:
        return found
    from wagtail.models import Page

    if isinstance(obj, Page):
        return page_jurisdiction_id(obj)
    for field in obj._meta.concrete_fields:
        if not field.many_to_one:
            continue
        target = field.related_model._meta
        if not target.app_label.startswith("zhunru_") or target.label_lower == JURISDICTION_MODEL:
            continue
        if getattr(obj, field.attname) is None:
            continue
        try:
            parent = getattr(obj, field.name)
        except ObjectDoesNotExist:
            continue
        found = _own(parent)
        if found is not None:
            return found
    return None
