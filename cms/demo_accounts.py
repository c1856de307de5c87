"""Demo logins: one account per role in each seed jurisdiction, with one documented password.

``load_demo`` creates them (idempotent). The password is public (README, "演示账号"), so it is only
set where DEBUG is on (`make run`); elsewhere the accounts get an unusable password. A system check
(zhunru.security.checks) refuses a database that still holds an account with the demo password when
DEBUG is off: the password is hashed with a fixed salt, which marks it until somebody changes it.
"""

from dataclasses import dataclass

from django.conf import settings

from zhunru import roles

DEMO_PASSWORD = "zhunru-demo-2026"
# A fixed salt marks a hash as "set by load_demo" so the check below finds it without hashing anything.
DEMO_SALT = "zhunrudemo2026"


@dataclass(frozen=True)
class DemoAccount:
    suffix: str
    role: str
    # A department of the jurisdiction: "lead", a Department.Kind, or its exact name; "higher" is the lead
    # department of the higher-level jurisdiction (Jurisdiction.parent), where the extension approver works.
    department: str
    duties: str


# Usernames are "<jurisdiction slug>-<suffix>"; coordinator, market, responsible and approver are the
# people the demo leads (zhunru.leads.demo) are transferred to and handled by.
ACCOUNTS = [
    DemoAccount("editor", roles.EDITOR, "lead", "编辑门户页面和典型案例通报，提交审核"),
    DemoAccount("legal", roles.LEGAL_REVIEWER, "justice", "对提交发布的通报做合法性审查（通过或退回）"),
    DemoAccount("coordinator", roles.COORDINATOR, "lead",
                "受理群众反映、登记和移交线索、督办、办结；审批通报发布；管理部门和人员"),
    DemoAccount("market", roles.DEPARTMENT_OFFICER, "market_regulation", "主管单位经办人：签收、核查线索并报送核查意见"),
    DemoAccount("responsible", roles.DEPARTMENT_OFFICER, "responsible", "责任单位经办人：整改、报送整改情况、申请延期"),
    DemoAccount("approver", roles.EXTENSION_APPROVER, "higher", "上级发展改革部门：审批下级辖区线索办理期限的延期申请"),
    DemoAccount("auditor", roles.AUDITOR, "lead", "查阅和导出审计日志（只读）"),
]

# The responsible unit of the demo leads, per seed jurisdiction (division code → slug, department name).
JURISDICTIONS = {
    "360202": ("changjiang", "昌江区住房和城乡建设局"),
    "141081": ("houma", "侯马市交通运输局"),
}


def username(slug: str, account: DemoAccount) -> str:
    return f"{slug}-{account.suffix}"


def demo_usernames() -> list[str]:
    return [username(slug, account) for slug, _ in JURISDICTIONS.values() for account in ACCOUNTS]


def _department(jurisdiction, key: str, responsible: str):
    departments = jurisdiction.departments.all()
    if key == "higher":
        return jurisdiction.parent.lead_department if jurisdiction.parent_id else jurisdiction.lead_department
    if key == "lead":
        return jurisdiction.lead_department
    if key == "responsible":
        return departments.filter(name=responsible).first()
    return departments.filter(kind=key).order_by("pk").first()


def load(stdout=None) -> list[str]:
    """Create (or complete) the demo accounts of the seed jurisdictions; return their usernames.

    A password somebody changed is kept; an account without a usable password (created by another
    demo loader, or earlier with DEBUG off) gets the demo password while DEBUG is on.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from zhunru.models import DepartmentMembership, Jurisdiction

    roles.sync_roles()
    demo_password = make_password(DEMO_PASSWORD, salt=DEMO_SALT) if settings.DEBUG else None
    User = get_user_model()
    made = []
    for code, (slug, responsible) in JURISDICTIONS.items():
        jurisdiction = Jurisdiction.objects.filter(division_code=code).first()
        if jurisdiction is None:
            continue
        for account in ACCOUNTS:
            name = username(slug, account)
            user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.invalid"})
            if not user.password or not user.has_usable_password():  # new, or never given one
                user.password = demo_password or make_password(None)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=account.role))
            department = _department(jurisdiction, account.department, responsible)
            if department is not None:
                DepartmentMembership.objects.get_or_create(user=user, department=department)
                if account.department == "higher":  # the higher office's approver is no member of the lower one
                    DepartmentMembership.objects.filter(user=user).exclude(department=department).delete()
            made.append(name)
    if stdout is not None:
        if settings.DEBUG:
            stdout.write(f"演示账号 {len(made)} 个（见 README“演示账号”），密码均为：{DEMO_PASSWORD}")
        else:
            stdout.write(f"演示账号 {len(made)} 个；DEBUG 未开启，未设置演示密码（请由管理员重设密码后使用）。")
    return made

