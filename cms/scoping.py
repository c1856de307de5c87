"""Who may see what: department scoping applied in queries, not templates."""

from django.db.models import QuerySet

from zhunru import roles


def is_coordinator(user) -> bool:
    """Coordinators (and superusers) see every department of their jurisdictions."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=[roles.COORDINATOR, roles.AUDITOR]).exists()


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


def visible_departments(user) -> QuerySet:
    """Departments whose records the user may see: all of its jurisdictions for coordinators, else its own."""
    from zhunru.models import Department

    if not user.is_authenticated:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    if is_coordinator(user):
        return Department.objects.filter(jurisdiction__in=user_jurisdictions(user))
    return user_departments(user)


def scope_choices(queryset: QuerySet, user) -> QuerySet:
    """What a choice list (a form field, a listing's filter facet) may offer the user: their jurisdictions,
    those jurisdictions' departments, or the records ``visible_to`` them; other models as they are."""
    from zhunru.models import Department, Jurisdiction

    if user is None or getattr(user, "is_superuser", False):
        return queryset
    if queryset.model is Jurisdiction:
        return queryset.filter(pk__in=user_jurisdictions(user).values("pk"))
    if queryset.model is Department:
        return queryset.filter(jurisdiction__in=user_jurisdictions(user).values("pk"))
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
        object_id=str(pk), note=f"越权访问尝试：{request.method} {request.get_full_path()[:400]}",
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
        raise Http404("对象不存在或您无权访问。")
    return obj
