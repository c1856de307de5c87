"""Models of 准入 · 负面清单与政务服务事项."""

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.clock import format_datetime


class ListEdition(models.Model):
    name = models.CharField(gettext_lazy("版本"), max_length=40, unique=True)
    effective_date = models.DateField(gettext_lazy("施行日期"), null=True, blank=True)
    is_active = models.BooleanField(gettext_lazy("现行版本"), default=False)
    activated_at = models.DateTimeField(gettext_lazy("启用时间"), null=True, blank=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("负面清单版本")
        verbose_name_plural = gettext_lazy("负面清单版本")
        ordering = ["-name"]

    def __str__(self) -> str:
        return self.name

    def activate(self, by=None):
        """Make this edition current; flag or suspend service items tied to removed/changed items.

        The edition becomes current first, so the service items carried over to its items pass the 单外无单
        guard (zhunru.catalog.single_list); an item of it that is 禁止准入类 carries none over: the service
        items under it are suspended and flagged for review instead. A draft whose import has not finished
        (stopped half-way: zhunru.catalog.importers) is refused with a ValidationError, so it never goes public.
        """
        from django.core.exceptions import ValidationError

        from zhunru.audit.recording import record
        from zhunru.catalog.diff import diff_editions
        from zhunru.catalog.single_list import became_prohibited_reason
        from zhunru.models import ImportRun

        with transaction.atomic():
            list(ListEdition.objects.select_for_update().filter(pk=self.pk).values_list("pk", flat=True))
            if ImportRun.objects.filter(kind="catalog.edition", target=str(self.pk),
                                        state=ImportRun.State.RUNNING).exists():
                raise ValidationError(_("「{name}」的导入尚未完成（可能已中断）：请重新导入该文件，完成后再启用。").format(name=self.name))
            previous = ListEdition.objects.filter(is_active=True).exclude(pk=self.pk).first()
            result = diff_editions(previous, self) if previous is not None else None
            if previous is not None:
                previous.is_active = False
                previous.save(update_fields=["is_active"])
            self.is_active = True
            self.activated_at = timezone.now()
            self.save(update_fields=["is_active", "activated_at"])
            flagged = []
            if result is not None:
                for entry in result.removed:
                    for service in entry.old.service_items.all():
                        service.flag(
                            _("依据事项「{code} {name}」在{name2}中已删除").format(code=entry.old.code, name=entry.old.name, name2=self.name),
                            suspend=True,
                            by=by,
                        )
                        flagged.append(service.pk)
                kept = [(entry, True) for entry in result.changed] + [(entry, False) for entry in result.unchanged]
                for entry, changed in kept:
                    if entry.new.kind == ListItem.PROHIBITED:
                        # 单外无单: no service item under a 禁止准入类 item; suspended, not carried over
                        for service in entry.old.service_items.all():
                            service.flag(became_prohibited_reason(entry.old, entry.new, self), suspend=True, by=by)
                            flagged.append(service.pk)
                        continue
                    reason = _("依据事项「{code} {name}」在{name2}中有变化：{value}").format(code=entry.old.code, name=entry.old.name, name2=self.name, value='；'.join(entry.reasons))
                    for service in entry.old.service_items.all():
                        if changed:
                            service.flag(reason, suspend=False, by=by)
                            flagged.append(service.pk)
                        service.list_items.add(entry.new)
            record(
                "catalog.edition_activated",
                obj=self,
                actor=by,
                changes={"previous": str(previous) if previous else None, "flagged_service_items": flagged},
            )
        return flagged


class ListItemQuerySet(models.QuerySet):
    def public(self):
        return self.filter(edition__is_active=True)


class ListItem(models.Model):
    PROHIBITED = "prohibited"
    PERMITTED = "permitted"
    KIND_CHOICES = [(PROHIBITED, gettext_lazy("禁止准入类")), (PERMITTED, gettext_lazy("许可准入类"))]

    edition = models.ForeignKey(
        ListEdition, on_delete=models.CASCADE, related_name="items", verbose_name=gettext_lazy("版本")
    )
    number = models.PositiveIntegerField(gettext_lazy("项目号"))
    kind = models.CharField(gettext_lazy("类别"), max_length=20, choices=KIND_CHOICES)
    name = models.CharField(gettext_lazy("禁止或许可事项"), max_length=500)
    code = models.CharField(gettext_lazy("事项编码"), max_length=20)
    departments = models.CharField(gettext_lazy("主管部门"), max_length=500, blank=True)
    local = models.BooleanField(gettext_lazy("地方性许可事项"), default=False)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    objects = ListItemQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("清单事项")
        verbose_name_plural = gettext_lazy("清单事项")
        ordering = ["edition", "number", "code"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="catalog_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        # The list is national: its canonical page is the portal's jurisdiction-neutral one (each
        # jurisdiction's portal has its own copy of the page, with that jurisdiction's service items).
        from django.urls import reverse

        return reverse("zhunru_portal:list_item_any", args=[self.pk])

    def measure_texts(self) -> list[str]:
        return [m.text for m in self.measures.all()]


class ListMeasure(models.Model):
    NATIONAL = "national"
    LOCAL = "local"
    SCOPE_CHOICES = [(NATIONAL, gettext_lazy("全国性措施")), (LOCAL, gettext_lazy("地方性措施"))]

    item = models.ForeignKey(
        ListItem, on_delete=models.CASCADE, related_name="measures", verbose_name=gettext_lazy("清单事项")
    )
    position = models.PositiveIntegerField(gettext_lazy("序号"))
    text = models.TextField(gettext_lazy("准入措施描述"))
    scope = models.CharField(gettext_lazy("措施层级"), max_length=10, choices=SCOPE_CHOICES, default=NATIONAL)
    legal_basis = models.TextField(gettext_lazy("设立依据"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("准入措施")
        verbose_name_plural = gettext_lazy("准入措施")
        ordering = ["item", "position"]

    def __str__(self) -> str:
        return self.text[:60]


class ServiceItemQuerySet(models.QuerySet):
    def public(self):
        return self.filter(published=True)


class ServiceItem(models.Model):
    ACCEPTING = "accepting"
    SUSPENDED = "suspended"
    STATUS_CHOICES = [(ACCEPTING, gettext_lazy("受理中")), (SUSPENDED, gettext_lazy("停止受理"))]

    department = models.ForeignKey(
        "zhunru_cms.Department", on_delete=models.PROTECT, related_name="service_items", verbose_name=gettext_lazy("部门")
    )
    list_items = models.ManyToManyField(
        ListItem, blank=True, related_name="service_items", verbose_name=gettext_lazy("清单事项")
    )
    name = models.CharField(gettext_lazy("事项名称"), max_length=300)
    authority = models.CharField(gettext_lazy("管理权限"), max_length=200, blank=True)
    process = models.TextField(gettext_lazy("审批流程"), blank=True)
    materials = models.TextField(gettext_lazy("办理要件"), blank=True)
    conditions = models.TextField(gettext_lazy("受理条件"), blank=True)
    time_limit = models.CharField(gettext_lazy("办理时限"), max_length=100, blank=True)
    fees = models.CharField(gettext_lazy("收费标准"), max_length=200, blank=True)
    channel = models.CharField(gettext_lazy("办理渠道"), max_length=200, blank=True)
    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=STATUS_CHOICES, default=ACCEPTING)
    published = models.BooleanField(gettext_lazy("已发布"), default=False)
    needs_review = models.BooleanField(gettext_lazy("待复核"), default=False)
    review_reason = models.TextField(gettext_lazy("复核原因"), blank=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("政务服务事项")
        verbose_name_plural = gettext_lazy("政务服务事项")
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The public page in the portal of the department's jurisdiction.
        from django.urls import reverse

        return reverse("zhunru_portal:service_item", args=[self.department.jurisdiction.division_code, self.pk])

    def flag(self, reason: str, *, suspend: bool, by=None) -> None:
        from zhunru.audit.recording import record

        before = self.status
        self.needs_review = True
        self.review_reason = (self.review_reason + "\n" + reason).strip()
        if suspend:
            self.status = self.SUSPENDED
        self.save(update_fields=["needs_review", "review_reason", "status", "updated_at"])
        record(
            "catalog.service_item_flagged",
            obj=self,
            actor=by,
            department=self.department,
            changes={"status": [before, self.status], "reason": reason},
        )

    REVIEW_DECISIONS = {
        "resume": gettext_lazy("恢复受理"),
        "keep_suspended": gettext_lazy("保持停止受理"),
        "confirm": gettext_lazy("确认无需调整（继续受理）"),
    }

    def review(self, decision: str, note: str, *, by=None, request=None) -> None:
        """An editor's decision on a flagged item, with an opinion; recorded. Raises ValueError (Chinese)."""
        from zhunru.audit.recording import record

        if decision not in self.REVIEW_DECISIONS:
            raise ValueError(_("请选择复核结论。"))
        if not note.strip():
            raise ValueError(_("请填写复核意见。"))
        if decision != "keep_suspended":
            from zhunru.catalog.single_list import may_accept

            why = may_accept(self)
            if why:
                raise ValueError(why)
        before = self.status
        self.status = self.SUSPENDED if decision == "keep_suspended" else self.ACCEPTING
        self.needs_review = False
        if self.status == self.ACCEPTING:
            self.review_reason = ""  # settled; the reasons stay in the audit trail
        self.save(update_fields=["status", "needs_review", "review_reason", "updated_at"])
        record(
            "catalog.service_item_reviewed",
            obj=self,
            actor=by,
            request=request,
            department=self.department,
            changes={"status": [before, self.status], "decision": str(self.REVIEW_DECISIONS[decision])},
            note=note.strip(),
        )


class ServiceDocumentVersion(models.Model):
    GUIDE = "guide"
    MODEL_TEXT = "model_text"
    KIND_CHOICES = [(GUIDE, gettext_lazy("办事指南")), (MODEL_TEXT, gettext_lazy("示范文本"))]

    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="documents", verbose_name=gettext_lazy("政务服务事项")
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=KIND_CHOICES)
    version = models.PositiveIntegerField(gettext_lazy("版本号"))
    effective_date = models.DateField(gettext_lazy("生效日期"))
    change_note = models.TextField(gettext_lazy("修改说明"), blank=True)
    body = models.TextField(gettext_lazy("正文"), blank=True)
    attachment = models.ForeignKey(
        "zhunru_cms.Attachment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("文件"),
        help_text=gettext_lazy("PDF 或 Office 文档；发布后公众可下载。"),
    )
    published = models.BooleanField(gettext_lazy("已发布"), default=False)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = gettext_lazy("办事指南/示范文本版本")
        verbose_name_plural = gettext_lazy("办事指南/示范文本版本")
        ordering = ["service_item", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_item", "kind", "version"], name="catalog_doc_version_unique"
            )
        ]

    def __str__(self) -> str:
        return _("{service_item} {get_kind_display} 第{version}版").format(service_item=self.service_item, get_kind_display=self.get_kind_display(), version=self.version)

    def is_public(self) -> bool:
        return self.published and self.service_item.published

    def attachment_visible_to(self, user) -> bool:
        from zhunru.scoping import visible_departments

        return self.is_public() or visible_departments(user).filter(pk=self.service_item.department_id).exists()

    def get_download_url(self) -> str:
        return reverse("catalog_document_download", args=[self.pk]) if self.attachment_id else ""


class ServiceRating(models.Model):
    LEVEL_CHOICES = [(5, gettext_lazy("非常满意")), (4, gettext_lazy("满意")), (3, gettext_lazy("基本满意")), (2, gettext_lazy("不满意")), (1, gettext_lazy("非常不满意"))]
    CHANNEL_CHOICES = [("portal", gettext_lazy("门户网站")), ("hall", gettext_lazy("办事大厅")), ("phone", gettext_lazy("电话"))]

    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="ratings", verbose_name=gettext_lazy("政务服务事项")
    )
    level = models.PositiveSmallIntegerField(gettext_lazy("评价等级"), choices=LEVEL_CHOICES)
    channel = models.CharField(gettext_lazy("评价渠道"), max_length=10, choices=CHANNEL_CHOICES)
    comment = models.TextField(gettext_lazy("评价内容"), blank=True)
    receipt_code = models.CharField(gettext_lazy("办件回执码"), max_length=64, blank=True)
    idempotency_key = models.CharField(gettext_lazy("幂等键"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(gettext_lazy("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("好差评")
        verbose_name_plural = gettext_lazy("好差评")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service_item} {self.get_level_display()}"


class RatingFollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(answered_at__isnull=True)

    def overdue(self, today):
        """Unanswered after the last day of their period (the period ends at 24:00 of ``due_date``)."""
        return self.open().filter(due_date__lt=today)


class RatingFollowUp(models.Model):
    rating = models.OneToOneField(
        ServiceRating, on_delete=models.CASCADE, related_name="follow_up", verbose_name=gettext_lazy("评价")
    )
    department = models.ForeignKey(
        "zhunru_cms.Department",
        on_delete=models.PROTECT,
        related_name="rating_follow_ups",
        verbose_name=gettext_lazy("责任部门"),
    )
    answer = models.TextField(gettext_lazy("整改答复"), blank=True)
    answered_at = models.DateTimeField(gettext_lazy("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=gettext_lazy("答复人")
    )
    due_date = models.DateField(
        gettext_lazy("答复期限"), null=True, blank=True, help_text=gettext_lazy("按工作日历计算（ZHUNRU_CATALOG_FOLLOW_UP_LIMIT，默认 5 个工作日）。")
    )
    due_provisional = models.BooleanField(
        gettext_lazy("临时期限"), default=False, help_text=gettext_lazy("相关年度节假日安排尚未录入，录入后自动重算。")
    )
    last_reminded_on = models.DateField(gettext_lazy("最近逾期提醒日期"), null=True, blank=True)

    objects = RatingFollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("差评整改")
        verbose_name_plural = gettext_lazy("差评整改")
        indexes = [models.Index(fields=["answered_at", "due_date"], name="catalog_follow_up_due")]

    def __str__(self) -> str:
        return _("差评整改 {rating_id}").format(rating_id=self.rating_id)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.answered_at is None and self.due_date is not None and self.due_date < today


class ScreeningRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The national rules (no jurisdiction) and those of the user's jurisdictions; superusers all; anonymous
        readers (the public screening API) the national ones."""
        from zhunru.scoping import user_jurisdictions

        if not user.is_authenticated:
            return self.filter(jurisdiction__isnull=True)
        if user.is_superuser:
            return self
        return self.filter(models.Q(jurisdiction__isnull=True) | models.Q(jurisdiction__in=user_jurisdictions(user)))

    def editable_by(self, user):
        """National rules are changed by superusers only; a jurisdiction's own rules by the people of that
        jurisdiction (their role's model permissions decide who of them)."""
        from zhunru.scoping import user_jurisdictions

        if user.is_authenticated and user.is_superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(jurisdiction__in=user_jurisdictions(user))

    def applying_to(self, jurisdictions):
        """The enabled rules a text of ``jurisdictions`` is screened with: the national ones and theirs."""
        return self.filter(models.Q(jurisdiction__isnull=True) | models.Q(jurisdiction__in=jurisdictions),
                           enabled=True)


class ScreeningRule(models.Model):
    """A hidden-barrier pattern (section 十一). National rules (no jurisdiction) apply everywhere and only a
    superuser changes them; a jurisdiction's own rules (its place names, local practices) apply to its texts
    and are kept by its editors and coordinators."""

    # The three typical-case categories (section 八(二)); a match says what kind of case it would make.
    CATEGORY_CHOICES = [
        ("entry_conditions", gettext_lazy("违规增设准入条件")),
        ("discriminatory", gettext_lazy("歧视性政策")),
        ("unfair_competition", gettext_lazy("不正当竞争")),
    ]
    phrase = models.CharField(gettext_lazy("关键词或正则"), max_length=300)
    is_regex = models.BooleanField(gettext_lazy("正则表达式"), default=False)
    category = models.CharField(gettext_lazy("类别"), max_length=20, choices=CATEGORY_CHOICES)
    explanation = models.TextField(gettext_lazy("说明"))
    basis = models.CharField(gettext_lazy("违反条款"), max_length=200, blank=True, help_text=gettext_lazy("如“十一(三)：不得要求企业必须在某地登记注册”。"))
    enabled = models.BooleanField(gettext_lazy("启用"), default=True)
    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", on_delete=models.CASCADE, null=True, blank=True, related_name="screening_rules",
        verbose_name=gettext_lazy("适用辖区"), help_text=gettext_lazy("留空为全国通用规则，只有超级管理员能修改；本辖区规则只用于本辖区的文本。"),
    )

    objects = ScreeningRuleQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("隐性壁垒筛查规则")
        verbose_name_plural = gettext_lazy("隐性壁垒筛查规则")

    def __str__(self) -> str:
        return self.phrase

    def clean(self):
        import re

        from django.core.exceptions import ValidationError

        if self.is_regex:
            try:
                re.compile(self.phrase)
            except re.error as exc:
                raise ValidationError({"phrase": _("正则表达式无效：{exc}").format(exc=exc)}) from None


class CatalogRevision(models.Model):
    """When the public catalog last changed: the newest of the change times recorded by every change to what
    the API serves.

    It is the ``Last-Modified`` of the catalog reads. The newest ``updated_at`` of the rows served cannot
    be: it does not move when a row leaves the answer (unpublished, deleted, edition replaced) or a guide
    version is withdrawn. ``zhunru.catalog.signal_handlers`` records a change inside the changing transaction
    and again after commit, so a reader never holds old content with a validator newer than the change.

    Each change *inserts* a row (it used to update one shared row, so every Department or catalog save in the
    installation waited for the others' transactions): inserts never wait for each other, and the reading
    is ``max(changed_at)`` over an index. Old rows are trimmed now and then after commit.
    """

    KEEP = 100

    changed_at = models.DateTimeField(gettext_lazy("最近变更时间"), db_index=True)

    class Meta:
        verbose_name = gettext_lazy("清单公开数据版本")
        verbose_name_plural = gettext_lazy("清单公开数据版本")

    def __str__(self) -> str:
        return format_datetime(self.changed_at)

    @classmethod
    def bump(cls) -> None:
        row = cls.objects.create(changed_at=timezone.now())
        if row.pk % cls.KEEP == 0 and not transaction.get_connection().in_atomic_block:
            cls.objects.filter(pk__lte=row.pk - cls.KEEP).delete()

    @classmethod
    def last_changed(cls) -> "timezone.datetime":
        newest = cls.objects.aggregate(newest=models.Max("changed_at"))["newest"]
        return newest if newest is not None else cls.objects.create(changed_at=timezone.now()).changed_at
