"""信用修复 and the end of publicity periods for our own 失信 records; how a subject's class follows them.

Class derivation (README "Credit commitments and credit-platform exchange"):

- 失信 while the subject has a 失信 record of ours that is neither repaired nor past its publicity period,
  or is on the 严重违法失信名单 (a feed or an entry);
- when the last such record is repaired or expires, a subject whose class is 失信 goes back to 一般;
- 守信 comes only from the platforms' feeds (zhunru.credit.feeds); every change keeps its reason and source
  in CreditClassChange and the audit trail.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.credit.models import CreditClass, CreditList, DishonestyRecord, MarketSubject


def active_records(subject, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return subject.dishonesty_records.filter(repaired_at__isnull=True).filter(
        Q(publicity_until__isnull=True) | Q(publicity_until__gte=today))


def rederive_class(subject: MarketSubject, *, reason: str, source: str = "", by=None, request=None) -> None:
    """After a record left: back to 一般 when nothing keeps the subject 失信."""
    if subject.credit_class != CreditClass.DISHONEST:
        return
    if active_records(subject).exists() or subject.on_list(CreditList.SERIOUS):
        return
    subject.change_class(CreditClass.GENERAL, reason=reason, source=source, by=by, request=request)


def take_off(rec: DishonestyRecord, *, reason: str, by=None, request=None) -> bool:
    """Mark a record repaired/expired, tell the platforms, withdraw its 双公示 entry, re-derive the class."""
    from zhunru.audit.recording import record
    from zhunru.credit import disclosure

    with transaction.atomic():
        rec = DishonestyRecord.objects.select_for_update(of=("self",)).select_related("subject").get(pk=rec.pk)
        if rec.repaired_at is not None:
            return False
        rec.repaired_at = timezone.now()
        rec.save(update_fields=["repaired_at"])
        record("credit.dishonesty_repaired", obj=rec, actor=by, request=request, note=reason)
        disclosure._tell_platforms(jurisdiction=rec.jurisdiction, subject=rec.subject, obj=rec,
                                   document_number=rec.document_number, decided_on=rec.decided_on,
                                   subject_name=rec.subject.name, uscc=rec.subject.uscc, kind="dishonesty",
                                   reason=reason, by=by)
        from zhunru.credit.models import PublicDecision

        for d in PublicDecision.objects.filter(jurisdiction=rec.jurisdiction, document_number=rec.document_number,
                                               withdrawn_at__isnull=True):
            disclosure.withdraw(d, reason=reason, by=by, request=request)
        rederive_class(rec.subject, reason=f"{rec.document_number}{reason}", source=rec.document_number, by=by,
                       request=request)
    return True


def expire_records(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    count = 0
    for rec in DishonestyRecord.objects.filter(repaired_at__isnull=True, publicity_until__lt=today):
        count += take_off(rec, reason=_("公示期满"))
    return count


# --- 信用修复 applications ------------------------------------------------------------------------------

MINIMUM_MONTHS = 3  # a general breach: repair may be applied for after at least 3 months of publicity


def _same_name(a: str, b: str) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def apply(*, jurisdiction, uscc: str, document_number: str, contact_name: str, contact_phone: str,
          rectification: str, contact_email: str = "", legal_representative: str = "", notice_number: str = ""):
    """A subject applies to repair one of its own records; someone else's record is refused.

    The portal has no login for market subjects, and the USCC and the decision's document number are public
    (the 公示 page shows both). So the subject also proves what only it was told or registered: the name of
    its 法定代表人 as we hold it, and, for a record from a breach procedure, the number of the 责令整改通知 that
    was served on it (never published). A mismatch is refused without saying which part was wrong. The
    office's review, with the applicant's materials, remains the decision.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from zhunru.audit.recording import record
    from zhunru.clock import format_date
    from zhunru.credit.models import RepairApplication
    from zhunru.credit.procedure import _add_months
    from zhunru.leads.handoffs import coordinators, department_officers
    from zhunru.leads.notifications import notify
    from zhunru.validators import validate_uscc

    uscc = validate_uscc((uscc or "").strip().upper())
    for label, value in ((_("决定文书号"), document_number), (_("法定代表人姓名"), legal_representative),
                         (_("联系人"), contact_name), (_("联系电话"), contact_phone), (_("电子邮箱"), contact_email),
                         (_("整改情况"), rectification)):
        if not (value or "").strip():
            raise ValidationError(_("请填写{label}。").format(label=label))
    contact_email = contact_email.strip()
    try:
        validate_email(contact_email)
    except ValidationError:
        raise ValidationError(_("电子邮箱格式不正确，审核结果将发送到该邮箱。")) from None
    rec = (DishonestyRecord.objects.select_related("subject", "commitment")
           .filter(jurisdiction=jurisdiction, document_number=document_number.strip()).first())
    if rec is None:
        raise ValidationError(_("未找到该决定文书号对应的失信记录，请核对文书号。"))
    proc = getattr(rec, "procedure", None)  # a record from a breach procedure (reverse one-to-one)
    others = _("该失信记录不属于您填写的统一社会信用代码对应的市场主体，或法定代表人姓名、责令整改通知文号与本机关"
              "掌握的不一致，不能为他人的记录申请信用修复。")
    if rec.subject.uscc != uscc:
        raise ValidationError(others)
    if rec.subject.legal_representative and not _same_name(rec.subject.legal_representative, legal_representative):
        raise ValidationError(others)
    if proc is not None and proc.notice_number and not _same_name(proc.notice_number, notice_number):
        raise ValidationError(others)
    if rec.repaired_at is not None:
        raise ValidationError(_("该失信记录已修复或公示期已满，无需申请。"))
    earliest = _add_months(rec.decided_on, MINIMUM_MONTHS)
    if timezone.localdate() < earliest:
        raise ValidationError(_("失信信息最短公示期为{MINIMUM_MONTHS}个月，{format_date}起方可申请信用修复。").format(MINIMUM_MONTHS=MINIMUM_MONTHS, format_date=format_date(earliest)))
    if rec.repair_applications.filter(status=RepairApplication.Status.PENDING).exists():
        raise ValidationError(_("该记录已有待审核的信用修复申请，请等待审核结果。"))
    with transaction.atomic():
        app = RepairApplication.objects.create(record=rec, subject=rec.subject, contact_name=contact_name.strip(),
                                               contact_phone=contact_phone.strip(), contact_email=contact_email,
                                               rectification=rectification.strip())
        record("credit.repair_applied", obj=app, note=app.rectification[:500],
               changes={"document_number": rec.document_number})
        dept = rec.commitment.department_id if rec.commitment_id else None
        people = (department_officers(dept) if dept else []) or coordinators(rec.jurisdiction_id)
        notify(people, _("信用修复申请待审核：{name}").format(name=rec.subject.name),
               _("{name}申请修复失信记录{document_number}。整改情况：{value}").format(name=rec.subject.name, document_number=rec.document_number, value=app.rectification[:300]),
               obj=app, key=f"credit-repair:{app.pk}:applied")
        notify([], _("信用修复申请已收到：{document_number}").format(document_number=rec.document_number),
               _("{name}：{office}已收到您对失信记录{document_number}的信用修复申请"
               "（编号 {pk}），审核后将通过本邮箱告知结果。").format(name=rec.subject.name, office=jurisdiction.office, document_number=rec.document_number, pk=app.pk),
               key=f"credit-repair:{app.pk}:received", addresses=[contact_email])
    return app


def tell_applicant(app) -> int:
    """The applicant learns the outcome by e-mail (the notification outbox and its relay)."""
    from zhunru.leads.notifications import notify

    rec, office = app.record, app.record.jurisdiction.office
    if not app.contact_email:
        return 0
    if app.status == app.Status.APPROVED:
        title = _("信用修复申请已通过：{document_number}").format(document_number=rec.document_number)
        body = _("{name}：您对失信记录{document_number}的信用修复申请已由{office}审核通过。"
                "该记录已从公示页面撤下，并已通知信用平台撤下。审核意见：{review_note}").format(name=app.subject.name, document_number=rec.document_number, office=office, review_note=app.review_note)
    else:
        title = _("信用修复申请未通过：{document_number}").format(document_number=rec.document_number)
        body = _("{name}：您对失信记录{document_number}的信用修复申请经{office}审核不予修复。"
                "审核意见：{review_note}。如有异议，可补充整改材料后重新申请。").format(name=app.subject.name, document_number=rec.document_number, office=office, review_note=app.review_note)
    return notify([], title, body, key=f"credit-repair:{app.pk}:result", addresses=[app.contact_email])


def review_application(app, *, approve: bool, note: str, by, request=None):
    """The office decides; approval takes the record off the public list and tells the platforms."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from zhunru.audit.recording import record
    from zhunru.credit.models import RepairApplication

    if not RepairApplication.objects.visible_to(by).filter(pk=app.pk).exists() or not by.has_perm(
            "zhunru_credit.change_repairapplication"):
        raise PermissionDenied(_("您无权审核该信用修复申请。"))
    if not (note or "").strip():
        raise ValidationError(_("请填写审核意见。"))
    with transaction.atomic():
        app = RepairApplication.objects.select_for_update().get(pk=app.pk)
        if app.status != RepairApplication.Status.PENDING:
            raise ValidationError(_("该申请已审核。"))
        app.status = RepairApplication.Status.APPROVED if approve else RepairApplication.Status.REJECTED
        app.reviewed_at, app.reviewed_by, app.review_note = timezone.now(), by, note.strip()
        app.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
        record("credit.repair_reviewed", obj=app, actor=by, request=request,
               changes={"status": app.status}, note=app.review_note)
        if approve:
            take_off(app.record, reason=_("信用修复"), by=by, request=request)
        tell_applicant(app)
    return app
