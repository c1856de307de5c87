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
