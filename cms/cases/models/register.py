"""The case register (section 十三): cases, their numbering, archiving, periodic review and file checks."""

import datetime
import string

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhunru.audit.recording import record
from zhunru.cases import conf
from zhunru.cases.querysets import CaseQuerySet
from zhunru.cases.signals import case_transitioned
from zhunru.clock import format_datetime


class CaseTransitionError(ValidationError):
    """An illegal life-cycle step (e.g. archiving a case that was never registered)."""


class Category(models.TextChoices):
    """The three categories of typical cases (section 八(二))."""

    ENTRY_CONDITIONS = "entry_conditions", gettext_lazy("违规增设准入条件")
    DISCRIMINATORY = "discriminatory", gettext_lazy("歧视性政策")
    UNFAIR_COMPETITION = "unfair_competition", gettext_lazy("不正当竞争")


class Subcategory(models.TextChoices):
    EXTRA_APPROVAL = "extra_approval", gettext_lazy("超出清单增设审批环节")
    DISGUISED_THRESHOLD = "disguised_threshold", gettext_lazy("变相设定歧视性门槛")
    OWNERSHIP = "ownership", gettext_lazy("所有制歧视")
    NON_LOCAL = "non_local", gettext_lazy("限制外地企业")
    BIDDING = "bidding", gettext_lazy("招投标限制")
    ADMINISTRATIVE_MONOPOLY = "administrative_monopoly", gettext_lazy("行政垄断")
    FALSE_QUALIFICATION = "false_qualification", gettext_lazy("虚假资质")


SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    Category.ENTRY_CONDITIONS: (Subcategory.EXTRA_APPROVAL, Subcategory.DISGUISED_THRESHOLD),
    Category.DISCRIMINATORY: (Subcategory.OWNERSHIP, Subcategory.NON_LOCAL, Subcategory.BIDDING),
    Category.UNFAIR_COMPETITION: (Subcategory.ADMINISTRATIVE_MONOPOLY, Subcategory.FALSE_QUALIFICATION),
}


class Importance(models.TextChoices):
    MAJOR = "major", gettext_lazy("重大")
    IMPORTANT = "important", gettext_lazy("重要")
    GENERAL = "general", gettext_lazy("一般")


# Retention period codes of the archive number (DA/T 22: 永久, 定期30年, 定期10年).
RETENTION = {Importance.MAJOR: "Y", Importance.IMPORTANT: "D30", Importance.GENERAL: "D10"}


class Source(models.TextChoices):
    """Who found the case (section 十三(三))."""

    REGULATOR = "regulator", gettext_lazy("行业监管部门")
    ENFORCEMENT = "enforcement", gettext_lazy("执法部门")
    ENTERPRISE = "enterprise", gettext_lazy("企事业单位")
    PUBLIC = "public", gettext_lazy("社会公众")


class Status(models.TextChoices):
    REPORTED = "reported", gettext_lazy("已报送")
    REGISTERED = "registered", gettext_lazy("已登记")
    UNDER_REVIEW = "under_review", gettext_lazy("审核中")
    ARCHIVED = "archived", gettext_lazy("已归档")


REGISTERED_STATUSES = (Status.REGISTERED, Status.UNDER_REVIEW, Status.ARCHIVED)

_FORMAT_FIELDS = {"short", "year", "serial", "division_code", "retention"}


def validate_number_format(value: str) -> None:
    """A format must name only known fields and contain the serial, so numbers stay unique."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError:
        raise ValidationError(gettext("编号格式有误（花括号不配对）。"), code="bad_format")
    unknown = names - _FORMAT_FIELDS
    if unknown:
        raise ValidationError(
            gettext("编号格式含未知字段：%(fields)s。可用字段：{short}、{year}、{serial}、{division_code}、{retention}。"),
            code="unknown_field",
            params={"fields": "、".join(sorted(unknown))},
        )
    if "serial" not in names or "year" not in names:
        raise ValidationError(gettext("编号格式必须包含 {year} 和 {serial}。"), code="missing_serial")
    try:
        value.format(short=gettext("昌"), year=2026, serial=1, division_code="360202", retention="Y")
    except (ValueError, KeyError, IndexError):
        raise ValidationError(gettext("编号格式有误。"), code="bad_format")


def default_interval(importance: str) -> int:
    return int(conf.get("REVIEW_INTERVAL_DAYS")[importance])


class RegisterSettingsQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators (and auditors, reading) see their own jurisdictions' settings; superusers all."""
        from zhunru.scoping import scoped

        return scoped(self, user)


class RegisterSettings(models.Model):
    """Per-jurisdiction settings of the register: number formats, review intervals, keepers' address."""

    jurisdiction = models.OneToOneField(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.CASCADE, related_name="case_register"
    )
    number_format = models.CharField(
        gettext_lazy("登记编号格式"),
        max_length=100,
        default=conf.DEFAULTS["REGISTER_NUMBER_FORMAT"],
        validators=[validate_number_format],
        help_text=gettext_lazy("可用字段：{short} 辖区简称、{year} 年度、{serial} 序号、{division_code} 区划代码。"),
    )
    archive_number_format = models.CharField(
        gettext_lazy("档号格式"),
        max_length=100,
        default=conf.DEFAULTS["ARCHIVE_NUMBER_FORMAT"],
        validators=[validate_number_format],
        help_text=gettext_lazy("另可用 {retention}：保管期限代码（Y 永久、D30 定期30年、D10 定期10年）。"),
    )
    review_days_major = models.PositiveIntegerField(gettext_lazy("重大案例审核周期（天）"), default=90)
    review_days_important = models.PositiveIntegerField(gettext_lazy("重要案例审核周期（天）"), default=180)
    review_days_general = models.PositiveIntegerField(gettext_lazy("一般案例审核周期（天）"), default=365)
    keeper_email = models.EmailField(
        gettext_lazy("案例资料管理邮箱"), blank=True, help_text=gettext_lazy("定期审核和安全检查的提醒同时发往此邮箱。")
    )

    objects = RegisterSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("案例登记设置")
        verbose_name_plural = gettext_lazy("案例登记设置")

    def __str__(self) -> str:
        return gettext("{jurisdiction} 案例登记设置").format(jurisdiction=self.jurisdiction)

    @classmethod
    def for_jurisdiction(cls, jurisdiction) -> "RegisterSettings":
        """The saved settings, or unsaved defaults when the jurisdiction has none."""
        found = cls.objects.filter(jurisdiction=jurisdiction).first()
        if found is not None:
            return found
        return cls(
            jurisdiction=jurisdiction,
            number_format=conf.get("REGISTER_NUMBER_FORMAT"),
            archive_number_format=conf.get("ARCHIVE_NUMBER_FORMAT"),
            review_days_major=default_interval(Importance.MAJOR),
            review_days_important=default_interval(Importance.IMPORTANT),
            review_days_general=default_interval(Importance.GENERAL),
        )

    def review_interval(self, importance: str) -> datetime.timedelta:
        return datetime.timedelta(days=getattr(self, f"review_days_{importance}"))

    def keepers(self):
        """Users who keep the register: coordinators who belong to the jurisdiction's lead department."""
        from django.contrib.auth import get_user_model

        from zhunru import roles

        return (
            get_user_model()
            .objects.filter(
                is_active=True,
                groups__name=roles.COORDINATOR,
                department_memberships__department__jurisdiction=self.jurisdiction,
                department_memberships__department__is_lead=True,
            )
            .distinct()
        )

    def keeper_addresses(self) -> list[str]:
        addresses = [u.email for u in self.keepers() if u.email]
        if self.keeper_email:
            addresses.append(self.keeper_email)
        lead = self.jurisdiction.lead_department
        if not addresses and lead is not None and lead.email:
            addresses.append(lead.email)
        return sorted(set(addresses))


class RegisterCounter(models.Model):
    """The last serial handed out per jurisdiction, year and kind; locked while a number is allocated."""

    class Kind(models.TextChoices):
        REGISTER = "register", gettext_lazy("登记编号")
        ARCHIVE = "archive", gettext_lazy("档号")
        LEAD = "lead", gettext_lazy("线索编号")

    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(gettext_lazy("年度"))
    kind = models.CharField(gettext_lazy("类别"), max_length=10, choices=Kind.choices)
    last_serial = models.PositiveIntegerField(gettext_lazy("已用序号"), default=0)

    class Meta:
        verbose_name = gettext_lazy("编号计数器")
        verbose_name_plural = gettext_lazy("编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year", "kind"], name="zhunru_cases_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year} {self.get_kind_display()} {self.last_serial}"

    @classmethod
    def allocate(cls, jurisdiction, year: int, kind: str) -> int:
        """Next serial, gap-free: the counter row stays locked until the caller's transaction ends."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("RegisterCounter.allocate must run inside the registering transaction")
        counter, _ = cls.objects.select_for_update().get_or_create(jurisdiction=jurisdiction, year=year, kind=kind)
        counter.last_serial += 1
        counter.save(update_fields=["last_serial"])
        return counter.last_serial


class Case(models.Model):
    """A case of a market-access violation, reported by a department and registered by the lead department."""

    # Fields the public may see once the case is in a published bulletin (portal, API v1 and v2).
    PUBLIC_FIELDS = (
        "register_number",
        "title",
        "region",
        "organization",
        "document_name",
        "document_number",
        "category",
        "subcategory",
        "facts_date",
        "summary",
        "violated_clause",
        "handling_result",
        "keywords",
    )

    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT, related_name="cases"
    )
    reporting_department = models.ForeignKey(
        "zhunru_cms.Department",
        verbose_name=gettext_lazy("报送部门"),
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    title = models.CharField(gettext_lazy("案例名称"), max_length=200)
    region = models.CharField(gettext_lazy("地区"), max_length=100, blank=True)
    organization = models.CharField(gettext_lazy("涉及单位"), max_length=200, help_text=gettext_lazy("被反映的机关、单位或经营主体。"))
    document_name = models.CharField(gettext_lazy("涉及文件名称"), max_length=200, blank=True)
    document_number = models.CharField(gettext_lazy("涉及文件文号"), max_length=100, blank=True)
    category = models.CharField(gettext_lazy("案例类别"), max_length=30, choices=Category.choices)
    subcategory = models.CharField(gettext_lazy("细分类别"), max_length=30, choices=Subcategory.choices, blank=True)
    source = models.CharField(gettext_lazy("案例来源"), max_length=20, choices=Source.choices, default=Source.REGULATOR)
    source_department = models.ForeignKey(
        "zhunru_cms.Department",
        verbose_name=gettext_lazy("发现部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_person = models.CharField(gettext_lazy("反映人（单位）"), max_length=100, blank=True, help_text=gettext_lazy("不对外公开。"))
    source_contact = models.CharField(gettext_lazy("反映人联系方式"), max_length=100, blank=True, help_text=gettext_lazy("不对外公开。"))
    facts_date = models.DateField(gettext_lazy("事实发生日期"), null=True, blank=True)
    importance = models.CharField(gettext_lazy("重要程度"), max_length=20, choices=Importance.choices, default=Importance.GENERAL)
    summary = models.TextField(gettext_lazy("基本案情"))
    violated_clause = models.TextField(gettext_lazy("违反的规定条款"), blank=True)
    handling_result = models.TextField(gettext_lazy("处理及整改结果"), blank=True)
    internal_notes = models.TextField(gettext_lazy("内部备注"), blank=True, help_text=gettext_lazy("仅供内部查阅，不对外公开。"))
    keywords = models.CharField(gettext_lazy("目录关键词"), max_length=200, blank=True, help_text=gettext_lazy("以顿号或空格分隔。"))
    leads = models.ManyToManyField("zhunru_leads.Lead", verbose_name=gettext_lazy("关联线索"), blank=True, related_name="cases")
    published_on = models.DateField(gettext_lazy("通报日期"), null=True, blank=True, help_text=gettext_lazy("导入的既往案例原通报日期。"))
    bulletin_reference = models.CharField(gettext_lazy("原通报"), max_length=200, blank=True)
    import_key = models.CharField(gettext_lazy("导入标识"), max_length=64, blank=True, editable=False)

    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.REPORTED, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("报送人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    reported_at = models.DateTimeField(gettext_lazy("报送时间"), default=timezone.now, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("登记人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    registered_at = models.DateTimeField(gettext_lazy("登记时间"), null=True, blank=True, editable=False)
    register_year = models.PositiveSmallIntegerField(gettext_lazy("登记年度"), null=True, blank=True, editable=False)
    register_serial = models.PositiveIntegerField(gettext_lazy("登记序号"), null=True, blank=True, editable=False)
    register_number = models.CharField(gettext_lazy("登记编号"), max_length=100, null=True, blank=True, unique=True, editable=False)
    review_started_at = models.DateTimeField(gettext_lazy("审核开始时间"), null=True, blank=True, editable=False)
    last_reviewed_on = models.DateField(gettext_lazy("最近定期审核日期"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("归档人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    archived_at = models.DateTimeField(gettext_lazy("归档时间"), null=True, blank=True, editable=False)
    archive_year = models.PositiveSmallIntegerField(gettext_lazy("归档年度"), null=True, blank=True, editable=False)
    archive_serial = models.PositiveIntegerField(gettext_lazy("档案序号"), null=True, blank=True, editable=False)
    archive_number = models.CharField(gettext_lazy("档号"), max_length=100, null=True, blank=True, unique=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("案例")
        verbose_name_plural = gettext_lazy("案例登记簿")
        ordering = ["-register_year", "-register_serial", "-reported_at"]
        permissions = [
            ("register_case", gettext_lazy("可以登记、审核和归档案例")),
            ("export_catalogue", gettext_lazy("可以导出档案目录")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "register_year", "register_serial"], name="zhunru_cases_register_serial"
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "archive_year", "archive_serial"], name="zhunru_cases_archive_serial"
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "import_key"],
                condition=~models.Q(import_key=""),
                name="zhunru_cases_import_key",
            ),
        ]
        indexes = [models.Index(fields=["jurisdiction", "status"])]

    def __str__(self) -> str:
        return f"{self.register_number} {self.title}" if self.register_number else self.title

    def clean(self) -> None:
        if self.subcategory and self.category and self.subcategory not in SUBCATEGORIES.get(self.category, ()):
            raise ValidationError(
                {"subcategory": gettext("细分类别“{label}”不属于“{label2}”。").format(label=Subcategory(self.subcategory).label, label2=Category(self.category).label)}
            )
        if self.reporting_department_id and self.jurisdiction_id:
            if self.reporting_department.jurisdiction_id != self.jurisdiction_id:
                raise ValidationError({"reporting_department": gettext("报送部门不属于该辖区。")})

    # --- life cycle -----------------------------------------------------------------

    def may_keep_register(self, user) -> bool:
        """Whether ``user`` may take the register's steps on this case (登记, 审核, 归档, 定期审核): a keeper of
        the register (``register_case``, the coordinator's) in the case's jurisdiction, or a superuser. A
        department officer reports cases; they do not register them."""
        from zhunru.scoping import user_jurisdictions

        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        return user.has_perm("zhunru_cases.register_case") and user_jurisdictions(user).filter(
            pk=self.jurisdiction_id).exists()

    def _require_keeper(self, by) -> None:
        """``by=None`` is the system acting by rule (a worker, a data migration); a person must keep the register."""
        if by is not None and not self.may_keep_register(by):
            raise PermissionDenied(gettext("只有本辖区牵头部门的案例管理人员可以登记、审核和归档案例。"))

    def _locked_status(self) -> str:
        """Re-read the status under a row lock so two officers cannot take the same step twice."""
        return Case.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)

    def _transition(self, action: str, *, by, request, old: str, changes: dict, note: str = "") -> None:
        record(
            f"case.{action}",
            obj=self,
            actor=by,
            request=request,
            department=self.reporting_department,
            changes={"status": [old, self.status], **changes},
            note=note,
        )
        case_transitioned.send(sender=Case, case=self, action=action, user=by)

    @transaction.atomic
    def register(self, *, by=None, request=None, on: datetime.date | None = None) -> str:
        """Register a reported case and give it the next register number of the jurisdiction's year."""
        self._require_keeper(by)
        current = self._locked_status()
        if current != Status.REPORTED:
            raise CaseTransitionError(gettext("案例当前状态为“{label}”，只有“已报送”的案例可以登记。").format(label=Status(current).label))
        now = timezone.now()
        year = (on or timezone.localdate(now)).year
        register = RegisterSettings.for_jurisdiction(self.jurisdiction)
        serial = RegisterCounter.allocate(self.jurisdiction, year, RegisterCounter.Kind.REGISTER)
        self.register_year, self.register_serial = year, serial
        self.register_number = register.number_format.format(
            short=self.jurisdiction.short_name,
            year=year,
            serial=serial,
            division_code=self.jurisdiction.division_code,
            retention=RETENTION[self.importance],
        )
        self.status = Status.REGISTERED
        self.registered_at, self.registered_by = now, by
        self.last_reviewed_on = timezone.localdate(now)
        self.save(
            update_fields=[
                "status", "register_year", "register_serial", "register_number",
                "registered_at", "registered_by", "last_reviewed_on",
            ]
        )
        self._transition("register", by=by, request=request, old=current,
                         changes={"register_number": [None, self.register_number]})
        return self.register_number

    @transaction.atomic
    def start_review(self, *, by=None, request=None) -> None:
        """Begin the lead department's analysis of a registered case (分析研究)."""
        self._require_keeper(by)
        current = self._locked_status()
        if current != Status.REGISTERED:
            raise CaseTransitionError(gettext("案例当前状态为“{label}”，只有“已登记”的案例可以进入审核。").format(label=Status(current).label))
        self.status = Status.UNDER_REVIEW
        self.review_started_at = timezone.now()
        self.save(update_fields=["status", "review_started_at"])
        self._transition("start_review", by=by, request=request, old=current, changes={})

    @transaction.atomic
    def archive(self, *, by=None, request=None) -> str:
        """Archive a reviewed case and give it the next archive number (档号) of the year."""
        self._require_keeper(by)
        current = self._locked_status()
        if current != Status.UNDER_REVIEW:
            raise CaseTransitionError(gettext("案例当前状态为“{label}”，只有“审核中”的案例可以归档。").format(label=Status(current).label))
        now = timezone.now()
        year = timezone.localdate(now).year
        register = RegisterSettings.for_jurisdiction(self.jurisdiction)
        serial = RegisterCounter.allocate(self.jurisdiction, year, RegisterCounter.Kind.ARCHIVE)
        self.archive_year, self.archive_serial = year, serial
        self.archive_number = register.archive_number_format.format(
            short=self.jurisdiction.short_name,
            year=year,
            serial=serial,
            division_code=self.jurisdiction.division_code,
            retention=RETENTION[self.importance],
        )
        self.status = Status.ARCHIVED
        self.archived_at, self.archived_by = now, by
        self.save(update_fields=["status", "archive_year", "archive_serial", "archive_number", "archived_at",
                                 "archived_by"])
        self._transition("archive", by=by, request=request, old=current,
                         changes={"archive_number": [None, self.archive_number]})
        return self.archive_number

    @transaction.atomic
    def mark_reviewed(self, *, by=None, request=None, note: str = "", on: datetime.date | None = None) -> None:
        """Record a periodic review (审核、更新, section 十三(六)); the next one falls due one interval later."""
        self._require_keeper(by)
        current = self._locked_status()
        if current not in REGISTERED_STATUSES:
            raise CaseTransitionError(gettext("尚未登记的案例无需定期审核。"))
        previous = self.last_reviewed_on
        self.last_reviewed_on = on or timezone.localdate()
        self.save(update_fields=["last_reviewed_on"])
        record(
            "case.periodic_review",
            obj=self,
            actor=by,
            request=request,
            department=self.reporting_department,
            changes={"last_reviewed_on": [str(previous) if previous else None, str(self.last_reviewed_on)]},
            note=note,
        )

    # --- review and files -------------------------------------------------------------

    def next_review_on(self) -> datetime.date | None:
        if self.last_reviewed_on is None:
            return None
        return self.last_reviewed_on + RegisterSettings.for_jurisdiction(self.jurisdiction).review_interval(
            self.importance
        )

    @property
    def attachments(self):
        from zhunru.models import Attachment

        return Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), object_id=str(self.pk)
        ).order_by("uploaded_at")

    def attachment_visible_to(self, user) -> bool:
        """Case files: the reporting department and the jurisdiction's coordinators."""
        from zhunru.scoping import visible_departments

        if not user.is_authenticated:
            return False
        return visible_departments(user).filter(pk=self.reporting_department_id).exists()

    def add_attachment(self, upload, *, user=None, purpose: str = gettext_lazy("案例资料")):
        """Store an uploaded case file (validated by content and size), owned by the reporting department."""
        from zhunru.uploads import store_attachment

        attachment = store_attachment(upload, self, user=user, department=self.reporting_department, purpose=purpose)
        record("case.attachment_added", obj=self, actor=user, department=self.reporting_department,
               changes={"attachment": attachment.original_name, "sha256": attachment.sha256})
        return attachment

    def public_data(self) -> dict:
        """The fields meant for the public, with category labels, for the portal and the APIs."""
        data = {}
        for name in self.PUBLIC_FIELDS:
            value = getattr(self, name)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[name] = value
        data["category_label"] = self.get_category_display()
        data["subcategory_label"] = self.get_subcategory_display() if self.subcategory else ""
        data["jurisdiction"] = self.jurisdiction.name
        return data


class IntegrityReport(models.Model):
    """The outcome of one 安全检查: every stored attachment re-hashed against its recorded SHA-256."""

    started_at = models.DateTimeField(gettext_lazy("开始时间"))
    finished_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)
    checked = models.PositiveIntegerField(gettext_lazy("检查文件数"), default=0)
    missing = models.JSONField(gettext_lazy("缺失文件"), default=list, blank=True)
    altered = models.JSONField(gettext_lazy("被改动文件"), default=list, blank=True)

    class Meta:
        verbose_name = gettext_lazy("安全检查报告")
        verbose_name_plural = gettext_lazy("安全检查报告")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return gettext("安全检查 {format_datetime}").format(format_datetime=format_datetime(self.started_at))

    @property
    def ok(self) -> bool:
        return not self.missing and not self.altered

    def summary(self) -> str:
        if self.ok:
            return gettext("共检查 {checked} 个文件，全部完好。").format(checked=self.checked)
        return gettext("共检查 {checked} 个文件，缺失 {count} 个，被改动 {count2} 个。").format(checked=self.checked, count=len(self.missing), count2=len(self.altered))


class MailboxNotice(models.Model):
    """An email sent to a mailbox without a user account, kept so each occasion (key) is mailed once."""

    key = models.CharField(gettext_lazy("事由"), max_length=200)
    address = models.EmailField(gettext_lazy("邮箱"))
    subject = models.CharField(gettext_lazy("标题"), max_length=200)
    sent_at = models.DateTimeField(gettext_lazy("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("邮箱通知记录")
        verbose_name_plural = gettext_lazy("邮箱通知记录")
        constraints = [models.UniqueConstraint(fields=["key", "address"], name="zhunru_cases_mailbox_notice_once")]

    def __str__(self) -> str:
        return f"{self.address}: {self.subject}"
