"""Market subjects, credit classes and lists, commitments, dishonesty records, the exchange outbox and feeds."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhunru.validators import validate_uscc


class CreditClass(models.TextChoices):
    TRUSTWORTHY = "trustworthy", gettext_lazy("守信")
    GENERAL = "general", gettext_lazy("一般")
    DISHONEST = "dishonest", gettext_lazy("失信")


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", gettext_lazy("经营异常名录")
    SERIOUS = "serious", gettext_lazy("严重违法失信名单")


def _uscc(value):
    validate_uscc(value)


class MarketSubjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MarketSubjectQuerySet":
        """One row per USCC in the installation; each office sees the subjects of its jurisdictions and those it
        has records on (commitments, dishonesty records, 双公示 decisions, records shared with the platforms),
        never another office's others."""
        from zhunru.scoping import user_jurisdictions

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        mine = user_jurisdictions(user)
        return self.filter(
            models.Q(jurisdiction__in=mine)
            | models.Q(pk__in=CreditCommitment.objects.filter(jurisdiction__in=mine).values("subject"))
            | models.Q(pk__in=DishonestyRecord.objects.filter(jurisdiction__in=mine).values("subject"))
            | models.Q(pk__in=PublicDecision.objects.filter(jurisdiction__in=mine, subject__isnull=False)
                       .values("subject"))
            | models.Q(pk__in=OutboundRecord.objects.filter(jurisdiction__in=mine, subject__isnull=False)
                       .values("subject"))
        )


class MarketSubject(models.Model):
    name = models.CharField(gettext_lazy("名称"), max_length=200)
    uscc = models.CharField(gettext_lazy("统一社会信用代码"), max_length=18, unique=True, validators=[_uscc])
    legal_representative = models.CharField(gettext_lazy("法定代表人"), max_length=100, blank=True)
    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), null=True, blank=True, on_delete=models.SET_NULL
    )
    credit_class = models.CharField(gettext_lazy("信用等级"), max_length=20, choices=CreditClass.choices, default=CreditClass.GENERAL)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    objects = MarketSubjectQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("市场主体")
        verbose_name_plural = gettext_lazy("市场主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    def clean(self):
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except ValidationError as exc:
                raise ValidationError({"uscc": exc.messages}) from exc

    def change_class(self, new_class: str, *, reason: str, source: str = "", by=None, request=None):
        """Change the credit class, keep the history and audit it (inside the caller's transaction)."""
        from zhunru.audit.recording import record

        if new_class not in CreditClass.values:
            raise ValidationError(gettext("未知的信用等级“{new_class}”。").format(new_class=new_class))
        if not reason.strip():
            raise ValidationError(gettext("调整信用等级须填写理由。"))
        old = self.credit_class
        if old == new_class:
            return None
        change = CreditClassChange.objects.create(
            subject=self, old_class=old, new_class=new_class, reason=reason, source=source, changed_by=by
        )
        self.credit_class = new_class
        self.save(update_fields=["credit_class", "updated_at"])
        record("credit.class_changed", obj=self, actor=by, request=request,
               changes={"credit_class": [old, new_class]}, note=reason)
        return change

    def current_lists(self):
        return self.list_memberships.filter(removed_on__isnull=True)

    def on_list(self, which: str) -> bool:
        return self.current_lists().filter(list_kind=which).exists()


class CreditClassChange(models.Model):
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), related_name="class_changes",
                                on_delete=models.CASCADE)
    old_class = models.CharField(gettext_lazy("原等级"), max_length=20, choices=CreditClass.choices)
    new_class = models.CharField(gettext_lazy("新等级"), max_length=20, choices=CreditClass.choices)
    reason = models.TextField(gettext_lazy("理由"))
    source = models.CharField(gettext_lazy("来源"), max_length=200, blank=True)
    changed_at = models.DateTimeField(gettext_lazy("调整时间"), default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("操作人"), null=True, blank=True,
                                   on_delete=models.SET_NULL)

    class Meta:
        verbose_name = gettext_lazy("信用等级变更")
        verbose_name_plural = gettext_lazy("信用等级变更")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject.name}：{self.get_old_class_display()} → {self.get_new_class_display()}"


class ListMembership(models.Model):
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), related_name="list_memberships",
                                on_delete=models.CASCADE)
    list_kind = models.CharField(gettext_lazy("名录"), max_length=20, choices=CreditList.choices)
    added_on = models.DateField(gettext_lazy("列入日期"))
    added_reason = models.TextField(gettext_lazy("列入原因"), blank=True)
    source = models.CharField(gettext_lazy("来源"), max_length=200, blank=True)
    removed_on = models.DateField(gettext_lazy("移出日期"), null=True, blank=True)
    removed_reason = models.TextField(gettext_lazy("移出原因"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("名录记录")
        verbose_name_plural = gettext_lazy("名录记录")
        ordering = ["-added_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.get_list_kind_display()}"


class CommitmentRuleQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommitmentRuleQuerySet":
        """A jurisdiction's rules to those who see the whole jurisdiction (its coordinators edit them); the rules
        for every jurisdiction (no jurisdiction) are the superusers'."""
        from zhunru.scoping import scoped

        return scoped(self, user)


class CommitmentRule(models.Model):
    """Whether subjects of a credit class may be granted commitments (per jurisdiction, or everywhere)."""

    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), null=True, blank=True,
                                     on_delete=models.CASCADE, help_text=gettext_lazy("留空表示适用于所有辖区。"))
    credit_class = models.CharField(gettext_lazy("信用等级"), max_length=20, choices=CreditClass.choices)
    allowed = models.BooleanField(gettext_lazy("允许适用告知承诺"), default=True)

    objects = CommitmentRuleQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("告知承诺适用规则")
        verbose_name_plural = gettext_lazy("告知承诺适用规则")
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "credit_class"], name="credit_rule_unique")]

    def __str__(self) -> str:
        where = self.jurisdiction.name if self.jurisdiction_id else gettext("全部辖区")
        return f"{where} · {self.get_credit_class_display()}：{gettext('允许') if self.allowed else gettext('不允许')}"

    @classmethod
    def allows(cls, credit_class: str, jurisdiction=None) -> bool:
        from zhunru.credit import conf

        for rule_j in ([jurisdiction] if jurisdiction is not None else []) + [None]:
            rule = cls.objects.filter(jurisdiction=rule_j, credit_class=credit_class).first()
            if rule is not None:
                return rule.allowed
        return credit_class in conf.get("COMMITMENT_ALLOWED_CLASSES")


class CreditCommitmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CreditCommitmentQuerySet":
        """Coordinators see their jurisdictions' commitments; an officer only those its own departments decided."""
        from zhunru.scoping import scoped

        return scoped(self, user, department="department")


class CreditCommitment(models.Model):
    class Kind(models.TextChoices):
        NOTIFICATION = "notification", gettext_lazy("告知承诺")
        TOLERANCE = "tolerance", gettext_lazy("容缺受理")

    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("履约中")
        FULFILLED = "fulfilled", gettext_lazy("已履约")
        BREACHED = "breached", gettext_lazy("已违约")

    class PermitStatus(models.TextChoices):
        VALID = "valid", gettext_lazy("有效")
        REVOKED = "revoked", gettext_lazy("已撤销")

    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), related_name="commitments",
                                on_delete=models.PROTECT)
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT)
    department = models.ForeignKey("zhunru_cms.Department", verbose_name=gettext_lazy("决定机关"), null=True, blank=True,
                                   on_delete=models.SET_NULL)
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=Kind.choices, default=Kind.NOTIFICATION)
    service_item = models.ForeignKey("zhunru_catalog.ServiceItem", verbose_name=gettext_lazy("政务服务事项"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="credit_commitments")
    permit_name = models.CharField(gettext_lazy("事项或许可名称"), max_length=200)
    permit_number = models.CharField(gettext_lazy("许可决定文书号"), max_length=100, blank=True)
    promise = models.TextField(gettext_lazy("承诺内容"))
    due_date = models.DateField(gettext_lazy("履约期限"))
    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    permit_status = models.CharField(gettext_lazy("许可状态"), max_length=20, choices=PermitStatus.choices,
                                     default=PermitStatus.VALID)
    revoke_reason = models.TextField(gettext_lazy("撤销理由"), blank=True)
    granted_at = models.DateTimeField(gettext_lazy("授予时间"), default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("经办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    fulfilled_at = models.DateTimeField(gettext_lazy("履约确认时间"), null=True, blank=True)
    breached_at = models.DateTimeField(gettext_lazy("违约认定时间"), null=True, blank=True)

    objects = CreditCommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("信用承诺")
        verbose_name_plural = gettext_lazy("信用承诺")
        ordering = ["-granted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.permit_name}（{self.get_kind_display()}）"

    @staticmethod
    def check_service_item(service_item) -> None:
        """单外无单: no approval under a suspended service item or one outside the current list."""
        from zhunru.catalog.single_list import may_accept

        if service_item.status == service_item.SUSPENDED:
            raise ValidationError(gettext("政务服务事项“{name}”已停止受理，不能据此适用告知承诺或容缺受理。").format(name=service_item.name))
        why = may_accept(service_item)
        if why:
            raise ValidationError(why)

    def clean(self):
        if self._state.adding and self.service_item_id is not None:  # the admin form's path; grant() checks too
            try:
                self.check_service_item(self.service_item)
            except ValidationError as exc:
                raise ValidationError({"service_item": exc.messages}) from exc

    @classmethod
    def grant(cls, *, subject, jurisdiction, permit_name, promise, due_date, department=None, kind=None,
              permit_number="", service_item=None, by=None, request=None):
        """Grant a commitment if the subject's credit class allows it; else a Chinese ValidationError."""
        from django.db import transaction

        from zhunru.audit.recording import record

        if not CommitmentRule.allows(subject.credit_class, jurisdiction):
            raise ValidationError(
                gettext("市场主体“{name}”的信用等级为“{get_credit_class_display}”，"
                "按本辖区规则不得适用告知承诺或容缺受理。").format(name=subject.name, get_credit_class_display=subject.get_credit_class_display())
            )
        if subject.on_list(CreditList.SERIOUS):
            raise ValidationError(gettext("市场主体“{name}”在严重违法失信名单内，不得适用告知承诺或容缺受理。").format(name=subject.name))
        if not promise.strip():
            raise ValidationError(gettext("承诺内容不能为空。"))
        if service_item is not None:
            cls.check_service_item(service_item)
        with transaction.atomic():
            c = cls.objects.create(subject=subject, jurisdiction=jurisdiction, permit_name=permit_name,
                                   promise=promise, due_date=due_date, department=department,
                                   kind=kind or cls.Kind.NOTIFICATION, permit_number=permit_number, granted_by=by,
                                   service_item=service_item)
            record("credit.commitment_granted", obj=c, actor=by, request=request, department=department,
                   changes={"due_date": str(due_date), "permit_name": permit_name})
        return c

    def may_handle(self, user) -> bool:
        """The deciding department's officers and the jurisdiction's coordinators (who may change commitments
        and see this one); never another department's officer, nor the auditor who only reads."""
        if user is None or not user.is_authenticated:
            return False
        return user.is_superuser or (user.has_perm("zhunru_credit.change_creditcommitment")
                                     and type(self).objects.visible_to(user).filter(pk=self.pk).exists())

    def fulfil(self, *, by=None, request=None):
        """确认履约; ``by=None`` is the system (the due-date worker), a person must handle the commitment."""
        from django.core.exceptions import PermissionDenied

        from zhunru.audit.recording import record

        if by is not None and not self.may_handle(by):
            raise PermissionDenied(gettext("只有作出承诺审批的部门或本辖区发改委协调员可以确认履约。"))
        if self.status != self.Status.ACTIVE:
            raise ValidationError(gettext("只有履约中的承诺可以确认履约。"))
        self.status = self.Status.FULFILLED
        self.fulfilled_at = timezone.now()
        self.save(update_fields=["status", "fulfilled_at"])
        record("credit.commitment_fulfilled", obj=self, actor=by, request=request, department=self.department)


class DishonestyRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DishonestyRecordQuerySet":
        """Coordinators and auditors their jurisdictions' records; an officer those of its departments'
        commitments."""
        from zhunru.scoping import scoped

        return scoped(self, user, department="commitment__department")


class DishonestyRecord(models.Model):
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), related_name="dishonesty_records",
                                on_delete=models.PROTECT)
    commitment = models.ForeignKey(CreditCommitment, verbose_name=gettext_lazy("信用承诺"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="dishonesty_records")
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT)
    document_number = models.CharField(gettext_lazy("决定文书号"), max_length=100)
    category = models.CharField(gettext_lazy("类别"), max_length=50, default="失信行为")
    content = models.TextField(gettext_lazy("内容"))
    decided_on = models.DateField(gettext_lazy("认定日期"))
    authority_name = models.CharField(gettext_lazy("决定机关"), max_length=200)
    authority_uscc = models.CharField(gettext_lazy("决定机关统一社会信用代码"), max_length=18, blank=True)
    publicity_until = models.DateField(gettext_lazy("公示截止日期"), null=True, blank=True)
    repaired_at = models.DateTimeField(gettext_lazy("信用修复时间"), null=True, blank=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)

    objects = DishonestyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("失信记录")
        verbose_name_plural = gettext_lazy("失信记录")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.document_number}"


class CreditPlatformQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators see their own jurisdictions' platforms and the national ones; superusers all."""
        from zhunru.scoping import sees_jurisdiction, user_jurisdictions

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not sees_jurisdiction(user):
            return self.none()
        return self.filter(models.Q(jurisdiction__isnull=True) | models.Q(jurisdiction__in=user_jurisdictions(user)))

    def editable_by(self, user):
        """National platforms (no jurisdiction) only by superusers; a jurisdiction's by its coordinators."""
        from zhunru.jurisdiction_settings import settings_jurisdictions

        if user.is_authenticated and user.is_superuser:
            return self
        return self.filter(jurisdiction__in=settings_jurisdictions(user))


class CreditPlatform(models.Model):
    name = models.CharField(gettext_lazy("名称"), max_length=100)
    code = models.SlugField(gettext_lazy("代码"), max_length=50, unique=True)
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), null=True, blank=True,
                                     on_delete=models.CASCADE, help_text=gettext_lazy("留空表示全国平台（所有辖区都报送）。"))
    endpoint_url = models.URLField(gettext_lazy("接口地址"), help_text=gettext_lazy("以 / 结尾，例如 https://example.gov.cn/exchange/。"))
    hmac_key_ref = models.CharField(gettext_lazy("签名密钥引用"), max_length=100,
                                    help_text=gettext_lazy("密钥不存数据库：填写 ZHUNRU_CREDIT_KEYS 中的名称或环境变量名。"))
    enabled = models.BooleanField(gettext_lazy("启用"), default=True)
    feed_enabled = models.BooleanField(gettext_lazy("拉取信用状态变更"), default=True)
    feed_cursor = models.CharField(gettext_lazy("拉取游标"), max_length=100, blank=True, default="")
    feed_pulled_at = models.DateTimeField(gettext_lazy("最近拉取时间"), null=True, blank=True)

    objects = CreditPlatformQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("信用平台")
        verbose_name_plural = gettext_lazy("信用平台")
        ordering = ["jurisdiction__division_code", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_jurisdiction(cls, jurisdiction):
        qs = cls.objects.filter(enabled=True)
        if jurisdiction is None:
            return qs.filter(jurisdiction__isnull=True)
        return qs.filter(models.Q(jurisdiction__isnull=True) | models.Q(jurisdiction=jurisdiction))


class OutboundRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators see their own jurisdictions' outbox; records of no jurisdiction only superusers."""
        from zhunru.scoping import scoped

        return scoped(self, user)


class OutboundRecord(models.Model):
    """One record to share with one platform, written in the business change's transaction."""

    class Kind(models.TextChoices):
        LICENSING = "licensing", gettext_lazy("行政许可")
        PENALTY = "penalty", gettext_lazy("行政处罚")
        DISHONESTY = "dishonesty", gettext_lazy("失信记录")
        REPAIR = "repair", gettext_lazy("撤下（信用修复或公示期满）")

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待发送")
        RETRYING = "retrying", gettext_lazy("重试中")
        DELIVERED = "delivered", gettext_lazy("已送达")
        REJECTED = "rejected", gettext_lazy("被退回")

    record_id = models.UUIDField(gettext_lazy("记录标识"), default=uuid.uuid4, unique=True, editable=False)
    platform = models.ForeignKey(CreditPlatform, verbose_name=gettext_lazy("信用平台"), related_name="outbound",
                                 on_delete=models.PROTECT)
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=Kind.choices)
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), null=True, blank=True,
                                     on_delete=models.SET_NULL)
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="outbound")
    source_type = models.CharField(gettext_lazy("来源对象类型"), max_length=100, blank=True)
    source_id = models.CharField(gettext_lazy("来源对象编号"), max_length=64, blank=True)
    payload = models.JSONField(gettext_lazy("报送内容（双公示格式）"))
    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(gettext_lazy("尝试次数"), default=0)
    last_error = models.TextField(gettext_lazy("最近错误"), blank=True)
    rejection_reason = models.TextField(gettext_lazy("退回原因"), blank=True)
    ack_id = models.CharField(gettext_lazy("回执编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(gettext_lazy("最近入队时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(gettext_lazy("下次尝试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(gettext_lazy("送达时间"), null=True, blank=True)

    objects = OutboundRecordQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("报送记录")
        verbose_name_plural = gettext_lazy("报送记录（发件箱）")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="credit_outbox_sweep")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.payload.get('subject_name', '')} → {self.platform}"

    def document(self) -> dict:
        """What goes over the wire: the layout fields plus the record id and kind."""
        return {"record_id": str(self.record_id), "kind": self.kind, **self.payload}


class FeedQuarantine(models.Model):
    platform = models.ForeignKey(CreditPlatform, verbose_name=gettext_lazy("信用平台"), on_delete=models.CASCADE)
    cursor = models.CharField(gettext_lazy("游标"), max_length=100)
    raw = models.JSONField(gettext_lazy("原始记录"))
    reason = models.TextField(gettext_lazy("隔离原因"))
    received_at = models.DateTimeField(gettext_lazy("接收时间"), default=timezone.now)
    resolved = models.BooleanField(gettext_lazy("已处理"), default=False)

    class Meta:
        verbose_name = gettext_lazy("隔离的反馈记录")
        verbose_name_plural = gettext_lazy("隔离的反馈记录")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.platform} #{self.cursor}：{self.reason[:40]}"


class FeedChange(models.Model):
    """One status change pulled from a platform and applied to a subject."""

    platform = models.ForeignKey(CreditPlatform, verbose_name=gettext_lazy("信用平台"), on_delete=models.CASCADE)
    cursor = models.CharField(gettext_lazy("游标"), max_length=100)
    event_id = models.CharField(gettext_lazy("事件编号"), max_length=100)
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), on_delete=models.CASCADE,
                                related_name="feed_changes")
    summary = models.TextField(gettext_lazy("变更内容"))
    raw = models.JSONField(gettext_lazy("原始记录"))
    applied_at = models.DateTimeField(gettext_lazy("应用时间"), default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("信用状态变更")
        verbose_name_plural = gettext_lazy("信用状态变更")
        ordering = ["-applied_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["platform", "event_id"], name="credit_feed_event_once")]

    def __str__(self) -> str:
        return self.summary[:60]


# --- Jurisdiction settings of the credit app, and the breach procedure -----------------------------------


class CreditSettings(models.Model):
    """Per-jurisdiction texts and periods of credit documents; defaults derive from the jurisdiction."""

    jurisdiction = models.OneToOneField("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.CASCADE,
                                        related_name="credit_settings")
    notice_number_format = models.CharField(
        gettext_lazy("责令整改通知文号格式"), max_length=100, default="{short}发改责改〔{year}〕{serial}号",
        help_text=gettext_lazy("可用字段：{short} 辖区简称、{year} 年度、{serial} 序号、{division_code} 区划代码。"))
    decision_number_format = models.CharField(
        gettext_lazy("处理决定文号格式"), max_length=100, default="{short}发改信决〔{year}〕{serial}号",
        help_text=gettext_lazy("可用字段同上。"))
    seal_text = models.CharField(gettext_lazy("印章文字"), max_length=100, blank=True, help_text=gettext_lazy("留空时使用决定机关名称。"))
    authority_uscc = models.CharField(gettext_lazy("本机关统一社会信用代码"), max_length=18, blank=True, validators=[_uscc])
    rectification_working_days = models.PositiveSmallIntegerField(gettext_lazy("整改期限（工作日）"), default=10)
    statement_working_days = models.PositiveSmallIntegerField(gettext_lazy("陈述申辩期限（工作日）"), default=5)
    publicity_months = models.PositiveSmallIntegerField(
        gettext_lazy("失信信息公示期（月）"), default=12, help_text=gettext_lazy("一般失信行为公示期最短 3 个月、最长 1 年。"))

    class Meta:
        verbose_name = gettext_lazy("信用文书设置")
        verbose_name_plural = gettext_lazy("信用文书设置")

    def __str__(self) -> str:
        return gettext("{name} · 信用文书设置").format(name=self.jurisdiction.name)

    @classmethod
    def for_jurisdiction(cls, jurisdiction) -> "CreditSettings":
        obj, _ = cls.objects.get_or_create(jurisdiction=jurisdiction)
        return obj

    def clean(self):
        for name in ("notice_number_format", "decision_number_format"):
            fmt = getattr(self, name)
            if "{serial}" not in fmt:
                raise ValidationError({name: gettext("文号格式必须包含 {serial}。")})
            try:
                fmt.format(short=gettext("测"), year=2026, serial=1, division_code="000000")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValidationError({name: gettext("文号格式无效：{exc}").format(exc=exc)}) from exc
        if not 3 <= self.publicity_months <= 36:
            raise ValidationError({"publicity_months": gettext("公示期应在 3 至 36 个月之间。")})

    def authority_name(self, department=None) -> str:
        """The deciding authority: the commitment's department, else the jurisdiction's office."""
        return department.name if department is not None else self.jurisdiction.office

    def seal(self, department=None) -> str:
        return self.seal_text or self.authority_name(department)

    def number(self, kind: str, year: int) -> str:
        """The next document number of ``kind`` ("notice" or "decision") for ``year`` (inside a transaction)."""
        serial = DocumentSerial.next(self.jurisdiction, kind, year)
        fmt = self.notice_number_format if kind == "notice" else self.decision_number_format
        j = self.jurisdiction
        return fmt.format(short=j.short_name, year=year, serial=serial, division_code=j.division_code)


class DocumentSerial(models.Model):
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = gettext_lazy("文书序号")
        verbose_name_plural = gettext_lazy("文书序号")
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "kind", "year"], name="credit_serial_once")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id}:{self.kind}:{self.year}:{self.last}"

    @classmethod
    def next(cls, jurisdiction, kind: str, year: int) -> int:
        cls.objects.get_or_create(jurisdiction=jurisdiction, kind=kind, year=year)
        row = cls.objects.select_for_update().get(jurisdiction=jurisdiction, kind=kind, year=year)
        row.last += 1
        row.save(update_fields=["last"])
        return row.last


class BreachProcedureQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BreachProcedureQuerySet":
        """Whoever sees the commitment, and the legal reviewers of its jurisdiction (they review decisions)."""
        from zhunru import roles
        from zhunru.scoping import user_jurisdictions

        if not user.is_authenticated:
            return self.none()
        q = models.Q(commitment__in=CreditCommitment.objects.visible_to(user))
        if user.groups.filter(name=roles.LEGAL_REVIEWER).exists():
            q |= models.Q(jurisdiction__in=user_jurisdictions(user))
        return self.filter(q)


class BreachProcedure(models.Model):
    """Due process after a commitment's due date passed unfulfilled (see zhunru.credit.procedure)."""

    class State(models.TextChoices):
        NOTICE = "notice", gettext_lazy("责令整改中")
        RECTIFIED = "rectified", gettext_lazy("已整改（结案）")
        HEARING = "hearing", gettext_lazy("陈述申辩期")
        DRAFTED = "drafted", gettext_lazy("决定已起草")
        REVIEW = "review", gettext_lazy("法制审核中")
        APPROVED = "approved", gettext_lazy("待签发")
        SIGNED = "signed", gettext_lazy("决定已签发")

    commitment = models.OneToOneField(CreditCommitment, verbose_name=gettext_lazy("信用承诺"), on_delete=models.PROTECT,
                                      related_name="procedure")
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT)
    state = models.CharField(gettext_lazy("状态"), max_length=20, choices=State.choices, default=State.NOTICE, db_index=True)
    notice_number = models.CharField(gettext_lazy("责令整改通知文号"), max_length=100)
    notice_issued_at = models.DateTimeField(gettext_lazy("通知时间"), default=timezone.now)
    rectify_by = models.DateField(gettext_lazy("整改期限"))
    rectified_at = models.DateTimeField(gettext_lazy("整改确认时间"), null=True, blank=True)
    rectification_note = models.TextField(gettext_lazy("整改情况"), blank=True)
    hearing_opened_at = models.DateTimeField(gettext_lazy("陈述申辩期开始"), null=True, blank=True)
    statement_by = models.DateField(gettext_lazy("陈述申辩期限"), null=True, blank=True)
    statement = models.TextField(gettext_lazy("陈述申辩意见"), blank=True)
    statement_received_at = models.DateTimeField(gettext_lazy("陈述申辩收到时间"), null=True, blank=True)
    hearing_note = models.TextField(gettext_lazy("听取意见记录"), blank=True)
    decision_number = models.CharField(gettext_lazy("处理决定文号"), max_length=100, blank=True)
    facts = models.TextField(gettext_lazy("违法（违约）事实"), blank=True)
    basis = models.TextField(gettext_lazy("处理依据"), blank=True)
    revoke_permit = models.BooleanField(gettext_lazy("撤销许可"), default=True)
    publicity_months = models.PositiveSmallIntegerField(gettext_lazy("公示期（月）"), null=True, blank=True)
    drafted_at = models.DateTimeField(gettext_lazy("起草时间"), null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("起草人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    legal_opinion = models.TextField(gettext_lazy("法制审核意见"), blank=True)
    reviewed_at = models.DateTimeField(gettext_lazy("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(gettext_lazy("签发时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("签发人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    dishonesty_record = models.OneToOneField(DishonestyRecord, verbose_name=gettext_lazy("失信记录"), null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="procedure")

    objects = BreachProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("违约处置程序")
        verbose_name_plural = gettext_lazy("违约处置程序")
        ordering = ["-notice_issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.notice_number} · {self.get_state_display()}"

    @property
    def admin_url(self) -> str:
        from django.urls import reverse

        return reverse("zhunru_credit_procedure", args=[self.commitment_id])


class PublicDecisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PublicDecisionQuerySet":
        """The offices of the user's jurisdictions; an officer its own departments' decisions."""
        from zhunru.scoping import scoped

        return scoped(self, user, department="department")

    def public(self) -> "PublicDecisionQuerySet":
        """What the 公示 page shows: queued for sharing and not withdrawn."""
        return self.filter(queued_at__isnull=False, withdrawn_at__isnull=True)


class PublicDecision(models.Model):
    """One administrative licensing or penalty decision in the 双公示 register (national field layout,
    see EXCHANGE.md); validated and queued by zhunru.credit.disclosure."""

    class Kind(models.TextChoices):
        LICENSING = "licensing", gettext_lazy("行政许可")
        PENALTY = "penalty", gettext_lazy("行政处罚")

    class SubjectCategory(models.TextChoices):
        LEGAL = "legal", gettext_lazy("法人及非法人组织")
        NATURAL = "natural", gettext_lazy("自然人")
        INDIVIDUAL = "individual", gettext_lazy("个体工商户")

    class LicenceCategory(models.TextChoices):
        ORDINARY = "普通", gettext_lazy("普通")
        FRANCHISE = "特许", gettext_lazy("特许")
        RECOGNITION = "认可", gettext_lazy("认可")
        APPROVAL = "核准", gettext_lazy("核准")
        REGISTRATION = "登记", gettext_lazy("登记")
        OTHER = "其他", gettext_lazy("其他")

    kind = models.CharField(gettext_lazy("决定类型"), max_length=20, choices=Kind.choices)
    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT)
    department = models.ForeignKey("zhunru_cms.Department", verbose_name=gettext_lazy("决定部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL)
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("市场主体"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="public_decisions")
    # the subject (行政相对人)
    subject_name = models.CharField(gettext_lazy("行政相对人名称"), max_length=200)
    subject_category = models.CharField(gettext_lazy("行政相对人类别"), max_length=20, choices=SubjectCategory.choices,
                                        default=SubjectCategory.LEGAL)
    uscc = models.CharField(gettext_lazy("统一社会信用代码"), max_length=18, blank=True, validators=[_uscc])
    registration_number = models.CharField(gettext_lazy("工商注册号"), max_length=50, blank=True)
    organisation_code = models.CharField(gettext_lazy("组织机构代码"), max_length=50, blank=True)
    tax_number = models.CharField(gettext_lazy("税务登记号"), max_length=50, blank=True)
    institution_certificate = models.CharField(gettext_lazy("事业单位证书号"), max_length=50, blank=True)
    social_organisation_certificate = models.CharField(gettext_lazy("社会组织登记证号"), max_length=50, blank=True)
    legal_representative = models.CharField(gettext_lazy("法定代表人"), max_length=100, blank=True)
    legal_representative_id_type = models.CharField(gettext_lazy("法定代表人证件类型"), max_length=30, blank=True)
    legal_representative_id_number = models.CharField(gettext_lazy("法定代表人证件号码"), max_length=50, blank=True)
    person_id_type = models.CharField(gettext_lazy("证件类型"), max_length=30, blank=True)
    person_id_number = models.CharField(gettext_lazy("证件号码"), max_length=50, blank=True)
    # the decision
    document_name = models.CharField(gettext_lazy("决定文书名称"), max_length=200, blank=True)
    document_number = models.CharField(gettext_lazy("决定文书号"), max_length=100)
    licence_category = models.CharField(gettext_lazy("许可类别"), max_length=10, choices=LicenceCategory.choices, blank=True)
    certificate_name = models.CharField(gettext_lazy("许可证书名称"), max_length=200, blank=True)
    licence_number = models.CharField(gettext_lazy("许可编号"), max_length=100, blank=True)
    licence_content = models.TextField(gettext_lazy("许可内容"), blank=True)
    valid_from = models.DateField(gettext_lazy("有效期自"), null=True, blank=True)
    valid_until = models.DateField(gettext_lazy("有效期至"), null=True, blank=True)
    violation_type = models.CharField(gettext_lazy("违法行为类型"), max_length=200, blank=True)
    facts = models.TextField(gettext_lazy("违法事实"), blank=True)
    basis = models.TextField(gettext_lazy("处罚依据"), blank=True)
    penalty_category = models.CharField(gettext_lazy("处罚类别"), max_length=100, blank=True)
    penalty_content = models.TextField(gettext_lazy("处罚内容"), blank=True)
    fine_amount = models.DecimalField(gettext_lazy("罚款金额（万元）"), max_digits=14, decimal_places=6, null=True, blank=True)
    confiscated_amount = models.DecimalField(gettext_lazy("没收违法所得、没收非法财物的金额（万元）"), max_digits=14,
                                             decimal_places=6, null=True, blank=True)
    suspended_licence = models.CharField(gettext_lazy("暂扣或吊销证照名称及编号"), max_length=200, blank=True)
    decided_on = models.DateField(gettext_lazy("决定日期"))
    penalty_valid_until = models.DateField(gettext_lazy("处罚有效期"), null=True, blank=True)
    publicity_until = models.DateField(gettext_lazy("公示截止期"), null=True, blank=True)
    authority_name = models.CharField(gettext_lazy("决定机关"), max_length=200)
    authority_uscc = models.CharField(gettext_lazy("决定机关统一社会信用代码"), max_length=18, blank=True, validators=[_uscc])
    current_status = models.CharField(gettext_lazy("当前状态"), max_length=10, choices=[("有效", gettext_lazy("有效")), ("无效", gettext_lazy("无效"))],
                                      default="有效")
    source_unit = models.CharField(gettext_lazy("数据来源单位"), max_length=200, blank=True)
    source_unit_uscc = models.CharField(gettext_lazy("数据来源单位统一社会信用代码"), max_length=18, blank=True, validators=[_uscc])
    remarks = models.TextField(gettext_lazy("备注"), blank=True)
    # the register's own bookkeeping
    share_by = models.DateField(gettext_lazy("报送期限"), null=True, blank=True, help_text=gettext_lazy("决定日期后 7 个工作日。"))
    queued_at = models.DateTimeField(gettext_lazy("报送入队时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(gettext_lazy("撤下时间"), null=True, blank=True)
    withdraw_reason = models.CharField(gettext_lazy("撤下原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(gettext_lazy("登记时间"), auto_now_add=True)
    # The file import that wrote it (zhunru.credit.disclosure.import_file): re-run after it stopped, it is skipped.
    import_run = models.ForeignKey("zhunru_cms.ImportRun", verbose_name=gettext_lazy("导入记录"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    objects = PublicDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("双公示决定")
        verbose_name_plural = gettext_lazy("双公示决定")
        ordering = ["-decided_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "kind", "document_number"],
                                               name="credit_public_decision_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.document_number} · {self.subject_name}"


class RepairApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RepairApplicationQuerySet":
        from zhunru.scoping import scoped

        return scoped(self, user, jurisdiction="record__jurisdiction",
                      department="record__commitment__department")


class RepairApplication(models.Model):
    """信用修复: a subject asks to take one of our 失信 records off; the office reviews (zhunru.credit.repair)."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待审核")
        APPROVED = "approved", gettext_lazy("已修复")
        REJECTED = "rejected", gettext_lazy("不予修复")

    record = models.ForeignKey(DishonestyRecord, verbose_name=gettext_lazy("失信记录"), on_delete=models.PROTECT,
                               related_name="repair_applications")
    subject = models.ForeignKey(MarketSubject, verbose_name=gettext_lazy("申请主体"), on_delete=models.PROTECT,
                                related_name="repair_applications")
    contact_name = models.CharField(gettext_lazy("联系人"), max_length=50)
    contact_phone = models.CharField(gettext_lazy("联系电话"), max_length=40)
    contact_email = models.EmailField(gettext_lazy("电子邮箱"), blank=True, help_text=gettext_lazy("审核结果发送到该邮箱。"))
    rectification = models.TextField(gettext_lazy("整改情况"))
    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_at = models.DateTimeField(gettext_lazy("申请时间"), default=timezone.now)
    reviewed_at = models.DateTimeField(gettext_lazy("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_note = models.TextField(gettext_lazy("审核意见"), blank=True)

    objects = RepairApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("信用修复申请")
        verbose_name_plural = gettext_lazy("信用修复申请")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.record.document_number} · {self.get_status_display()}"
