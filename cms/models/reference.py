"""Reference data every mechanism hangs off: jurisdictions, their departments, who belongs where."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy


class Jurisdiction(models.Model):
    """A district or county-level city running the mechanisms; one Wagtail Site each."""

    class Level(models.TextChoices):
        PROVINCE = "province", gettext_lazy("省级")
        CITY = "city", gettext_lazy("地级市")
        DISTRICT = "district", gettext_lazy("市辖区")
        COUNTY = "county", gettext_lazy("县")
        COUNTY_CITY = "county_city", gettext_lazy("县级市")

    name = models.CharField(gettext_lazy("名称"), max_length=100, unique=True)
    short_name = models.CharField(gettext_lazy("简称"), max_length=20, help_text=gettext_lazy("用于编号，如“昌”“侯”。"))
    level = models.CharField(gettext_lazy("行政级别"), max_length=20, choices=Level.choices)
    division_code = models.CharField(
        gettext_lazy("行政区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", gettext_lazy("行政区划代码应为 6 位数字。"))],
    )
    higher_office = models.CharField(
        gettext_lazy("上级发展改革部门"), max_length=100, blank=True, help_text=gettext_lazy("审批延期申请的上级机关，如“景德镇市发展和改革委员会”。")
    )
    escalates_to = models.CharField(
        gettext_lazy("督办上报机关"), max_length=100, blank=True,
        help_text=gettext_lazy("线索逾期督办升级时报请的本级人民政府；通报草稿和提醒中引用此名称。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=gettext_lazy("上级辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=gettext_lazy("上级发展改革部门也使用本系统时选择其辖区；延期申请由上级辖区的延期审批人审批。"),
    )
    office_name = models.CharField(
        gettext_lazy("发展改革部门全称"),
        max_length=100,
        blank=True,
        help_text=gettext_lazy("文书、通知和门户中使用的机关名称，如“侯马市发展和改革局”；留空时使用牵头部门名称。"),
    )
    lead_rule_name = models.CharField(
        gettext_lazy("线索办理规则名称"), max_length=30, default="0137", help_text=gettext_lazy("本地对线索办理时限规则的称呼，如“0137”。")
    )
    lead_number_format = models.CharField(
        gettext_lazy("线索编号格式"),
        max_length=100,
        default="{short}发改线索〔{year}〕{serial}号",
        help_text=gettext_lazy("可用字段：{short} 辖区简称、{year} 年度、{serial} 序号、{division_code} 区划代码。"),
    )
    site = models.OneToOneField(
        "wagtailcore.Site",
        verbose_name=gettext_lazy("门户站点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jurisdiction",
    )
    office_closes_at = models.TimeField(
        gettext_lazy("办公截止时间"), null=True, blank=True, help_text=gettext_lazy("期限届满的时刻；留空表示当日 24:00。")
    )

    class Meta:
        verbose_name = gettext_lazy("辖区")
        verbose_name_plural = gettext_lazy("辖区")
        ordering = ["division_code"]

    def __str__(self) -> str:
        return self.name

    @property
    def lead_department(self) -> "Department | None":
        return self.departments.filter(is_lead=True).first()

    @property
    def office(self) -> str:
        """The office's official name: the configured one, else the lead department's, else the jurisdiction's."""
        if self.office_name:
            return self.office_name
        lead = self.lead_department
        return lead.name if lead is not None else self.name

    @property
    def higher_office_name(self) -> str:
        """The higher-level office: the parent jurisdiction's office when it is on this installation."""
        if self.parent_id is not None:
            return self.parent.office
        return self.higher_office


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DepartmentQuerySet":
        """The departments of the user's jurisdictions (every one for superusers, none without a jurisdiction)."""
        from zhunru.scoping import user_jurisdictions

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(jurisdiction__in=user_jurisdictions(user))


class Department(models.Model):
    """A department of a jurisdiction: the lead department (发改委/发展和改革局) or a competent unit."""

    class Kind(models.TextChoices):
        DEVELOPMENT_REFORM = "development_reform", gettext_lazy("发展改革")
        MARKET_REGULATION = "market_regulation", gettext_lazy("市场监管")
        JUSTICE = "justice", gettext_lazy("司法行政")
        ADMINISTRATIVE_APPROVAL = "administrative_approval", gettext_lazy("行政审批")
        INDUSTRY = "industry", gettext_lazy("行业主管")
        GOVERNMENT = "government", gettext_lazy("人民政府")
        OTHER = "other", gettext_lazy("其他")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(gettext_lazy("名称"), max_length=100)
    short_name = models.CharField(gettext_lazy("简称"), max_length=30, blank=True)
    kind = models.CharField(gettext_lazy("类别"), max_length=30, choices=Kind.choices, default=Kind.INDUSTRY)
    is_lead = models.BooleanField(gettext_lazy("牵头部门"), default=False, help_text=gettext_lazy("负责线索移交和案例登记的发展改革部门。"))
    email = models.EmailField(gettext_lazy("联系邮箱"), blank=True)
    phone = models.CharField(gettext_lazy("联系电话"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(gettext_lazy("排序"), default=100)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("部门")
        verbose_name_plural = gettext_lazy("部门")
        ordering = ["jurisdiction", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="zhunru_department_unique_name"),
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=models.Q(is_lead=True),
                name="zhunru_department_one_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction.short_name}·{self.short_name or self.name}"


class DepartmentMembershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DepartmentMembershipQuerySet":
        """Memberships of the departments of the user's jurisdictions (all for superusers)."""
        from zhunru.scoping import user_jurisdictions

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(department__jurisdiction__in=user_jurisdictions(user))


class DepartmentMembership(models.Model):
    """A user's membership of a department; scoping of leads, ledgers and files follows it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("用户"), on_delete=models.CASCADE, related_name="department_memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name=gettext_lazy("部门"), on_delete=models.CASCADE, related_name="memberships"
    )
    title = models.CharField(gettext_lazy("职务"), max_length=50, blank=True)

    objects = DepartmentMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("部门成员")
        verbose_name_plural = gettext_lazy("部门成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="zhunru_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class JurisdictionGroup(models.Model):
    """A per-jurisdiction role group (e.g. "侯马市·编辑"): page and collection permissions of one jurisdiction.

    Model permissions stay on the global role groups (Django permissions are global); page, image and
    document permissions are given to these groups only, so an editor of one jurisdiction cannot edit
    another's pages. ``zhunru.roles.provision_jurisdiction`` creates them; ``roles.sync_user_groups`` puts a
    user in them from their global roles and department memberships."""

    group = models.OneToOneField(
        "auth.Group", verbose_name=gettext_lazy("用户组"), on_delete=models.CASCADE, related_name="zhunru_jurisdiction_role"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=gettext_lazy("辖区"), on_delete=models.CASCADE, related_name="role_groups"
    )
    role = models.CharField(gettext_lazy("角色"), max_length=50)

    class Meta:
        verbose_name = gettext_lazy("辖区角色组")
        verbose_name_plural = gettext_lazy("辖区角色组")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "role"], name="zhunru_jurisdictiongroup_unique_role"),
        ]

    def __str__(self) -> str:
        return self.group.name
