"""What departments hand in on a lead: reports with evidence, and co-handling tasks (section 一)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.leads.calendar import WorkingCalendar
from zhunru.leads.models.leads import Lead, LeadTransitionError
from zhunru.leads.models.rules import UNIT_CHOICES


class LeadReport(models.Model):
    """A verification or rectification report; evidence files hang off it as Attachments."""

    class Kind(models.TextChoices):
        VERIFICATION = "verification", gettext_lazy("核查报告")
        RECTIFICATION = "rectification", gettext_lazy("整改报告")

    lead = models.ForeignKey(Lead, verbose_name=gettext_lazy("线索"), on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey("zhunru_cms.Department", verbose_name=gettext_lazy("报送单位"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(gettext_lazy("报告内容"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("报送人"), null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(gettext_lazy("报送时间"), auto_now_add=True)
    attachments = GenericRelation("zhunru_cms.Attachment", object_id_field="object_id", content_type_field="content_type")

    class Meta:
        verbose_name = gettext_lazy("核查/整改报告")
        verbose_name_plural = gettext_lazy("核查/整改报告")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.lead.number} {self.get_kind_display()}"

    def attachment_visible_to(self, user) -> bool:
        """Evidence is seen by whoever may see the lead (its departments and the coordinators)."""
        return Lead.objects.visible_to(user).filter(pk=self.lead_id).exists()

    @transaction.atomic
    def add_evidence(self, upload, *, by, request=None):
        """Store one evidence file (type checked by content, size-limited, SHA-256) on this report."""
        from zhunru.audit.recording import record
        from zhunru.leads import conf
        from zhunru.leads.models.leads import LeadEvent
        from zhunru.uploads import store_attachment

        if not self.attachment_visible_to(by) or not (
            by.is_superuser or by.department_memberships.filter(department=self.department).exists()
        ):
            raise PermissionDenied(_("您无权为该报告上传印证材料。"))
        purpose = _("核查印证材料") if self.kind == self.Kind.VERIFICATION else _("整改印证材料")
        attachment = store_attachment(upload, self, user=by, department=self.department, purpose=purpose,
                                      max_bytes=conf.get("EVIDENCE_MAX_BYTES"))
        LeadEvent.objects.create(lead=self.lead, action="evidence_added", actor=by, to_state=self.lead.state,
                                 note=attachment.original_name, data={"sha256": attachment.sha256, "report": self.pk})
        record("lead.evidence_added", obj=self.lead, actor=by, request=request, department=self.department,
               changes={"attachment": str(attachment.uuid), "sha256": attachment.sha256})
        return attachment


class CoHandling(models.Model):
    """A co-handling department on a lead: its task, time limit, division of duties, method and form."""

    class Method(models.TextChoices):
        JOINT_INVESTIGATION = "joint_investigation", gettext_lazy("联合调查")
        CENTRAL_SCREENING = "central_screening", gettext_lazy("集中排查")
        KEY_SUPERVISION = "key_supervision", gettext_lazy("重点督办")

    class Form(models.TextChoices):
        MEETING = "meeting", gettext_lazy("专题会议")
        LETTER = "letter", gettext_lazy("征询函")

    lead = models.ForeignKey(Lead, verbose_name=gettext_lazy("线索"), on_delete=models.CASCADE, related_name="co_handlers")
    department = models.ForeignKey("zhunru_cms.Department", verbose_name=gettext_lazy("协办部门"), on_delete=models.PROTECT, related_name="co_handled_leads")
    task = models.TextField(gettext_lazy("协办任务"))
    duties = models.TextField(gettext_lazy("职责分工"), blank=True)
    method = models.CharField(gettext_lazy("协作方式"), max_length=30, choices=Method.choices)
    form = models.CharField(gettext_lazy("协作形式"), max_length=20, choices=Form.choices)
    limit_amount = models.PositiveIntegerField(gettext_lazy("时限"))
    limit_unit = models.CharField(gettext_lazy("时限单位"), max_length=10, choices=UNIT_CHOICES, default="working")
    started_at = models.DateTimeField(gettext_lazy("起算时间"), default=timezone.now)
    due_at = models.DateTimeField(gettext_lazy("届满时刻"))
    provisional = models.BooleanField(gettext_lazy("临时期限"), default=False)
    calendar_version = models.CharField(gettext_lazy("日历版本"), max_length=20, blank=True)
    answer = models.TextField(gettext_lazy("反馈意见"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("反馈人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(gettext_lazy("反馈时间"), null=True, blank=True)
    # Tracked by the deadline scan like a lead's stages: one overdue reminder, then escalation by rule.
    escalate_at = models.DateTimeField(gettext_lazy("升级时刻"), null=True, blank=True)
    overdue_reminded = models.BooleanField(gettext_lazy("已提醒逾期"), default=False)
    escalated_at = models.DateTimeField(gettext_lazy("升级时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("设立人"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = gettext_lazy("协办部门")
        verbose_name_plural = gettext_lazy("协办部门")
        ordering = ["started_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["lead", "department"], name="zhunru_cohandling_once")]

    def __str__(self) -> str:
        return _("{department} 协办 {number}").format(department=self.department, number=self.lead.number)

    @classmethod
    @transaction.atomic
    def set_up(cls, lead: Lead, *, department, task: str, method: str, form: str, limit_amount: int,
               limit_unit: str = "working", duties: str = "", by, request=None) -> CoHandling:
        """The competent unit that received the lead sets up a co-handling department."""
        if not lead.may_by_role(by, "co_handler"):
            raise PermissionDenied(_("只有主管单位或发改委协调员可以设立协办部门。"))
        if lead.state == Lead.State.CLOSED:
            raise LeadTransitionError(_("线索已办结，不能再设立协办部门。"))
        if department.jurisdiction_id != lead.jurisdiction_id or department.pk == lead.competent_unit_id:
            raise LeadTransitionError(_("协办部门须为本辖区主管单位以外的部门。"))
        if cls.objects.filter(lead=lead, department=department).exists():
            raise LeadTransitionError(_("{department}已是该线索的协办部门。").format(department=department))
        if not task.strip():
            raise LeadTransitionError(_("请填写协办任务。"))
        co = cls(lead=lead, department=department, task=task, duties=duties, method=method, form=form,
                 limit_amount=limit_amount, limit_unit=limit_unit, created_by=by)
        co.compute()
        try:
            co.full_clean()
        except ValidationError as exc:
            raise LeadTransitionError(exc.messages) from exc
        co.save()
        lead._record("co_handler_added", by, request, from_state=lead.state, note=task[:200],
                     data={"department": department.name, "department_id": department.pk, "co_handling": co.pk,
                           "method": co.get_method_display(), "form": co.get_form_display()})
        return co

    def compute(self, calendar: WorkingCalendar | None = None) -> None:
        """Due time from the start and limit; escalation after the jurisdiction's rule of working days overdue."""
        from zhunru.leads.models.rules import DeadlineRule

        calendar = calendar or WorkingCalendar.load()
        jurisdiction = self.lead.jurisdiction
        due = calendar.compute_due(self.started_at, self.limit_amount, self.limit_unit, jurisdiction)
        self.due_at, self.provisional, self.calendar_version = due.due_at, due.provisional, due.calendar_version
        after = DeadlineRule.limits_for(jurisdiction)["escalate"][0]
        noon = datetime.datetime.combine(due.due_date, datetime.time(12), tzinfo=timezone.get_current_timezone())
        self.escalate_at = calendar.compute_due(noon, max(after, 1), "working", jurisdiction).due_at

    @transaction.atomic
    def respond(self, *, answer: str, by, request=None) -> None:
        """The co-handling department answers its task."""
        if by is None or not (by.is_superuser or by.department_memberships.filter(department=self.department).exists()):
            raise PermissionDenied(_("只有该协办部门的人员可以反馈协办任务。"))
        if self.answered_at is not None:
            raise LeadTransitionError(_("该协办任务已反馈。"))
        if not answer.strip():
            raise LeadTransitionError(_("请填写反馈意见。"))
        self.answer, self.answered_by, self.answered_at = answer, by, timezone.now()
        self.save(update_fields=["answer", "answered_by", "answered_at"])
        self.lead._record("co_handler_answered", by, request, from_state=self.lead.state, note=answer[:200],
                          data={"department": self.department.name, "department_id": self.department_id,
                                "co_handling": self.pk, "on_time": self.answered_at <= self.due_at})
