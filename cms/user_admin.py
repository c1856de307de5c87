"""本辖区用户: a coordinator manages the accounts of their own jurisdiction and the roles they hold.

Wagtail's own user admin is global (every user, every group, superuser and staff rights) and stays with
superusers. Here a coordinator lists, creates and edits only the users whose department memberships all lie in
their jurisdictions, gives only the plugin's roles (the per-jurisdiction groups follow by
``zhunru.roles.sync_user_groups``) and only their jurisdictions' departments, never staff or superuser rights
and never another group. A user of another jurisdiction (or of two, one of them foreign: a role given here
would hold there too) answers 404 and the attempt is audited (越权访问尝试). Every change is audited.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru import roles
from zhunru.audit.recording import record
from zhunru.scoping import is_coordinator, record_foreign_attempt, user_jurisdictions


def managed_jurisdictions(user) -> QuerySet:
    """The jurisdictions whose accounts ``user`` manages: a coordinator's own, a superuser's all, else none."""
    from zhunru.models import Jurisdiction

    if not user.is_authenticated or not is_coordinator(user):
        return Jurisdiction.objects.none()
    return user_jurisdictions(user)


def managed_departments(user) -> QuerySet:
    from zhunru.models import Department

    return Department.objects.filter(jurisdiction__in=managed_jurisdictions(user)).select_related("jurisdiction")


def managed_users(user) -> QuerySet:
    """Users who belong to the manager's jurisdictions and to no other, never a superuser or staff account."""
    from zhunru.models import Jurisdiction

    User = get_user_model()
    mine = managed_jurisdictions(user)
    elsewhere = User.objects.filter(
        department_memberships__department__jurisdiction__in=Jurisdiction.objects.exclude(pk__in=mine.values("pk")))
    return (User.objects.filter(department_memberships__department__jurisdiction__in=mine)
            .exclude(pk__in=elsewhere.values("pk")).filter(is_superuser=False, is_staff=False).distinct())


class AccountForm(forms.ModelForm):
    """An account of the manager's jurisdictions: its name, departments and roles; a password when new."""

    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("所在部门"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("只能选择本辖区的部门；数据按部门和辖区限定。"))
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("角色"), choices=[(role, role) for role in roles.ROLES], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("在本辖区担任的角色；审计员只能查阅，不能办理。"))
    password1 = forms.CharField(label=gettext_lazy("密码"), widget=forms.PasswordInput, required=False, strip=False)
    password2 = forms.CharField(label=gettext_lazy("再次输入密码"), widget=forms.PasswordInput, required=False,
                                strip=False)

    class Meta:
        model = get_user_model()
        fields = ["username", "last_name", "first_name", "email", "is_active"]
        labels = {"username": gettext_lazy("用户名"), "last_name": gettext_lazy("姓"),
                  "first_name": gettext_lazy("名"), "email": gettext_lazy("电子邮箱"),
                  "is_active": gettext_lazy("启用")}

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.fields["departments"].queryset = managed_departments(manager)
        self.fields["departments"].label_from_instance = lambda d: f"{d.jurisdiction.name} · {d.name}"
        if self.instance.pk:
            self.fields["departments"].initial = list(
                self.instance.department_memberships.values_list("department_id", flat=True))
            self.fields["roles"].initial = list(
                self.instance.groups.filter(name__in=roles.ROLES).values_list("name", flat=True))
            self.fields["password1"].help_text = _("留空则不修改密码。")
        else:
            self.fields["password1"].required = self.fields["password2"].required = True

    def clean_username(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if not username:
            raise forms.ValidationError(_("请填写用户名。"))
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first or second:
            if first != second:
                self.add_error("password2", _("两次输入的密码不一致。"))
            else:
                try:
                    password_validation.validate_password(first, self.instance)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    @transaction.atomic
    def save(self, commit: bool = True):
        from zhunru.models import DepartmentMembership

        user = super().save(commit=False)
        user.is_staff = user.is_superuser = False  # never more than the admin needs
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        elif user.pk is None:
            user.set_unusable_password()
        user.save()
        # Departments: the chosen ones of the manager's jurisdictions (a managed user has no other).
        chosen = {d.pk for d in self.cleaned_data["departments"]}
        mine = self.fields["departments"].queryset.values("pk")
        DepartmentMembership.objects.filter(user=user, department__in=mine).exclude(department__in=chosen).delete()
        held = set(user.department_memberships.values_list("department_id", flat=True))
        for pk in sorted(chosen - held):
            DepartmentMembership.objects.create(user=user, department_id=pk)
        # Roles: the plugin's role groups only; any other group the account holds is left as it is.
        wanted = set(self.cleaned_data["roles"])
        current = set(user.groups.filter(name__in=roles.ROLES).values_list("name", flat=True))
        if current - wanted:
            user.groups.remove(*Group.objects.filter(name__in=current - wanted))
        if wanted - current:
            user.groups.add(*Group.objects.filter(name__in=wanted - current))
        roles.sync_user_groups(user)
        self.role_changes = {"roles": [sorted(current), sorted(wanted)]} if current != wanted else {}
        return user


def _require_manager(request):
    if not managed_jurisdictions(request.user).exists():
        raise PermissionDenied(_("只有发改委协调员可以管理本辖区的用户。"))


def _managed_or_404(request, pk: int):
    user = managed_users(request.user).filter(pk=pk).first()
    if user is None:
        if get_user_model().objects.filter(pk=pk).exists():
            record_foreign_attempt(request, get_user_model(), pk)
        raise Http404(_("用户不存在或不属于您管理的辖区。"))
    return user


def index(request):
    """The accounts of the coordinator's jurisdictions, with their departments and roles."""
    _require_manager(request)
    users = (managed_users(request.user).order_by("username")
             .prefetch_related("department_memberships__department", "groups"))
    rows = [{"user": u, "departments": [m.department for m in u.department_memberships.all()],
             "roles": [g.name for g in u.groups.all() if g.name in roles.ROLES]} for u in users]
    return TemplateResponse(request, "zhunru/admin/jurisdiction_users.html", {
        "rows": rows, "jurisdictions": managed_jurisdictions(request.user), "header_title": _("本辖区用户")})


def _form_page(request, form, title: str):
    return TemplateResponse(request, "zhunru/admin/jurisdiction_user_form.html", {
        "form": form, "header_title": title, "page_title": title})


def create(request):
    _require_manager(request)
    form = AccountForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        record("user.account_created", obj=user, actor=request.user, request=request,
               changes={"departments": [str(d) for d in form.cleaned_data["departments"]], **form.role_changes})
        messages.success(request, _("已创建用户“%(name)s”。") % {"name": user.username})
        return redirect("zhunru_jurisdiction_users")
    return _form_page(request, form, _("新建本辖区用户"))


def edit(request, pk: int):
    _require_manager(request)
    account = _managed_or_404(request, pk)
    form = AccountForm(request.POST or None, instance=account, manager=request.user)
    if request.method == "POST" and form.is_valid():
        changed = sorted(set(form.changed_data) - {"password1", "password2"})
        user = form.save()
        changes = {"fields": changed, **form.role_changes}
        if form.cleaned_data.get("password1"):
            changes["password"] = "reset"
        record("user.account_changed", obj=user, actor=request.user, request=request, changes=changes)
        messages.success(request, _("已保存用户“%(name)s”。") % {"name": user.username})
        return redirect("zhunru_jurisdiction_users")
    return _form_page(request, form, _("编辑用户：%(name)s") % {"name": account.username})


# --- Admin wiring (imported by the core app's ready()) -----------------------------------------------------

def _register_hooks() -> None:
    from django.urls import path, reverse
    from wagtail import hooks
    from wagtail.admin.menu import MenuItem

    class UsersMenuItem(MenuItem):
        def is_shown(self, request):
            return managed_jurisdictions(request.user).exists()

    @hooks.register("register_admin_urls")
    def jurisdiction_user_urls():
        return [
            path("zhunru/users/", index, name="zhunru_jurisdiction_users"),
            path("zhunru/users/new/", create, name="zhunru_jurisdiction_user_add"),
            path("zhunru/users/<int:pk>/", edit, name="zhunru_jurisdiction_user_edit"),
        ]

    @hooks.register("register_admin_menu_item")
    def jurisdiction_users_menu_item():
        return UsersMenuItem(_("本辖区用户"), reverse("zhunru_jurisdiction_users"), icon_name="user", order=891)


_register_hooks()
