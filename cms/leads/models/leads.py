"""Leads (线索) and their stages: the "0137" state machine of section 十二.

Every transition is an atomic model method that checks the actor's permission and the current
state, records a ``LeadEvent`` and an audit event, and sends ``lead_transitioned``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru import roles
from zhunru.clock import format_date, format_datetime
from zhunru.leads.calendar import UNITS, DueTime, WorkingCalendar
from zhunru.leads.models.rules import UNIT_CHOICES, DeadlineRule
from zhunru.validators import validate_uscc


def format_lead_number(jurisdiction, year: int, serial: int) -> str:
    """``Jurisdiction.lead_number_format`` filled in; an unusable format falls back to the default one."""
    fields = {"short": jurisdiction.short_name, "year": year, "serial": serial, "division_code": jurisdiction.division_code}
    try:
        return (jurisdiction.lead_number_format or "").format(**fields) or _("{short_name}线索〔{year}〕{serial}号").format(short_name=jurisdiction.short_name, year=year, serial=serial)
    except (KeyError, IndexError, ValueError):
        return _("{short_name}线索〔{year}〕{serial}号").format(short_name=jurisdiction.short_name, year=year, serial=serial)


class LeadTransitionError(ValidationError):
    """An illegal transition (wrong state or missing input); the message is Chinese."""


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators and auditors see their jurisdictions' leads; officers see leads their department handles;
        an extension approver (of the higher-level office) also the leads of the jurisdictions under theirs
        that carry an extension request."""
        from zhunru.scoping import (
            lower_jurisdictions,
            sees_jurisdiction,
            user_departments,
            user_jurisdictions,
        )

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if sees_jurisdiction(user):
            return self.filter(jurisdiction__in=user_jurisdictions(user))
        depts = user_departments(user)
        handled = (
            models.Q(competent_unit__in=depts)
            | models.Q(responsible_unit__in=depts)
            | models.Q(lead_department__in=depts)
            | models.Q(co_handlers__department__in=depts)
        )
        if roles.EXTENSION_APPROVER in roles.held(user):
            lower = lower_jurisdictions(user_jurisdictions(user))
            handled |= models.Q(pk__in=Extension.objects.filter(lead__jurisdiction__in=lower).values("lead_id"))
        return self.filter(handled).distinct()

    def open(self):
        return self.exclude(state=Lead.State.CLOSED)

    def overdue(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.filter(stages__completed_at__isnull=True, stages__due_at__lt=now).distinct()


def _complaint_title(complaint) -> str:
    organization = getattr(complaint, "organization", "") or ""
    what = getattr(complaint, "document_or_practice", "") or (getattr(complaint, "description", "") or "")[:40]
    return _("公众投诉：{organization}{value}{what}").format(organization=organization, value='：' if organization and what else '', what=what) if (organization or what) else str(complaint)


class LeadManager(models.Manager.from_queryset(LeadQuerySet)):
    @transaction.atomic
    def create_lead(
        self,
        *,
        jurisdiction,
        source: str,
        title: str,
        description: str = "",
        received_at: datetime.datetime | None = None,
        subject_name: str = "",
        subject_uscc: str = "",
        reporter: str = "",
        origin=None,
        by=None,
        request=None,
    ) -> Lead:
        """Register a lead received by the jurisdiction's lead department; opens the transfer stage."""
        lead = self.model(
            jurisdiction=jurisdiction,
            lead_department=jurisdiction.lead_department,
            source=source,
            title=title,
            description=description,
            received_at=received_at or timezone.now(),
            subject_name=subject_name,
            subject_uscc=(subject_uscc or "").strip().upper(),
            reporter=reporter,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        if origin is not None:
            lead.origin_type = ContentType.objects.get_for_model(origin)
            lead.origin_id = str(origin.pk)
        lead.full_clean()
        lead.number = lead.allocate_number()
        lead.save()
        lead.open_stage(LeadStage.Kind.TRANSFER, lead.lead_department, lead.received_at)
        lead._record("received", by, request, note=_("来源：{get_source_display}").format(get_source_display=lead.get_source_display()))
        return lead

    def create_from_complaint(self, complaint, *, by=None, request=None, title: str = "", description: str = "") -> Lead:
        """Turn a triaged public complaint (portal ``Complaint``) into a lead; source = 公众投诉.

        Reads ``complaint.jurisdiction`` and, when present, ``title``/``subject``, ``content``/``description``,
        ``subject_name``/``enterprise_name``, ``uscc``/``subject_uscc``, ``created_at``/``submitted_at``.
        Idempotent: a complaint already turned into a lead returns that lead.
        """
        ct = ContentType.objects.get_for_model(complaint)
        existing = self.filter(origin_type=ct, origin_id=str(complaint.pk)).first()
        if existing is not None:
            return existing

        def first(*names, default=""):
            for name in names:
                value = getattr(complaint, name, None)
                if value:
                    return value
            return default

        return self.create_lead(
            jurisdiction=complaint.jurisdiction,
            source=Lead.Source.COMPLAINT,
            title=(title or str(first("title", "subject", default="")) or _complaint_title(complaint))[:200],
            description=description or str(first("content", "description", "body")),
            received_at=first("submitted_at", "created_at", default=None) or timezone.now(),
            subject_name=str(first("subject_name", "enterprise_name", "respondent", "organization"))[:200],
            subject_uscc=str(first("subject_uscc", "uscc")),
            reporter=_("公众投诉（回执码 {value}）").format(value=getattr(complaint, 'display_code', '') or getattr(complaint, 'receipt_code', '')),
            origin=complaint,
            by=by,
            request=request,
        )

    def create_from_ledger_entry(self, entry, *, by=None, request=None) -> Lead:
        """Turn a self-inspection ledger finding (cases ``LedgerEntry``) into a lead; source = 自查发现; idempotent."""
        ct = ContentType.objects.get_for_model(entry)
        existing = self.filter(origin_type=ct, origin_id=str(entry.pk)).first()
        if existing is not None:
            return existing
        problem = str(getattr(entry, "problem", "") or entry)
        basis = getattr(entry, "basis", "")
        return self.create_lead(
            jurisdiction=entry.department.jurisdiction, source=Lead.Source.INSPECTION,
            title=problem.splitlines()[0][:200], description=problem + (_("\n\n依据：{basis}").format(basis=basis) if basis else ""),
            reporter=_("问题台账（{department}）").format(department=entry.department), origin=entry, by=by, request=request,
        )


class Lead(models.Model):
    class Source(models.TextChoices):
        NATIONAL = "national", gettext_lazy("国家移交")
        PROVINCIAL = "provincial", gettext_lazy("省级移交")
        MUNICIPAL = "municipal", gettext_lazy("市级移交")
        COMPLAINT = "complaint", gettext_lazy("公众投诉")
        DEPARTMENT = "department", gettext_lazy("部门报送")
        INSPECTION = "inspection", gettext_lazy("自查发现")

    class State(models.TextChoices):
        RECEIVED = "received", gettext_lazy("已接收")
        TRANSFERRED = "transferred", gettext_lazy("已移交")
        VERIFYING = "verifying", gettext_lazy("核查中")
        RECTIFYING = "rectifying", gettext_lazy("整改中")
        REPORTED = "reported", gettext_lazy("已报告")
        CLOSED = "closed", gettext_lazy("已办结")

    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT, related_name="leads")
    lead_department = models.ForeignKey(
        "zhunru_cms.Department", verbose_name=gettext_lazy("牵头部门"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    competent_unit = models.ForeignKey(
        "zhunru_cms.Department", verbose_name=gettext_lazy("主管单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="competent_leads"
    )
    responsible_unit = models.ForeignKey(
        "zhunru_cms.Department", verbose_name=gettext_lazy("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="responsible_leads"
    )
    source = models.CharField(gettext_lazy("来源"), max_length=20, choices=Source.choices)
    received_at = models.DateTimeField(gettext_lazy("接收时间"))
    number = models.CharField(
        gettext_lazy("线索编号"), max_length=100, blank=True, db_index=True, editable=False,
        help_text=gettext_lazy("按辖区“线索编号格式”逐年连续编号，登记时分配。"),
    )
    title = models.CharField(gettext_lazy("线索标题"), max_length=200)
    description = models.TextField(gettext_lazy("线索内容"), blank=True)
    reporter = models.CharField(gettext_lazy("反映人/移交机关"), max_length=200, blank=True)
    subject_name = models.CharField(gettext_lazy("涉及经营主体"), max_length=200, blank=True)
    subject_uscc = models.CharField(gettext_lazy("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])
    state = models.CharField(gettext_lazy("状态"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(gettext_lazy("督办升级次数"), default=0)
    findings = models.TextField(gettext_lazy("核查结论"), blank=True)
    rectification_opinion = models.TextField(gettext_lazy("整改意见"), blank=True)
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(gettext_lazy("登记时间"), auto_now_add=True)
    closed_at = models.DateTimeField(gettext_lazy("办结时间"), null=True, blank=True)

    objects = LeadManager()

    class Meta:
        verbose_name = gettext_lazy("线索")
        verbose_name_plural = gettext_lazy("线索")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["jurisdiction", "state"])]
        permissions = [("export_lead", gettext_lazy("可导出线索台账")), ("approve_extension", gettext_lazy("可审批延期申请"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if not self.number and self.jurisdiction_id:
            with transaction.atomic():  # the counter row stays locked until the lead is stored
                self.number = self.allocate_number()
                return super().save(*args, **kwargs)
        return super().save(*args, **kwargs)

    @classmethod
    def from_complaint(cls, complaint, *, by=None, request=None) -> Lead:
        """Alias of ``Lead.objects.create_from_complaint`` for the portal."""
        return cls.objects.create_from_complaint(complaint, by=by, request=request)

    @classmethod
    def from_ledger_entry(cls, entry, *, by=None) -> Lead:
        """What ``zhunru.cases.integrations.lead_from_ledger_entry`` calls."""
        return cls.objects.create_from_ledger_entry(entry, by=by)

    def allocate_number(self) -> str:
        """The next gap-free number of the jurisdiction and year (Beijing) received; inside the creating transaction."""
        from zhunru.cases.models import RegisterCounter

        year = timezone.localtime(self.received_at or timezone.now()).year
        serial = RegisterCounter.allocate(self.jurisdiction, year, RegisterCounter.Kind.LEAD)
        return format_lead_number(self.jurisdiction, year, serial)

    @property
    def admin_url(self) -> str:
        return reverse("zhunru_lead_timeline", args=[self.pk])

    def current_stage(self) -> LeadStage | None:
        return self.stages.filter(completed_at__isnull=True).order_by("-started_at", "-pk").first()

    def is_overdue(self, now=None) -> bool:
        stage = self.current_stage()
        return stage is not None and stage.due_at < (now or timezone.now())

    # -- permissions -------------------------------------------------------------------------

    def _member(self, user, *departments) -> bool:
        ids = [d.pk for d in departments if d is not None]
        return bool(ids) and user.department_memberships.filter(department_id__in=ids).exists()

    def _coordinator(self, user) -> bool:
        from zhunru.scoping import is_coordinator, user_jurisdictions

        if user.is_superuser:
            return True
        return is_coordinator(user) and user_jurisdictions(user).filter(pk=self.jurisdiction_id).exists()

    # Who may take each action, and from which states: the transitions enforce it, the timeline shows only
    # the actions ``allowed_actions`` returns (an action a user may not take is not offered).
    ACTION_STATES = {
        "transfer": ("received",),
        "accept": ("transferred",),
        "verify": ("transferred", "verifying"),
        "co_handler": ("transferred", "verifying"),
        "report": ("rectifying",),
        "return": ("reported",),
        "close": ("reported",),
        "request_extension": ("transferred", "verifying", "rectifying"),
        "approve_extension": ("transferred", "verifying", "rectifying"),
        "reject_extension": ("transferred", "verifying", "rectifying"),
        "escalate": ("received", "transferred", "verifying", "rectifying", "reported"),
        "urge": ("received", "transferred", "verifying", "rectifying"),
    }

    def _approver(self, user) -> bool:
        """An extension approver of the higher-level office: a member of one of the lead's jurisdiction's
        higher-level jurisdictions (``Jurisdiction.parent`` and up), never of the lead's own."""
        from zhunru.scoping import ancestor_ids

        if user.is_superuser:
            return True
        if not roles.has_role(user, roles.EXTENSION_APPROVER):
            return False
        higher = ancestor_ids(self.jurisdiction)
        return bool(higher) and user.department_memberships.filter(department__jurisdiction_id__in=higher).exists()

    def may_by_role(self, user, action: str) -> bool:
        """Whether ``user``'s role and departments allow ``action`` on this lead (its state aside)."""
        if user is None or not user.is_authenticated:
            return False
        if action in ("approve_extension", "reject_extension"):
            return self._approver(user)
        if self._coordinator(user):
            return True
        units = {
            "transfer": (self.lead_department,), "return": (self.lead_department,), "close": (self.lead_department,),
            "accept": (self.competent_unit,), "verify": (self.competent_unit,), "co_handler": (self.competent_unit,),
            "report": (self.responsible_unit, self.competent_unit),
            "request_extension": (self.competent_unit, self.responsible_unit),
        }.get(action)
        return bool(units) and self._member(user, *units)

    def allowed_actions(self, user) -> set[str]:
        """The actions ``user`` may take now (state, role and, for a decision, a pending extension)."""
        allowed = {a for a, states in self.ACTION_STATES.items() if self.state in states and self.may_by_role(user, a)}
        if allowed & {"approve_extension", "reject_extension"} and not self.extensions.filter(
                status=Extension.Status.PENDING).exists():
            allowed -= {"approve_extension", "reject_extension"}
        if "request_extension" in allowed and self.extensions.filter(status=Extension.Status.PENDING).exists():
            allowed.discard("request_extension")
        return allowed

    def _require(self, user, allowed: bool, what: str) -> None:
        if user is None or not user.is_authenticated or not allowed:
            raise PermissionDenied(_("您无权{what}。").format(what=what))

    def _require_state(self, *states: str, what: str) -> None:
        if self.state not in states:
            allowed = "、".join(str(self.State(s).label) for s in states)
            raise LeadTransitionError(_("线索当前状态为“{get_state_display}”，不能{what}（仅限“{allowed}”状态）。").format(get_state_display=self.get_state_display(), what=what, allowed=allowed))

    def _lock(self) -> None:
        fresh = type(self).objects.select_for_update().get(pk=self.pk)
        self.state = fresh.state
        self.escalation_level = fresh.escalation_level

    # -- bookkeeping -------------------------------------------------------------------------

    def open_stage(self, kind: str, department, start, *, amount: int | None = None, unit: str | None = None, calendar=None) -> LeadStage:
        limits = DeadlineRule.limits_for(self.jurisdiction)
        rule_amount, rule_unit = limits[kind]
        stage = LeadStage(
            lead=self, kind=kind, department=department, started_at=start,
            limit_amount=amount or rule_amount, limit_unit=unit or rule_unit,
        )
        stage.compute(calendar=calendar, escalate_after=limits["escalate"][0])
        stage.save()
        return stage

    def _close_stage(self, kind: str | None, now) -> LeadStage | None:
        qs = self.stages.filter(completed_at__isnull=True)
        if kind:
            qs = qs.filter(kind=kind)
        stage = qs.order_by("-started_at").first()
        if stage is not None:
            stage.completed_at = now
            stage.save(update_fields=["completed_at"])
        return stage

    def _record(self, action: str, by, request, *, from_state: str = "", note: str = "", data: dict | None = None) -> LeadEvent:
        from zhunru.audit.recording import record
        from zhunru.leads.signals import lead_transitioned

        actor = by if by is not None and by.is_authenticated else None
        event = LeadEvent.objects.create(
            lead=self, action=action, actor=actor, from_state=from_state, to_state=self.state, note=note, data=data or {}
        )
        record(
            f"lead.{action}", obj=self, actor=actor, request=request,
            department=self.competent_unit or self.lead_department,
            changes={"state": [from_state, self.state], **(data or {})}, note=note,
        )
        lead_transitioned.send(sender=type(self), lead=self, action=action, event=event)
        return event

    # -- transitions -------------------------------------------------------------------------

    @transaction.atomic
    def transfer(self, *, to, by, note: str = "", request=None) -> LeadEvent:
        """Lead department → competent unit (移交), within 1 working day; opens the verify stage."""
        self._lock()
        self._require(by, self.may_by_role(by, "transfer"), _("移交线索"))
        self._require_state(self.State.RECEIVED, what=_("移交"))
        if to is None or to.jurisdiction_id != self.jurisdiction_id:
            raise LeadTransitionError(_("主管单位须为本辖区的部门。"))
        now = timezone.now()
        prev = self.state
        self._close_stage(LeadStage.Kind.TRANSFER, now)
        self.competent_unit = to
        self.state = self.State.TRANSFERRED
        self.save(update_fields=["competent_unit", "state"])
        self.open_stage(LeadStage.Kind.VERIFY, to, now)
        return self._record("transferred", by, request, from_state=prev, note=note, data={"to": to.name})

    @transaction.atomic
    def accept(self, *, by, note: str = "", request=None) -> LeadEvent:
        """The competent unit signs for the lead and starts verifying (签收)."""
        self._lock()
        self._require(by, self.may_by_role(by, "accept"), _("签收该线索"))
        self._require_state(self.State.TRANSFERRED, what=_("签收"))
        prev, self.state = self.state, self.State.VERIFYING
        self.save(update_fields=["state"])
        return self._record("accepted", by, request, from_state=prev, note=note)

    @transaction.atomic
    def verify(self, *, by, findings: str, responsible_unit=None, opinion: str = "", needs_rectification: bool = True,
               note: str = "", request=None) -> LeadEvent:
        """Report the verification (核查): name the responsible unit and give a rectification opinion."""
        self._lock()
        self._require(by, self.may_by_role(by, "verify"), _("报告核查结果"))
        self._require_state(self.State.TRANSFERRED, self.State.VERIFYING, what=_("报告核查结果"))
        if not findings.strip():
            raise LeadTransitionError(_("请填写核查结论。"))
        if needs_rectification:
            if responsible_unit is None or responsible_unit.jurisdiction_id != self.jurisdiction_id:
                raise LeadTransitionError(_("需要整改时须指定本辖区的责任单位。"))
            if not opinion.strip():
                raise LeadTransitionError(_("需要整改时须提出整改意见。"))
        now = timezone.now()
        prev = self.state
        self._close_stage(LeadStage.Kind.VERIFY, now)
        self.findings, self.rectification_opinion = findings, opinion
        if needs_rectification:
            self.responsible_unit = responsible_unit
            self.state = self.State.RECTIFYING
            self.open_stage(LeadStage.Kind.RECTIFY, responsible_unit, now)
        else:
            self.state = self.State.REPORTED
        self.save(update_fields=["findings", "rectification_opinion", "responsible_unit", "state"])
        data = {"needs_rectification": needs_rectification}
        if responsible_unit is not None:
            data["responsible_unit"] = responsible_unit.name
        return self._record("verified", by, request, from_state=prev, note=note or findings[:200], data=data)

    @transaction.atomic
    def report(self, *, by, summary: str, note: str = "", request=None) -> LeadEvent:
        """The responsible unit reports the rectification (整改报告), evidence attached to its LeadReport."""
        self._lock()
        self._require(by, self.may_by_role(by, "report"), _("报告整改情况"))
        self._require_state(self.State.RECTIFYING, what=_("报告整改情况"))
        if not summary.strip():
            raise LeadTransitionError(_("请填写整改情况。"))
        prev = self.state
        self._close_stage(LeadStage.Kind.RECTIFY, timezone.now())
        self.state = self.State.REPORTED
        self.save(update_fields=["state"])
        return self._record("reported", by, request, from_state=prev, note=note or summary[:200])

    @transaction.atomic
    def return_for_rework(self, *, by, note: str, request=None) -> LeadEvent:
        """The lead department sends an inadequate report back (退回整改); a new rectify stage opens."""
        self._lock()
        self._require(by, self.may_by_role(by, "return"), _("退回整改"))
        self._require_state(self.State.REPORTED, what=_("退回整改"))
        if not note.strip():
            raise LeadTransitionError(_("退回整改须说明理由。"))
        if self.responsible_unit is None:
            raise LeadTransitionError(_("该线索没有责任单位，不能退回整改。"))
        prev, self.state = self.state, self.State.RECTIFYING
        self.save(update_fields=["state"])
        self.open_stage(LeadStage.Kind.RECTIFY, self.responsible_unit, timezone.now())
        return self._record("returned", by, request, from_state=prev, note=note)

    @transaction.atomic
    def close(self, *, by, note: str = "", request=None) -> LeadEvent:
        """The lead department closes a reported lead (办结)."""
        self._lock()
        self._require(by, self.may_by_role(by, "close"), _("办结线索"))
        self._require_state(self.State.REPORTED, what=_("办结"))
        if self.extensions.filter(status=Extension.Status.PENDING).exists():
            raise LeadTransitionError(_("尚有待审批的延期申请，不能办结。"))
        prev, self.state = self.state, self.State.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["state", "closed_at"])
        return self._record("closed", by, request, from_state=prev, note=note)

    @transaction.atomic
    def request_extension(self, *, by, days: int, unit: str = "working", reason: str, request=None) -> Extension:
        """The competent unit applies in writing for more time on the current stage (延期申请)."""
        self._lock()
        self._require(by, self.may_by_role(by, "request_extension"), _("申请延期"))
        self._require_state(self.State.TRANSFERRED, self.State.VERIFYING, self.State.RECTIFYING, what=_("申请延期"))
        if not reason.strip():
            raise LeadTransitionError(_("延期申请须写明理由。"))
        if not isinstance(days, int) or days < 1 or days > 365:
            raise LeadTransitionError(_("延期天数应为 1 至 365 之间的整数。"))
        if unit not in UNITS:
            raise LeadTransitionError(_("延期单位应为工作日或自然日。"))
        if self.extensions.filter(status=Extension.Status.PENDING).exists():
            raise LeadTransitionError(_("已有待审批的延期申请。"))
        stage = self.current_stage()
        if stage is None:
            raise LeadTransitionError(_("当前没有进行中的办理阶段，无需延期。"))
        ext = Extension.objects.create(lead=self, stage=stage, days=days, unit=unit, reason=reason, requested_by=by)
        self._record("extension_requested", by, request, from_state=self.state, note=reason,
                     data={"days": days, "unit": unit, "stage": stage.kind, "extension": ext.pk})
        return ext

    def _pending_extension(self) -> Extension:
        ext = self.extensions.select_for_update().filter(status=Extension.Status.PENDING).first()
        if ext is None:
            raise LeadTransitionError(_("没有待审批的延期申请。"))
        return ext

    @transaction.atomic
    def approve_extension(self, *, by, days: int | None = None, new_due_date: datetime.date | None = None, note: str = "",
                          request=None) -> Extension:
        """The higher-level office approves (the jurisdiction's higher office); the stage's due time moves from its current due date."""
        self._lock()
        self._require(by, self.may_by_role(by, "approve_extension"), _("审批延期申请（需上级发展改革部门的延期审批角色）"))
        ext = self._pending_extension()
        stage = ext.stage
        if stage.completed_at is not None:
            raise LeadTransitionError(_("该阶段已办结，延期申请无须审批。"))
        old_due = stage.due_at
        if new_due_date is not None:
            if new_due_date <= stage.due_date:
                raise LeadTransitionError(_("新的期限须晚于原期限。"))
            stage.fixed_due_date = new_due_date
        elif stage.fixed_due_date is None and (not stage.extension_amount or stage.extension_unit == ext.unit):
            # Extensions add up, and stay recomputable from the stage's own inputs.
            stage.extension_amount = (stage.extension_amount or 0) + (days or ext.days)
            stage.extension_unit = ext.unit
        else:
            stage.fixed_due_date = WorkingCalendar.load().compute_due(
                stage.due_at - datetime.timedelta(minutes=1), days or ext.days, ext.unit, self.jurisdiction).due_date
        stage.compute()
        stage.overdue_reminded = stage.soon_reminded = stage.today_reminded = False
        stage.save()
        ext.status, ext.decided_by, ext.decided_at, ext.decision_note = Extension.Status.APPROVED, by, timezone.now(), note
        ext.new_due_at = stage.due_at
        ext.save()
        self._record("extension_approved", by, request, from_state=self.state, note=note,
                     data={"old_due_at": old_due.isoformat(), "new_due_at": stage.due_at.isoformat(), "extension": ext.pk})
        return ext

    @transaction.atomic
    def reject_extension(self, *, by, note: str, request=None) -> Extension:
        self._lock()
        self._require(by, self.may_by_role(by, "approve_extension"), _("审批延期申请（需上级发展改革部门的延期审批角色）"))
        if not note.strip():
            raise LeadTransitionError(_("不予延期须说明理由。"))
        ext = self._pending_extension()
        ext.status, ext.decided_by, ext.decided_at, ext.decision_note = Extension.Status.REJECTED, by, timezone.now(), note
        ext.save()
        self._record("extension_rejected", by, request, from_state=self.state, note=note, data={"extension": ext.pk})
        return ext

    @transaction.atomic
    def escalate(self, *, by=None, reason: str, stage: LeadStage | None = None, request=None) -> Escalation:
        """督办升级: report to the government and draft a circulation notice (section 十二(五)/(六)).

        ``by=None`` is the deadline worker acting by rule; a person must be a coordinator.
        """
        self._lock()
        if by is not None:
            self._require(by, self.may_by_role(by, "escalate"), _("督办升级"))
        self._require_state(self.State.RECEIVED, self.State.TRANSFERRED, self.State.VERIFYING, self.State.RECTIFYING,
                            self.State.REPORTED, what=_("督办升级"))
        self.escalation_level += 1
        self.save(update_fields=["escalation_level"])
        stage = stage or self.current_stage()
        dept = stage.department if stage is not None else self.competent_unit
        draft = (
            _("关于{value}办理线索逾期情况的通报（草稿）\n\n"
            "线索“{title}”（{number}）").format(value=dept or _('有关单位'), title=self.title, number=self.number)
            + (_("{get_kind_display}阶段应于 {format_datetime} 前办结，").format(get_kind_display=stage.get_kind_display(), format_datetime=format_datetime(stage.due_at)) if stage else "")
            + _("截至 {format_date} 仍未办结。根据市场准入负面清单线索核查处理机制，现予通报，"
            "请立即办理并书面说明逾期原因。").format(format_date=format_date(timezone.now()))
            + (_("\n\n抄报：{escalates_to}").format(escalates_to=self.jurisdiction.escalates_to) if getattr(self.jurisdiction, "escalates_to", "") else "")
        )
        esc = Escalation.objects.create(lead=self, stage=stage, level=self.escalation_level, reason=reason,
                                        created_by=by, circulation_draft=draft)
        if stage is not None and stage.escalated_at is None:
            stage.escalated_at = timezone.now()
            stage.save(update_fields=["escalated_at"])
        self._record("escalated", by, request, from_state=self.state, note=reason,
                     data={"level": self.escalation_level, "escalation": esc.pk})
        return esc

    def urge(self, *, by, note: str = "", request=None) -> LeadEvent:
        """催办: a coordinator reminds the unit holding the current stage. Logged on the timeline, in the audit
        trail and as a notification to that unit's officers; the stage and its deadline do not change."""
        self._lock()
        self._require(by, self.may_by_role(by, "urge"), _("催办线索"))
        self._require_state(self.State.RECEIVED, self.State.TRANSFERRED, self.State.VERIFYING, self.State.RECTIFYING,
                            what=_("催办"))
        stage = self.current_stage()
        department = stage.department if stage is not None else None
        return self._record("urged", by, request, from_state=self.state, note=note.strip(),
                            data={"stage": stage.pk if stage else None,
                                  "department_id": department.pk if department else None})


class LeadStageQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True, lead__state__in=[
            Lead.State.RECEIVED, Lead.State.TRANSFERRED, Lead.State.VERIFYING, Lead.State.RECTIFYING])

    def overdue(self, now):
        return self.filter(completed_at__isnull=True, due_at__lt=now)


class LeadStage(models.Model):
    """One timed stage; keeps the inputs of its due time so a calendar change can recompute it."""
    wagtail_reference_index_ignore = True  # high-volume rows: not worth Wagtail's usage index


    class Kind(models.TextChoices):
        TRANSFER = "transfer", gettext_lazy("移交")
        VERIFY = "verify", gettext_lazy("核查")
        RECTIFY = "rectify", gettext_lazy("整改")

    lead = models.ForeignKey(Lead, verbose_name=gettext_lazy("线索"), on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(gettext_lazy("阶段"), max_length=10, choices=Kind.choices)
    department = models.ForeignKey("zhunru_cms.Department", verbose_name=gettext_lazy("承办单位"), null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(gettext_lazy("起算时间"))
    limit_amount = models.PositiveIntegerField(gettext_lazy("时限"))
    limit_unit = models.CharField(gettext_lazy("时限单位"), max_length=10, choices=UNIT_CHOICES)
    extension_amount = models.PositiveIntegerField(gettext_lazy("延期时限"), null=True, blank=True)
    extension_unit = models.CharField(gettext_lazy("延期单位"), max_length=10, choices=UNIT_CHOICES, blank=True)
    fixed_due_date = models.DateField(gettext_lazy("批准的期限"), null=True, blank=True)
    due_date = models.DateField(gettext_lazy("届满日"))
    due_at = models.DateTimeField(gettext_lazy("届满时刻"), db_index=True)
    remind_at = models.DateTimeField(gettext_lazy("提醒时刻"))
    escalate_at = models.DateTimeField(gettext_lazy("升级时刻"))
    provisional = models.BooleanField(gettext_lazy("临时期限"), default=False, help_text=gettext_lazy("依赖尚未录入的年度节假日安排。"))
    calendar_version = models.CharField(gettext_lazy("日历版本"), max_length=20)
    computation = models.JSONField(gettext_lazy("计算过程"), default=dict)
    completed_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)
    soon_reminded = models.BooleanField(gettext_lazy("已提醒即将到期"), default=False)
    today_reminded = models.BooleanField(gettext_lazy("已提醒当日到期"), default=False)
    overdue_reminded = models.BooleanField(gettext_lazy("已提醒逾期"), default=False)
    overdue_marked_at = models.DateTimeField(gettext_lazy("标记逾期时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(gettext_lazy("升级时间"), null=True, blank=True)

    objects = LeadStageQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("办理阶段")
        verbose_name_plural = gettext_lazy("办理阶段")
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["remind_at", "id"], name="zhunru_stage_open_remind", condition=models.Q(completed_at__isnull=True)),
            models.Index(fields=["due_at", "id"], name="zhunru_stage_open_due", condition=models.Q(completed_at__isnull=True)),
            models.Index(fields=["calendar_version"], name="zhunru_stage_open_calver", condition=models.Q(completed_at__isnull=True)),
            # The deadline scan (zhunru.leads.tracking): one partial index per condition, holding only the open
            # stages that condition has not acted on yet, keyed by the threshold the scan walks in order.
            models.Index(fields=["due_at", "id"], name="zhunru_stage_scan_overdue",
                         condition=models.Q(completed_at__isnull=True, overdue_reminded=False)),
            models.Index(fields=["due_date", "due_at", "id"], name="zhunru_stage_scan_today",
                         condition=models.Q(completed_at__isnull=True, today_reminded=False)),
            models.Index(fields=["remind_at", "id"], name="zhunru_stage_scan_soon",
                         condition=models.Q(completed_at__isnull=True, soon_reminded=False)),
            models.Index(fields=["escalate_at", "id"], name="zhunru_stage_scan_escalate",
                         condition=models.Q(completed_at__isnull=True, escalated_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return _("{get_kind_display}（届满 {localtime:%Y-%m-%d %H:%M}）").format(get_kind_display=self.get_kind_display(), localtime=timezone.localtime(self.due_at))

    def compute(self, *, calendar: WorkingCalendar | None = None, escalate_after: int | None = None) -> DueTime:
        """Set due_at/due_date/remind_at/escalate_at from the stored inputs and the current calendar."""
        from zhunru.leads import conf

        calendar = calendar or WorkingCalendar.load()
        jurisdiction = self.lead.jurisdiction
        due = calendar.compute_due(self.started_at, self.limit_amount, self.limit_unit, jurisdiction)
        steps = [due.as_json()]
        provisional = due.provisional
        if self.fixed_due_date is not None:
            base = due
            closes = jurisdiction.office_closes_at
            tz = timezone.get_current_timezone()
            due_at = (datetime.datetime.combine(self.fixed_due_date, closes, tzinfo=tz) if closes else
                      datetime.datetime.combine(self.fixed_due_date + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz))
            due = DueTime(start=base.start, amount=base.amount, unit=base.unit, due_date=self.fixed_due_date, due_at=due_at,
                          provisional=False, skipped=[], calendar_version=calendar.version, closes_at=closes)
            steps.append({"approved_due_date": self.fixed_due_date.isoformat(),
                          "approver": jurisdiction.higher_office_name or _("上级发展改革部门")})
            provisional = False
        elif self.extension_amount:
            due = calendar.compute_due(datetime.datetime.combine(due.due_date, datetime.time(12), tzinfo=timezone.get_current_timezone()),
                                       self.extension_amount, self.extension_unit or "working", jurisdiction)
            steps.append(due.as_json())
            provisional = provisional or due.provisional
        if escalate_after is None:
            from zhunru.leads.models.rules import DeadlineRule

            escalate_after = DeadlineRule.limits_for(jurisdiction)["escalate"][0]
        esc = calendar.compute_due(datetime.datetime.combine(due.due_date, datetime.time(12), tzinfo=timezone.get_current_timezone()),
                                   max(escalate_after, 1), "working", jurisdiction)
        self.due_date, self.due_at = due.due_date, due.due_at
        self.provisional = provisional
        self.calendar_version = calendar.version
        fraction = float(conf.get("REMIND_AT_FRACTION"))
        self.remind_at = min(self.started_at + (due.due_at - self.started_at) * fraction,
                             datetime.datetime.combine(due.due_date, datetime.time(0), tzinfo=timezone.get_current_timezone()))
        self.escalate_at = esc.due_at
        self.computation = {"steps": steps, "escalate_after": escalate_after}
        return due

    def explain(self) -> list[str]:
        """Chinese lines: how the due time was computed, step by step."""
        lines = []
        for step in self.computation.get("steps", []):
            if "approved_due_date" in step:
                lines.append(_("经{value}批准延期至 {value2}").format(value=step.get('approver') or _('上级发展改革部门'), value2=step['approved_due_date']))
                continue
            skipped = "、".join(f"{d[5:]}（{r}）" for d, r in step["skipped"])
            closing = step.get("closes_at") or "24:00"
            line = _("自 {replace} 起算 {value} 个{value2}，"
                    "届满 {value3} {closing}").format(replace=step['start'][:16].replace('T', ' '), value=step['amount'], value2=UNITS[step['unit']], value3=step['due_date'], closing=closing)
            if skipped:
                line += _("；不计入：{skipped}").format(skipped=skipped)
            if step["provisional"]:
                line += _("；{value}年节假日安排尚未录入，暂按周末计算（临时期限）").format(value='、'.join(map(str, step['unknown_years'])))
            lines.append(line)
        return lines

    def lateness(self) -> datetime.timedelta | None:
        """Positive when finished (or still open) after the due time."""
        end = self.completed_at or timezone.now()
        return end - self.due_at

    @property
    def on_time(self) -> bool | None:
        if self.completed_at is None:
            return None
        return self.completed_at <= self.due_at


class LeadEvent(models.Model):
    """Every stage change with who, when and why: the lead's timeline."""
    wagtail_reference_index_ignore = True  # high-volume rows: not worth Wagtail's usage index


    ACTIONS = {
        "received": gettext_lazy("接收登记"), "transferred": gettext_lazy("移交主管单位"), "accepted": gettext_lazy("签收"), "verified": gettext_lazy("报告核查结果"),
        "reported": gettext_lazy("报告整改情况"), "returned": gettext_lazy("退回整改"), "closed": gettext_lazy("办结"),
        "extension_requested": gettext_lazy("申请延期"), "extension_approved": gettext_lazy("批准延期"), "extension_rejected": gettext_lazy("不予延期"),
        "escalated": gettext_lazy("督办升级"), "urged": gettext_lazy("催办"), "overdue": gettext_lazy("标记逾期"), "due_recomputed": gettext_lazy("日历变更，重新计算期限"),
        "co_handler_added": gettext_lazy("设立协办部门"), "co_handler_answered": gettext_lazy("协办部门反馈"), "evidence_added": gettext_lazy("上传印证材料"),
    }

    lead = models.ForeignKey(Lead, verbose_name=gettext_lazy("线索"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(gettext_lazy("事项"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(gettext_lazy("时间"), default=timezone.now)
    from_state = models.CharField(gettext_lazy("原状态"), max_length=20, blank=True)
    to_state = models.CharField(gettext_lazy("新状态"), max_length=20, blank=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    data = models.JSONField(gettext_lazy("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = gettext_lazy("线索办理记录")
        verbose_name_plural = gettext_lazy("线索办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_label} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action))  # a lazy label: callers (API, JSON) take str

    @property
    def to_state_label(self) -> str:
        return str(Lead.State(self.to_state).label) if self.to_state in Lead.State.values else self.to_state

    @property
    def actor_label(self) -> str:
        return (self.actor.get_full_name() or self.actor.get_username()) if self.actor else _("系统")


class Extension(models.Model):
    wagtail_reference_index_ignore = True  # high-volume rows: not worth Wagtail's usage index

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已批准")
        REJECTED = "rejected", gettext_lazy("不予批准")

    lead = models.ForeignKey(Lead, verbose_name=gettext_lazy("线索"), on_delete=models.CASCADE, related_name="extensions")
    stage = models.ForeignKey(LeadStage, verbose_name=gettext_lazy("阶段"), on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField(gettext_lazy("申请延期天数"))
    unit = models.CharField(gettext_lazy("单位"), max_length=10, choices=UNIT_CHOICES, default="working")
    reason = models.TextField(gettext_lazy("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("申请人"), null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(gettext_lazy("申请时间"), auto_now_add=True)
    status = models.CharField(gettext_lazy("审批状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("审批人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(gettext_lazy("审批时间"), null=True, blank=True)
    decision_note = models.TextField(gettext_lazy("审批意见"), blank=True)
    new_due_at = models.DateTimeField(gettext_lazy("新的届满时刻"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("延期申请")
        verbose_name_plural = gettext_lazy("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return _("{number} 延期 {days} 个{value}（{get_status_display}）").format(number=self.lead.number, days=self.days, value=UNITS[self.unit], get_status_display=self.get_status_display())


class Escalation(models.Model):
    """督办升级: a report to the government with a draft circulation notice (section 十二(五)/(六))."""
    wagtail_reference_index_ignore = True  # high-volume rows: not worth Wagtail's usage index


    lead = models.ForeignKey(Lead, verbose_name=gettext_lazy("线索"), on_delete=models.CASCADE, related_name="escalations")
    stage = models.ForeignKey(LeadStage, verbose_name=gettext_lazy("阶段"), null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations")
    level = models.PositiveSmallIntegerField(gettext_lazy("升级次数"))
    reason = models.TextField(gettext_lazy("原因"))
    circulation_draft = models.TextField(gettext_lazy("通报草稿"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("督办升级")
        verbose_name_plural = gettext_lazy("督办升级")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("{number} 第{level}次督办").format(number=self.lead.number, level=self.level)
