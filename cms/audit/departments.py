"""Which department an audited object belongs to, so the timeline's department filter finds its entries.

Tried in order, for the object:

1. an ``audit_department`` attribute, property or method returning a Department or its id (an app
   defines one where its rule is special);
2. the fields named in ``DEPARTMENT_FIELDS`` for its model (a lead: its competent unit, else its lead
   department, as on the lead's own audit entries);
3. a ``department`` foreign key;
4. the object itself when it is a Department.

Then steps 1–4 for the Zhunru objects its foreign keys point to, in field order: a lead's extension gets
the lead's department, a bulletin's case entry the case's, a service rating the service item's, a
dishonesty record its commitment's.
"""

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models

DEPARTMENT_FIELDS = {
    "zhunru_leads.lead": ("competent_unit", "lead_department"),
    "zhunru_cases.case": ("reporting_department",),
}
DEPARTMENT_MODEL = "zhunru_cms.department"
# Parents are looked for among Zhunru's own models only (not users, revisions, locales, …).
NOT_PARENTS = {DEPARTMENT_MODEL, "zhunru_cms.jurisdiction"}


def _pk(value) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return getattr(value, "pk", None)


def _own(obj) -> int | None:
    hook = getattr(obj, "audit_department", None)
    if hook is not None:
        return _pk(hook() if callable(hook) else hook)
    label = obj._meta.label_lower
    if label == DEPARTMENT_MODEL:
        return obj.pk
    for name in DEPARTMENT_FIELDS.get(label, ("department",)):
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one and field.related_model._meta.label_lower == DEPARTMENT_MODEL:
            value = getattr(obj, field.attname)
            if value is not None:
                return value
    return None


def department_id_of(obj) -> int | None:
    """The id of ``obj``'s department, or None."""
    if obj is None or not isinstance(obj, models.Model):
        return None
    own = _own(obj)
    if own is not None:
        return own
    for field in obj._meta.concrete_fields:
        if not field.many_to_one:
            continue
        target = field.related_model._meta
        if not target.app_label.startswith("zhunru_") or target.label_lower in NOT_PARENTS:
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


def load_object(content_type, object_pk):
    """The logged object, if it still exists (specific class for pages)."""
    model = content_type.model_class() if content_type is not None else None
    if model is None or object_pk in (None, ""):
        return None
    try:
        return model._base_manager.filter(pk=object_pk).first()
    except (ValueError, TypeError):
        return None
