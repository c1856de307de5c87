"""Who may see what: department scoping applied in queries, not templates."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext

from zhunru import roles


def sees_jurisdiction(user) -> bool:
    """May see every department of their jurisdictions: coordinators and auditors (and superusers). Seeing is
    not acting: the auditor only reads (``is_coordinator`` says who may act)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles.held(user) & {roles.COORDINATOR, roles.AUDITOR})


def is_coordinator(user) -> bool:
    """May act as the coordinator of their jurisdictions (transfer, register, resend, triage ...): coordinators
    and superusers, never the auditor."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or roles.COORDINATOR in roles.held(user)


def is_read_only(user) -> bool:
    """An auditor holding no role that acts: may read their jurisdictions' records and exports, change nothing."""
    if not user.is_authenticated or user.is_superuser:
        return False
    return roles.held(user) == {roles.AUDITOR}  # any other role acts


def user_departments(user) -> QuerySet:
    """The departments a user belongs to."""
    from zhunru.models import Department

    if not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.filter(memberships__user=user)


def user_jurisdictions(user) -> QuerySet:
    from zhunru.models import Jurisdiction

    if not user.is_authenticated:
        return Jurisdiction.objects.none()
    if user.is_superuser:
        return Jurisdiction.objects.all()
    return Jurisdiction.objects.filter(departments__memberships__user=user).distinct()


def ancestor_ids(jurisdiction) -> list[int]:
    """The ids of ``jurisdiction``'s higher-level jurisdictions (parent, its parent, ...), nearest first."""
    from zhunru.models import Jurisdiction

    found, parent_id = [], jurisdiction.parent_id
    while parent_id is not None and parent_id not in found and len(found) < 10:  # a cycle or a runaway chain ends
        found.append(parent_id)
        parent_id = Jurisdiction.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return found


def lower_jurisdictions(jurisdictions) -> QuerySet:
    """The jurisdictions under ``jurisdictions`` (children, their children, ...), not those themselves: whose
    extension requests their higher-level offices approve."""
    from zhunru.models import Jurisdiction

    found: set[int] = set()
    level = set(Jurisdiction.objects.filter(pk__in=jurisdictions).values_list("pk", flat=True))
    for _ in range(10):
        level = set(Jurisdiction.objects.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        if not level:
            break
        found |= level
    return Jurisdiction.objects.filter(pk__in=found)


def visible_departments(user) -> QuerySet:
    """Departments whose records the user may see: all of its jurisdictions for coordinators, else its own."""
    from zhunru.models import Department

    if not user.is_authenticated:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    if sees_jurisdiction(user):
        return Department.objects.filter(jurisdiction__in=user_jurisdictions(user))
    return user_departments(user)


def scoped(queryset: QuerySet, user, jurisdiction: str = "jurisdiction", department: str | None = None) -> QuerySet:
    """What ``user`` may see of ``queryset``: everything for superusers; the rows of their jurisdictions
    (through the ``jurisdiction`` lookup) for those who see the whole jurisdiction (coordinators, auditors);
    anyone else the rows of their departments (through the ``department`` lookup), or nothing when the rows
    belong to no department. The body of most models' ``visible_to``."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if sees_jurisdiction(user):
        return queryset.filter(**{f"{jurisdiction}__in": user_jurisdictions(user)})
    if department is None:
        return queryset.none()
    return queryset.filter(**{f"{department}__in": visible_departments(user)})


def scope_choices(queryset: QuerySet, user) -> QuerySet:
    """What a choice list (a form field, a listing's filter facet) may offer the user: their jurisdictions,
    those jurisdictions' departments and people, or the records ``visible_to`` them; other models as they are."""
    from zhunru.models import Department, Jurisdiction

    if user is None or getattr(user, "is_superuser", False):
        return queryset
    if queryset.model is Jurisdiction:
        return queryset.filter(pk__in=user_jurisdictions(user).values("pk"))
    if queryset.model is Department:
        return queryset.filter(jurisdiction__in=user_jurisdictions(user).values("pk"))
    if queryset.model is get_user_model():  # people of the user's jurisdictions, never another's
        people = queryset.model._default_manager.filter(
            department_memberships__department__jurisdiction__in=user_jurisdictions(user).values("pk"))
        return queryset.filter(pk__in=people.values("pk"))
    if hasattr(queryset, "visible_to"):
        return queryset.filter(pk__in=queryset.visible_to(user).values("pk"))
    return queryset


def record_foreign_attempt(request, model, pk) -> None:
    """Audit a refused reach for a tenant object the user may not see (越权访问尝试): who, where, which model
    and id; never the object's text, which the user must not learn even from their own audit trail."""
    from zhunru.audit.recording import record

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_superuser:
        return
    record(
        "security.foreign_access", actor=user, request=request, object_type=model._meta.label_lower,
        object_id=str(pk), note=gettext("越权访问尝试：{method} {value}").format(method=request.method, value=request.get_full_path()[:400]),
    )


def record_foreign_choice(user, model, pk, field: str) -> None:
    """Audit an id of an object out of ``user``'s scope posted into a form's choice field (越权访问尝试), from
    inside a form, where the request is not at hand: the actor and address come from the request being handled."""
    from zhunru.audit.middleware import request_actor_and_ip
    from zhunru.audit.recording import record

    if user is None or not user.is_authenticated or user.is_superuser:
        return
    _, ip = request_actor_and_ip()
    record(
        "security.foreign_access", actor=user, ip=ip, object_type=model._meta.label_lower, object_id=str(pk),
        note=gettext("越权访问尝试：表单字段 {field} 提交了无权选择的对象").format(field=field),
    )


def get_visible_or_404(model, request, **lookup):
    """The object of ``model`` matching ``lookup`` among those ``visible_to`` the request's user; 404 otherwise.
    An object that exists but belongs to someone else's scope is an attempt, audited (越权访问尝试)."""
    from django.http import Http404

    obj = model._default_manager.visible_to(request.user).filter(**lookup).first()
    if obj is None:
        foreign = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
        if foreign is not None:
            record_foreign_attempt(request, model, foreign)
        raise Http404(gettext("对象不存在或您无权访问。"))
    return obj
