"""The public portal's own data: complaint channels (hotlines) and complaints filed by the public.

A complaint's contact details are confidential: they never appear in ``__str__``, audit events,
django-auditlog entries, the search index, the API or any public page; only coordinators see
them, in the admin.
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.panels import FieldPanel

from zhunru.portal import notifications as complaint_notices
from zhunru.portal.signals import complaint_status_changed

# Receipt codes: no 0/O, 1/I/L, so they can be read out over the phone and typed without confusion.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 12  # 31**12 ≈ 2**59 possibilities: unguessable, still typable as XXXX-XXXX-XXXX


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def normalize_receipt_code(raw: str) -> str:
    """What a citizen typed (any case, spaces or hyphens) → the stored 12-character form."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:32]


def format_receipt_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class Hotline(models.Model):
    """A complaint channel a coordinator publishes for a jurisdiction (section 七(三)): hotline or platform."""

    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.CASCADE, related_name="hotlines"
    )
    name = models.CharField(gettext_lazy("渠道名称"), max_length=100, help_text=gettext_lazy("如“12345 政务服务便民热线”“区发改委投诉电话”。"))
    number = models.CharField(gettext_lazy("电话号码"), max_length=40, blank=True)
    url = models.URLField(gettext_lazy("网上渠道地址"), blank=True, help_text=gettext_lazy("政务服务平台等网上渠道的地址（可选）。"))
    service_hours = models.CharField(gettext_lazy("受理时间"), max_length=100, blank=True, help_text=gettext_lazy("如“工作日 8:30—17:30”。"))
    department = models.ForeignKey(
        "zhunru_cms.Department",
        verbose_name=gettext_lazy("受理部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(gettext_lazy("排序"), default=100)
    is_active = models.BooleanField(gettext_lazy("公开显示"), default=True)

    panels = [
        FieldPanel("jurisdiction"),
        FieldPanel("name"),
        FieldPanel("number"),
        FieldPanel("url"),
        FieldPanel("service_hours"),
        FieldPanel("department"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = gettext_lazy("投诉渠道")
        verbose_name_plural = gettext_lazy("投诉渠道")
        ordering = ["jurisdiction", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}".strip()

    def clean(self) -> None:
        if not self.number and not self.url:
            raise ValidationError(gettext("请填写电话号码或网上渠道地址，至少一项。"))


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ComplaintQuerySet":
        """Coordinators (and auditors, reading) see complaints of their jurisdictions; nobody else sees any."""
        from zhunru.scoping import scoped

        return scoped(self, user)

    def awaiting_triage(self) -> "ComplaintQuerySet":
        return self.filter(status=Complaint.Status.RECEIVED)


class Complaint(models.Model):
    """A problem report or complaint (问题反映/投诉) filed by the public through the portal."""

    class Status(models.TextChoices):
        RECEIVED = "received", gettext_lazy("已收到")
        ACCEPTED = "accepted", gettext_lazy("已受理（转为线索）")
        NOT_ACCEPTED = "not_accepted", gettext_lazy("不予受理")
        HANDLED = "handled", gettext_lazy("已办结")

    CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT, related_name="complaints"
    )
    receipt_code = models.CharField(gettext_lazy("回执码"), max_length=12, unique=True, default=new_receipt_code, editable=False)
    submission_token = models.UUIDField(
        gettext_lazy("提交令牌"), unique=True, editable=False, help_text=gettext_lazy("表单中的一次性令牌，防止重复提交。")
    )
    description = models.TextField(gettext_lazy("问题描述"))
    organization = models.CharField(gettext_lazy("涉及单位"), max_length=200)
    document_or_practice = models.CharField(gettext_lazy("涉及文件或做法"), max_length=300, blank=True)
    contact_name = models.CharField(gettext_lazy("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(gettext_lazy("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(gettext_lazy("电子邮箱"), blank=True)
    consent = models.BooleanField(gettext_lazy("已同意告知事项"), default=False)
    submitted_at = models.DateTimeField(gettext_lazy("提交时间"), default=timezone.now, editable=False)

    status = models.CharField(gettext_lazy("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_reason = models.TextField(gettext_lazy("不予受理理由"), blank=True, help_text=gettext_lazy("公开显示给反映人。"))
    result = models.TextField(gettext_lazy("办理结果"), blank=True, help_text=gettext_lazy("公开显示给反映人。"))
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("分办人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    triaged_at = models.DateTimeField(gettext_lazy("分办时间"), null=True, blank=True)
    handled_at = models.DateTimeField(gettext_lazy("办结时间"), null=True, blank=True)
    lead_reference = models.CharField(gettext_lazy("线索编号"), max_length=100, blank=True)
    internal_note = models.TextField(gettext_lazy("内部备注"), blank=True, help_text=gettext_lazy("仅协调员可见。"))
    # Personal information (个人信息保护法): contact details are kept for ZHUNRU_PORTAL["CONTACT_RETENTION_DAYS"]
    # after the complaint is closed, or until the complainant asks, then erased; the complaint stays.
    contact_erased_at = models.DateTimeField(gettext_lazy("联系方式删除时间"), null=True, blank=True, editable=False)
    contact_erasure_reason = models.CharField(gettext_lazy("联系方式删除原因"), max_length=200, blank=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    panels = [FieldPanel("internal_note")]

    class Meta:
        verbose_name = gettext_lazy("问题反映")
        verbose_name_plural = gettext_lazy("问题反映")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["jurisdiction", "status"])]

    def __str__(self) -> str:
        return gettext("问题反映 {display_code}").format(display_code=self.display_code)

    @property
    def display_code(self) -> str:
        return format_receipt_code(self.receipt_code)

    def attachment_visible_to(self, user) -> bool:
        """Complaint attachments: coordinators of the jurisdiction only."""
        return Complaint.objects.visible_to(user).filter(pk=self.pk).exists()

    @property
    def attachments(self):
        from django.contrib.contenttypes.models import ContentType

        from zhunru.models import Attachment

        return Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint), object_id=str(self.pk)
        ).order_by("uploaded_at")

    # What a lead's steps mean to the complainant; events not listed here (extensions, escalations,
    # co-handling, evidence) are internal and never shown.
    PUBLIC_LEAD_STEPS = {
        "transferred": gettext_lazy("已移交主管部门核查"),
        "accepted": gettext_lazy("主管部门已签收，开始核查"),
        "verified": gettext_lazy("核查完成"),
        "reported": gettext_lazy("整改情况已报告，待审核"),
        "returned": gettext_lazy("整改情况未通过审核，继续整改"),
        "closed": gettext_lazy("办理完毕"),
    }
    # The lead's state as the complainant's progress: received → transferred → verifying → rectifying → closed.
    PUBLIC_PROGRESS = {
        "received": ("accepted", gettext_lazy("已受理")),
        "transferred": ("transferred", gettext_lazy("已移交主管部门")),
        "verifying": ("verifying", gettext_lazy("核查中")),
        "rectifying": ("rectifying", gettext_lazy("整改中")),
        "closed": ("closed", gettext_lazy("已办结")),
    }

    def lead(self):
        """The lead this complaint became (when the lead tracker is installed), else None."""
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        if self.status == self.Status.RECEIVED:
            return None
        try:
            lead_model = apps.get_model("zhunru_leads", "Lead")
        except LookupError:
            return None
        return lead_model.objects.filter(origin_type=ContentType.objects.get_for_model(Complaint),
                                         origin_id=str(self.pk)).first()

    def progress(self, lead=None) -> tuple[str, str]:
        """(code, label) of the public progress: the complaint's own status, then its lead's state."""
        if self.status == self.Status.HANDLED:
            return "closed", gettext("已办结")
        if self.status != self.Status.ACCEPTED:
            return self.status, self.get_status_display()
        if lead is None:
            return "accepted", gettext("已受理")
        state = lead.state
        if state == "reported":  # reported back, awaiting the lead department's review
            state = "rectifying" if lead.responsible_unit_id else "verifying"
        code, label = self.PUBLIC_PROGRESS.get(state, ("accepted", gettext("已受理")))
        return code, str(label)  # lazy labels: the API's schema takes str only

    def timeline(self, lead=None) -> list[dict]:
        """Dated public steps, oldest first: filed, triaged, the lead's public steps, result published."""
        steps = [{"at": self.submitted_at, "label": gettext("提交问题反映")}]
        if self.triaged_at:
            steps.append({"at": self.triaged_at, "label": gettext("不予受理") if self.status == self.Status.NOT_ACCEPTED
                          else gettext("已受理，转为线索办理")})
        if lead is not None:
            for event in lead.events.filter(action__in=list(self.PUBLIC_LEAD_STEPS)).order_by("at", "pk"):
                label = str(self.PUBLIC_LEAD_STEPS[event.action])
                if event.action == "verified":
                    label += gettext("，进入整改") if (event.data or {}).get("needs_rectification") else gettext("，无需整改")
                steps.append({"at": event.at, "label": label})
        if self.handled_at:
            steps.append({"at": self.handled_at, "label": gettext("已办结，公布办理结果")})
        return steps

    def public_status(self) -> dict:
        """What the receipt-code status page and API show: no contact details, no internal notes, no names."""
        lead = self.lead()
        progress, label = self.progress(lead)
        return {
            "receipt_code": self.display_code,
            "jurisdiction": self.jurisdiction.name,
            "submitted_at": self.submitted_at,
            "status": self.status,
            "status_label": label,
            "progress": progress,
            "timeline": self.timeline(lead),
            "reason": self.status_reason if self.status == self.Status.NOT_ACCEPTED else "",
            "result": self.result if self.status == self.Status.HANDLED else "",
            "triaged_at": self.triaged_at,
            "handled_at": self.handled_at,
        }

    # --- state changes ------------------------------------------------------------------------

    def _transition(self, to: str, *, by, request, allowed_from: tuple[str, ...], note: str = "", **fields):
        from zhunru.audit.recording import record

        with transaction.atomic():
            locked = Complaint.objects.select_for_update().get(pk=self.pk)
            if locked.status not in allowed_from:
                raise ValidationError(
                    gettext("问题反映当前状态为“%(status)s”，不能执行该操作。"),
                    params={"status": locked.get_status_display()},
                )
            previous = locked.status
            locked.status = to
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save(update_fields=["status", *fields])
            changes = {"status": [previous, to]}
            changes.update({k: v for k, v in fields.items() if k in ("status_reason", "result", "lead_reference")})
            record(f"complaint.{to}", obj=locked, actor=by, request=request, changes=changes, note=note)
            complaint_notices.complaint_status_changed(locked, previous, by=by)
            self.refresh_from_db()
            transaction.on_commit(
                lambda: complaint_status_changed.send(sender=Complaint, complaint=self, previous=previous, by=by)
            )
        return self

    def accept(self, *, by, request=None) -> "Complaint":
        """Accept as a lead (受理): hands the complaint to the lead tracker when it is installed."""
        from zhunru.portal.leads import create_lead_from_complaint

        with transaction.atomic():
            reference = create_lead_from_complaint(self, by=by, request=request)
            return self._transition(
                self.Status.ACCEPTED, by=by, request=request, allowed_from=(self.Status.RECEIVED,),
                triaged_by=by, triaged_at=timezone.now(), lead_reference=reference,
            )

    def reject(self, reason: str, *, by, request=None) -> "Complaint":
        """Not accepted (不予受理), with the reason the citizen will read."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(gettext("请填写不予受理的理由，该理由将告知反映人。"))
        return self._transition(
            self.Status.NOT_ACCEPTED, by=by, request=request, allowed_from=(self.Status.RECEIVED,),
            triaged_by=by, triaged_at=timezone.now(), status_reason=reason,
        )

    def mark_handled(self, result: str, *, by, request=None) -> "Complaint":
        """Handled (办结), with the result the citizen will read."""
        result = (result or "").strip()
        if not result:
            raise ValidationError(gettext("请填写办理结果，该结果将告知反映人。"))
        return self._transition(
            self.Status.HANDLED, by=by, request=request, allowed_from=(self.Status.ACCEPTED,),
            handled_at=timezone.now(), result=result,
        )

    # -- personal information ------------------------------------------------------------------------

    @property
    def has_contact(self) -> bool:
        return any(getattr(self, name) for name in self.CONTACT_FIELDS)

    def masked_contact(self) -> dict:
        """The contact details as an official who does not need them sees them: 王*, 139****0000, w***@qq.com."""
        return {"contact_name": mask_name(self.contact_name), "contact_phone": mask_phone(self.contact_phone),
                "contact_email": mask_email(self.contact_email)}

    @transaction.atomic
    def erase_contact(self, *, reason: str, by=None, request=None) -> bool:
        """Erase the complainant's contact details (the complaint, its receipt code and its history stay).
        ``by`` is the coordinator recording the complainant's request, or None for the retention job."""
        from zhunru.audit.recording import record

        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(gettext("请填写删除原因（如“反映人申请删除”）。"))
        locked = type(self).objects.select_for_update().get(pk=self.pk)
        if not locked.has_contact:
            return False
        for name in self.CONTACT_FIELDS:
            setattr(self, name, "")
        self.contact_erased_at, self.contact_erasure_reason = timezone.now(), reason[:200]
        self.save(update_fields=[*self.CONTACT_FIELDS, "contact_erased_at", "contact_erasure_reason"])
        record("complaint.contact_erased", obj=self, actor=by, request=request, note=reason[:200],
               changes={"fields": list(self.CONTACT_FIELDS)})
        return True


def mask_name(value: str) -> str:
    value = (value or "").strip()
    return value[:1] + "*" * min(len(value) - 1, 3) if len(value) > 1 else ("*" if value else "")


def mask_phone(value: str) -> str:
    digits = (value or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "*" * (len(digits) - 4) + digits[-4:]


def mask_email(value: str) -> str:
    local, at, domain = (value or "").partition("@")
    if not at:
        return "*" * len(local)
    return f"{local[:1]}***@{domain}"


def erase_expired_contacts(now=None) -> int:
    """Erase the contact details of complaints closed (办结 or 不予受理) more than the retention period ago."""
    import datetime

    from zhunru.portal import conf

    now = now or timezone.now()
    before = now - datetime.timedelta(days=int(conf.get("CONTACT_RETENTION_DAYS")))
    closed = (models.Q(status=Complaint.Status.HANDLED, handled_at__lt=before)
              | models.Q(status=Complaint.Status.NOT_ACCEPTED, triaged_at__lt=before))
    has_contact = models.Q(contact_name__gt="") | models.Q(contact_phone__gt="") | models.Q(contact_email__gt="")
    erased = 0
    for complaint in Complaint.objects.filter(closed, has_contact, contact_erased_at__isnull=True).iterator():
        erased += complaint.erase_contact(reason=gettext("保存期限届满，系统自动删除"))
    return erased
