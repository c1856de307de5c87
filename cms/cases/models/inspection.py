"""Self-inspection campaigns (section 九) and the problem ledger (问题台账, sections 六 and 九)."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhunru.audit.recording import record
from zhunru.cases.querysets import InspectionCampaignQuerySet, LedgerEntryQuerySet


class InspectionCampaign(models.Model):
    """A self-inspection campaign: its scope, period and the departments taking part."""

    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT, related_name="inspection_campaigns"
    )
    title = models.CharField(gettext_lazy("名称"), max_length=200)
    scope_policy_documents = models.BooleanField(gettext_lazy("政策文件"), default=True, help_text=gettext_lazy("地方政府及部门制定的市场准入类政策文件。"))
    scope_approval_processes = models.BooleanField(gettext_lazy("审批流程"), default=True)
    scope_enterprise_conduct = models.BooleanField(gettext_lazy("经营主体行为"), default=False, help_text=gettext_lazy("准入资质、竞争行为。"))
    starts_on = models.DateField(gettext_lazy("开始日期"))
    ends_on = models.DateField(gettext_lazy("结束日期"))
    departments = models.ManyToManyField("zhunru_cms.Department", verbose_name=gettext_lazy("参与部门"), related_name="inspection_campaigns")
    description = models.TextField(gettext_lazy("工作要求"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("创建人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    objects = InspectionCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("自查专项")
        verbose_name_plural = gettext_lazy("自查专项")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": gettext("结束日期不能早于开始日期。")})
        if not (self.scope_policy_documents or self.scope_approval_processes or self.scope_enterprise_conduct):
            raise ValidationError(gettext("请至少选择一项自查范围。"))

    def scope_labels(self) -> list[str]:
        names = ["scope_policy_documents", "scope_approval_processes", "scope_enterprise_conduct"]
        return [str(self._meta.get_field(n).verbose_name) for n in names if getattr(self, n)]


class LedgerEntry(models.Model):
    """A finding in the problem ledger: what is wrong, on what basis, who rectifies it by when."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("待整改")
        RECTIFYING = "rectifying", gettext_lazy("整改中")
        RECTIFIED = "rectified", gettext_lazy("已整改")
        CLOSED = "closed", gettext_lazy("已销号")

    OPEN_STATUSES = (Status.OPEN, Status.RECTIFYING)

    campaign = models.ForeignKey(
        InspectionCampaign, verbose_name=gettext_lazy("自查专项"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="entries", help_text=gettext_lazy("效能评估发现的问题可不属于任何专项。"),
    )
    department = models.ForeignKey(
        "zhunru_cms.Department", verbose_name=gettext_lazy("填报部门"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    problem = models.TextField(gettext_lazy("问题"))
    basis = models.TextField(gettext_lazy("依据"), help_text=gettext_lazy("违反的负面清单事项或规定条款。"))
    responsible_unit = models.ForeignKey(
        "zhunru_cms.Department", verbose_name=gettext_lazy("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.TextField(gettext_lazy("整改措施"), blank=True)
    deadline = models.DateField(gettext_lazy("整改期限"), null=True, blank=True, help_text=gettext_lazy("留空则按下方整改时限自动计算。"))
    time_limit_days = models.PositiveSmallIntegerField(gettext_lazy("整改时限（天）"), null=True, blank=True)
    time_limit_unit = models.CharField(
        gettext_lazy("时限单位"), max_length=10, choices=[("calendar", gettext_lazy("自然日")), ("working", gettext_lazy("工作日"))], default="calendar"
    )
    deadline_provisional = models.BooleanField(
        gettext_lazy("临时期限"), default=False, editable=False, help_text=gettext_lazy("期限涉及尚未录入节假日安排的年度，录入后需重新计算。")
    )
    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    rectified_on = models.DateField(gettext_lazy("整改完成日期"), null=True, blank=True, editable=False)
    result = models.TextField(gettext_lazy("整改结果"), blank=True)
    last_reminded_on = models.DateField(gettext_lazy("最近提醒日期"), null=True, blank=True, editable=False)
    promoted_case = models.OneToOneField(
        "zhunru_cases.Case", verbose_name=gettext_lazy("转为案例"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="ledger_entry", editable=False,
    )
    created_at = models.DateTimeField(gettext_lazy("记录时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("记录人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("问题台账")
        verbose_name_plural = gettext_lazy("问题台账")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.problem[:40]

    def save(self, *args, **kwargs):
        if self.deadline is None and self.time_limit_days:
            from zhunru.cases import integrations

            start = timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
            jurisdiction = self.department.jurisdiction if self.department_id else None
            self.deadline, self.deadline_provisional = integrations.deadline(
                start, self.time_limit_days, self.time_limit_unit, jurisdiction=jurisdiction
            )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.deadline is None and not self.time_limit_days:
            raise ValidationError({"deadline": gettext("请填写整改期限，或填写整改时限由系统计算。")})
        if self.department_id and self.responsible_unit_id:
            if self.department.jurisdiction_id != self.responsible_unit.jurisdiction_id:
                raise ValidationError({"responsible_unit": gettext("责任单位须与填报部门属于同一辖区。")})
        if self.campaign_id and self.department_id:
            if self.campaign.jurisdiction_id != self.department.jurisdiction_id:
                raise ValidationError({"campaign": gettext("自查专项不属于填报部门所在辖区。")})

    @staticmethod
    def deadline_after(start: datetime.date, days: int, *, working_days: bool, jurisdiction=None) -> datetime.date:
        """A deadline ``days`` after ``start`` by the leads calendar (working days, or calendar days
        extended past rest days); plain calendar arithmetic only if that calendar is absent."""
        from zhunru.cases import integrations

        due, _ = integrations.deadline(start, days, "working" if working_days else "calendar", jurisdiction=jurisdiction)
        return due

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        if self.deadline is None:
            return False
        return self.status in self.OPEN_STATUSES and self.deadline < (today or timezone.localdate())

    @transaction.atomic
    def set_status(self, status: str, *, by=None, request=None, result: str = "") -> None:
        """Move the entry along 待整改 → 整改中 → 已整改 → 已销号, recording who did it."""
        order = [s.value for s in self.Status]
        current = LedgerEntry.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
        if order.index(status) <= order.index(current):
            raise ValidationError(
                gettext("问题台账状态不能从“{label}”改为“{label2}”。").format(label=self.Status(current).label, label2=self.Status(status).label)
            )
        self.status = status
        if result:
            self.result = result
        if status == self.Status.RECTIFIED:
            self.rectified_on = timezone.localdate()
        self.save(update_fields=["status", "result", "rectified_on"])
        record(f"ledger.{status}", obj=self, actor=by, request=request, department=self.responsible_unit,
               changes={"status": [current, status]})

    # -- transitions (the admin form shows the status read-only; these are the only ways to change it) --

    def _may_act(self, user, *, close: bool = False) -> bool:
        from zhunru import roles

        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        jurisdiction_id = self.department.jurisdiction_id
        coordinator = roles.COORDINATOR in roles.held(user) and user.department_memberships.filter(
            department__jurisdiction_id=jurisdiction_id).exists()
        if close:
            return coordinator
        return coordinator or user.department_memberships.filter(department_id=self.responsible_unit_id).exists()

    def start_rectifying(self, *, by, request=None) -> None:
        """待整改 → 整改中, by the responsible unit (or a coordinator)."""
        if not self._may_act(by):
            raise PermissionDenied(gettext("只有责任单位或发改委协调员可以开始整改。"))
        self.set_status(self.Status.RECTIFYING, by=by, request=request)

    def report_rectified(self, *, by, result: str, request=None) -> None:
        """→ 已整改, with the result, by the responsible unit (or a coordinator)."""
        if not self._may_act(by):
            raise PermissionDenied(gettext("只有责任单位或发改委协调员可以报告整改完成。"))
        if not (result or "").strip():
            raise ValidationError(gettext("请填写整改结果。"))
        self.set_status(self.Status.RECTIFIED, by=by, request=request, result=result.strip())

    def close(self, *, by, request=None) -> None:
        """已整改 → 已销号, by a coordinator of the jurisdiction after checking the result."""
        if not self._may_act(by, close=True):
            raise PermissionDenied(gettext("只有发改委协调员可以销号。"))
        if self.status != self.Status.RECTIFIED:
            raise ValidationError(gettext("只有已整改的问题可以销号。"))
        self.set_status(self.Status.CLOSED, by=by, request=request)

    @transaction.atomic
    def promote_to_case(self, *, by=None, request=None, category: str, subcategory: str = "", importance: str = ""):
        """Report this finding to the register as a case, in one step (section 九 → 十三)."""
        from zhunru.cases.models import Case, Importance

        entry = LedgerEntry.objects.select_for_update().get(pk=self.pk)
        if entry.promoted_case_id:
            raise ValidationError(gettext("该问题已转为案例。"))
        case = Case(
            jurisdiction=self.department.jurisdiction,
            reporting_department=self.department,
            title=self.problem.splitlines()[0][:200],
            region=self.department.jurisdiction.name,
            organization=self.responsible_unit.name,
            category=category,
            subcategory=subcategory,
            source=Case._meta.get_field("source").default,
            source_department=self.department,
            importance=importance or Importance.GENERAL,
            summary=self.problem,
            violated_clause=self.basis,
            handling_result="\n".join(x for x in (self.measure, self.result) if x),
            internal_notes=gettext("由问题台账第 {pk} 号转入。").format(pk=self.pk),
            reported_by=by,
        )
        case.full_clean()
        case.save()
        self.promoted_case = case
        self.save(update_fields=["promoted_case"])
        lead = self.promoted_lead()
        if lead is not None:
            case.leads.add(lead)
        record("ledger.promote_to_case", obj=self, actor=by, request=request, department=self.department,
               changes={"case": case.pk})
        record("case.report", obj=case, actor=by, request=request, department=case.reporting_department,
               note=gettext("由问题台账转入"))
        return case

    @transaction.atomic
    def promote_to_lead(self, *, by=None, request=None):
        """Turn the finding into a lead (source 自查发现) in one step, through the lead tracker."""
        from zhunru.cases import integrations

        LedgerEntry.objects.select_for_update().get(pk=self.pk)
        if self.promoted_lead() is not None:
            raise ValidationError(gettext("该问题已转为线索。"))
        lead = integrations.lead_from_ledger_entry(self, by=by, request=request)
        if self.promoted_case_id:
            self.promoted_case.leads.add(lead)
        record("ledger.promote_to_lead", obj=self, actor=by, request=request, department=self.department,
               changes={"lead": str(lead.pk)})
        return lead

    def promoted_lead(self):
        """The lead this finding became, if any (the lead records its origin)."""
        from zhunru.cases import integrations

        lead_cls = integrations.lead_model()
        if lead_cls is None:
            return None
        return lead_cls.objects.filter(
            origin_type=ContentType.objects.get_for_model(LedgerEntry), origin_id=str(self.pk)
        ).first()

    @property
    def attachments(self):
        from zhunru.models import Attachment

        return Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(LedgerEntry), object_id=str(self.pk)
        ).order_by("uploaded_at")

    def attachment_visible_to(self, user) -> bool:
        from zhunru.scoping import visible_departments

        if not user.is_authenticated:
            return False
        return visible_departments(user).filter(pk__in=[self.department_id, self.responsible_unit_id]).exists()

    def add_evidence(self, upload, *, user=None):
        """Store rectification evidence (整改印证材料), owned by the responsible unit."""
        from zhunru.uploads import store_attachment

        attachment = store_attachment(upload, self, user=user, department=self.responsible_unit, purpose=gettext("整改印证材料"))
        record("ledger.evidence_added", obj=self, actor=user, department=self.responsible_unit,
               changes={"attachment": attachment.original_name, "sha256": attachment.sha256})
        return attachment
