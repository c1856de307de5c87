"""Due process after a breached commitment (国办发〔2020〕42号, 49号; DOMAIN.md "Credit penalties follow due
process").

    overdue commitment ──open_due──▶ NOTICE (numbered 责令整改通知, deadline in working days; nothing shared)
    NOTICE ──confirm_rectified──▶ RECTIFIED (closed, commitment fulfilled late)
    NOTICE ──advance_overdue (deadline passed)──▶ HEARING (陈述申辩 period, working days)
    HEARING ──record_statement──▶ HEARING (statement and hearing note kept)
    HEARING ──draft_decision (statement received or period over)──▶ DRAFTED
    DRAFTED ──submit_for_review──▶ REVIEW ──review(approve)──▶ APPROVED ──sign──▶ SIGNED
                                  REVIEW ──review(return)──▶ DRAFTED
    SIGNED: only now the permit is revoked (when the decision says so), the 失信 record is made, the class
            changes and the record is queued for the credit platforms.

Who acts: the deciding department's officers (or, for a commitment without a department, the jurisdiction's
coordinators) confirm rectification, record the statement and draft; the jurisdiction's legal reviewers
(role 司法审核) review; the authorised signer is a coordinator of the jurisdiction (role 发改委协调员), the
person who runs the credit mechanism for the office. Each step is audited and notifies whoever acts next
through the Notification outbox, in the step's own transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru import roles
from zhunru.clock import format_date
from zhunru.credit.models import (
    BreachProcedure,
    CreditClass,
    CreditCommitment,
    CreditSettings,
    DishonestyRecord,
)

State = BreachProcedure.State


def _today() -> datetime.date:
    return timezone.localdate()


def _working_days_after(start: datetime.date, days: int, jurisdiction) -> datetime.date:
    from zhunru.leads.calendar import compute_due

    return compute_due(start, days, "working", jurisdiction).due_date


def _record(action, proc, *, by=None, request=None, changes=None, note=""):
    from zhunru.audit.recording import record

    record(action, obj=proc, actor=by, request=request, department=proc.commitment.department,
           changes=changes or {}, note=note)


def _officers(proc) -> list:
    from zhunru.leads.handoffs import coordinators, department_officers

    c = proc.commitment
    people = department_officers(c.department_id) if c.department_id else []
    return people or coordinators(proc.jurisdiction_id)


def _tell(users, proc, step: str, subject: str, body: str, *, by=None) -> None:
    from zhunru.leads.notifications import notify

    users = [u for u in users if by is None or u.pk != by.pk]
    notify(users, subject, body, obj=proc, key=f"credit-procedure:{proc.pk}:{step}")


def _subject_line(proc) -> str:
    c = proc.commitment
    return f"{c.subject.name}（{c.permit_name}）"


# --- who may act ------------------------------------------------------------------------------------------


def _in_jurisdiction(user, jurisdiction_id) -> bool:
    from zhunru.scoping import user_jurisdictions

    return user.is_superuser or user_jurisdictions(user).filter(pk=jurisdiction_id).exists()


def may_handle(user, proc) -> bool:
    """Officer steps: whoever sees the commitment (its department's officers, the jurisdiction's coordinators)."""
    return (user.is_authenticated and user.has_perm("zhunru_credit.change_creditcommitment")
            and CreditCommitment.objects.visible_to(user).filter(pk=proc.commitment_id).exists())


def may_review(user, proc) -> bool:
    return user.is_authenticated and (user.is_superuser or (
        roles.LEGAL_REVIEWER in roles.held(user) and _in_jurisdiction(user, proc.jurisdiction_id)))


def may_sign(user, proc) -> bool:
    return user.is_authenticated and (user.is_superuser or (
        roles.COORDINATOR in roles.held(user) and _in_jurisdiction(user, proc.jurisdiction_id)))


def signers(jurisdiction_id) -> list:
    from zhunru.leads.handoffs import coordinators

    return coordinators(jurisdiction_id)


def offered_actions(user, proc) -> list[str]:
    """The steps this user may take now (the admin page offers exactly these)."""
    today = _today()
    out = []
    if proc.state == State.NOTICE and may_handle(user, proc):
        out.append("rectified")
    if proc.state == State.HEARING and may_handle(user, proc):
        out.append("statement")
        if proc.statement_received_at or (proc.statement_by and today > proc.statement_by):
            out.append("draft")
    if proc.state == State.DRAFTED and may_handle(user, proc):
        out += ["draft", "submit"]
    if proc.state == State.REVIEW and may_review(user, proc):
        out.append("review")
    if proc.state == State.APPROVED and may_sign(user, proc):
        out.append("sign")
    return out


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _locked(proc) -> BreachProcedure:
    return (BreachProcedure.objects.select_for_update(of=("self",))
            .select_related("commitment__subject", "commitment__department", "jurisdiction").get(pk=proc.pk))


def _expect(proc, *states) -> None:
    if proc.state not in states:
        names = "、".join(str(State(s).label) for s in states)
        raise ValidationError(_("当前状态为“{get_state_display}”，只有“{names}”时可以执行此操作。").format(get_state_display=proc.get_state_display(), names=names))


# --- the worker's part -----------------------------------------------------------------------------------


def open_due(today: datetime.date | None = None) -> int:
    """Every active commitment past its due date: breached, and a numbered 责令整改通知 issued. Nothing shared."""
    today = today or _today()
    count = 0
    due = CreditCommitment.objects.filter(status=CreditCommitment.Status.ACTIVE, due_date__lt=today,
                                          procedure__isnull=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            c = (CreditCommitment.objects.select_for_update(of=("self",))
                 .select_related("subject", "department", "jurisdiction")
                 .filter(pk=pk, status=CreditCommitment.Status.ACTIVE, procedure__isnull=True).first())
            if c is None:
                continue
            cs = CreditSettings.for_jurisdiction(c.jurisdiction)
            c.status = CreditCommitment.Status.BREACHED
            c.breached_at = timezone.now()
            c.save(update_fields=["status", "breached_at"])
            from zhunru.audit.recording import record

            record("credit.commitment_breached", obj=c, department=c.department,
                   changes={"status": ["active", "breached"], "due_date": str(c.due_date)})
            proc = BreachProcedure.objects.create(
                commitment=c, jurisdiction=c.jurisdiction, notice_number=cs.number("notice", today.year),
                rectify_by=_working_days_after(today, cs.rectification_working_days, c.jurisdiction))
            _record("credit.rectification_notice_issued", proc,
                    changes={"notice_number": proc.notice_number, "rectify_by": str(proc.rectify_by)})
            _tell(_officers(proc), proc, "notice", _("责令整改通知已生成：{subject_line}").format(subject_line=_subject_line(proc)),
                  _("{name}未在{format_date}前履行承诺“{value}”。"
                  "已生成责令整改通知（{notice_number}），整改期限至{format_date2}。"
                  "请送达当事人；整改完成后在系统中确认整改。").format(name=c.subject.name, format_date=format_date(c.due_date), value=c.promise[:200], notice_number=proc.notice_number, format_date2=format_date(proc.rectify_by)))
        count += 1
    return count


def advance_overdue(today: datetime.date | None = None) -> int:
    """Notices whose rectification deadline passed: the 陈述申辩 period opens."""
    today = today or _today()
    count = 0
    for pk in BreachProcedure.objects.filter(state=State.NOTICE, rectify_by__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            proc = BreachProcedure.objects.select_for_update(of=("self",)).filter(pk=pk, state=State.NOTICE).first()
            if proc is None:
                continue
            cs = CreditSettings.for_jurisdiction(proc.jurisdiction)
            proc.state = State.HEARING
            proc.hearing_opened_at = timezone.now()
            proc.statement_by = _working_days_after(today, cs.statement_working_days, proc.jurisdiction)
            proc.save(update_fields=["state", "hearing_opened_at", "statement_by"])
            _record("credit.hearing_opened", proc, changes={"state": ["notice", "hearing"],
                                                            "statement_by": str(proc.statement_by)})
            _tell(_officers(proc), proc, "hearing", _("整改期限已过，进入陈述申辩期：{subject_line}").format(subject_line=_subject_line(proc)),
                  _("责令整改通知（{notice_number}）的整改期限{format_date}已过，未确认整改。"
                  "请告知当事人拟作出的处理及其陈述申辩权利，陈述申辩期限至{format_date2}；"
                  "收到意见后在系统中记录，期满后起草处理决定。").format(notice_number=proc.notice_number, format_date=format_date(proc.rectify_by), format_date2=format_date(proc.statement_by)))
        count += 1
    return count


def run(today: datetime.date | None = None) -> tuple[int, int]:
    """The periodic check: new notices, then notices past their deadline."""
    return open_due(today), advance_overdue(today)


# --- people's steps ----------------------------------------------------------------------------------------


def confirm_rectified(proc, *, note: str, by, request=None) -> BreachProcedure:
    _require(may_handle(by, proc), _("您无权确认该承诺的整改。"))
    if not (note or "").strip():
        raise ValidationError(_("请填写整改情况。"))
    with transaction.atomic():
        proc = _locked(proc)
        _expect(proc, State.NOTICE)
        proc.state = State.RECTIFIED
        proc.rectified_at = timezone.now()
        proc.rectification_note = note.strip()
        proc.save(update_fields=["state", "rectified_at", "rectification_note"])
        c = proc.commitment
        c.status = CreditCommitment.Status.FULFILLED
        c.fulfilled_at = proc.rectified_at
        c.save(update_fields=["status", "fulfilled_at"])
        _record("credit.rectified", proc, by=by, request=request, changes={"state": ["notice", "rectified"]},
                note=proc.rectification_note)
        from zhunru.leads.handoffs import coordinators

        _tell(coordinators(proc.jurisdiction_id), proc, "rectified", _("已按期整改，程序结束：{subject_line}").format(subject_line=_subject_line(proc)),
              _("责令整改通知（{notice_number}）已确认整改：{value}。不作失信处理。").format(notice_number=proc.notice_number, value=proc.rectification_note[:300]), by=by)
    return proc


def record_statement(proc, *, statement: str, hearing_note: str = "", by, request=None) -> BreachProcedure:
    _require(may_handle(by, proc), _("您无权记录该程序的陈述申辩。"))
    if not (statement or "").strip():
        raise ValidationError(_("请填写当事人的陈述申辩意见（当事人放弃的，写明“放弃陈述申辩”）。"))
    with transaction.atomic():
        proc = _locked(proc)
        _expect(proc, State.HEARING)
        proc.statement = statement.strip()
        proc.hearing_note = (hearing_note or "").strip()
        proc.statement_received_at = timezone.now()
        proc.save(update_fields=["statement", "hearing_note", "statement_received_at"])
        _record("credit.statement_recorded", proc, by=by, request=request, note=proc.statement[:500])
        _tell(_officers(proc), proc, f"statement:{proc.statement_received_at.timestamp():.0f}",
              _("已收到陈述申辩：{subject_line}").format(subject_line=_subject_line(proc)),
              _("当事人陈述申辩意见：{value}\n请复核后起草处理决定。").format(value=proc.statement[:500]), by=by)
    return proc


def draft_decision(proc, *, facts: str, basis: str, revoke_permit: bool, publicity_months: int | None = None,
                   by, request=None) -> BreachProcedure:
    _require(may_handle(by, proc), _("您无权起草该处理决定。"))
    if not (facts or "").strip():
        raise ValidationError(_("请填写违约事实。"))
    if not (basis or "").strip():
        raise ValidationError(_("请填写处理依据。"))
    with transaction.atomic():
        proc = _locked(proc)
        _expect(proc, State.HEARING, State.DRAFTED)
        if proc.state == State.HEARING and not proc.statement_received_at and not (
                proc.statement_by and _today() > proc.statement_by):
            raise ValidationError(_("陈述申辩期至{format_date}，期满或收到陈述申辩后方可起草处理决定。").format(format_date=format_date(proc.statement_by)))
        cs = CreditSettings.for_jurisdiction(proc.jurisdiction)
        months = publicity_months or cs.publicity_months
        if not 3 <= int(months) <= 36:
            raise ValidationError(_("公示期应在 3 至 36 个月之间。"))
        old = proc.state
        proc.state = State.DRAFTED
        proc.facts, proc.basis = facts.strip(), basis.strip()
        proc.revoke_permit = bool(revoke_permit)
        proc.publicity_months = int(months)
        proc.drafted_at, proc.drafted_by = timezone.now(), by
        proc.save(update_fields=["state", "facts", "basis", "revoke_permit", "publicity_months", "drafted_at",
                                 "drafted_by"])
        _record("credit.decision_drafted", proc, by=by, request=request,
                changes={"state": [old, "drafted"], "revoke_permit": proc.revoke_permit,
                         "publicity_months": proc.publicity_months})
    return proc


def submit_for_review(proc, *, by, request=None) -> BreachProcedure:
    from zhunru.leads.handoffs import legal_reviewers

    _require(may_handle(by, proc), _("您无权提交该处理决定。"))
    with transaction.atomic():
        proc = _locked(proc)
        _expect(proc, State.DRAFTED)
        proc.state = State.REVIEW
        proc.save(update_fields=["state"])
        _record("credit.decision_submitted", proc, by=by, request=request, changes={"state": ["drafted", "review"]})
        _tell(legal_reviewers(proc.jurisdiction_id), proc, f"review:{proc.drafted_at.timestamp():.0f}",
              _("处理决定待法制审核：{subject_line}").format(subject_line=_subject_line(proc)),
              _("违约事实：{value}\n处理依据：{value2}\n"
              "{value3}，公示期{publicity_months}个月。").format(value=proc.facts[:300], value2=proc.basis[:300], value3=_('撤销许可') if proc.revoke_permit else _('不撤销许可'), publicity_months=proc.publicity_months), by=by)
    return proc


def review(proc, *, approve: bool, opinion: str, by, request=None) -> BreachProcedure:
    _require(may_review(by, proc), _("只有本辖区的法制审核人员可以审核处理决定。"))
    if not (opinion or "").strip():
        raise ValidationError(_("请填写法制审核意见。"))
    with transaction.atomic():
        proc = _locked(proc)
        _expect(proc, State.REVIEW)
        proc.state = State.APPROVED if approve else State.DRAFTED
        proc.legal_opinion = opinion.strip()
        proc.reviewed_at, proc.reviewed_by = timezone.now(), by
        proc.save(update_fields=["state", "legal_opinion", "reviewed_at", "reviewed_by"])
        _record("credit.decision_reviewed", proc, by=by, request=request,
                changes={"state": ["review", proc.state], "approved": approve}, note=proc.legal_opinion)
        step = f"reviewed:{proc.reviewed_at.timestamp():.0f}"
        if approve:
            _tell(signers(proc.jurisdiction_id), proc, step, _("处理决定待签发：{subject_line}").format(subject_line=_subject_line(proc)),
                  _("法制审核通过：{value}\n请审阅并签发。").format(value=proc.legal_opinion[:300]), by=by)
        else:
            _tell(_officers(proc), proc, step, _("处理决定被退回修改：{subject_line}").format(subject_line=_subject_line(proc)),
                  _("法制审核意见：{value}").format(value=proc.legal_opinion[:500]), by=by)
    return proc


def _add_months(d: datetime.date, months: int) -> datetime.date:
    import calendar

    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def sign(proc, *, by, request=None) -> BreachProcedure:
    """The authorised person signs: only now revoke (if decided), record 失信, change the class, share."""
    from zhunru.audit.recording import record
    from zhunru.credit.outbox import enqueue_dishonesty

    _require(may_sign(by, proc), _("只有本辖区的发改委协调员（授权签发人）可以签发处理决定。"))
    with transaction.atomic():
        proc = _locked(proc)
        _expect(proc, State.APPROVED)
        c = proc.commitment
        cs = CreditSettings.for_jurisdiction(proc.jurisdiction)
        today = _today()
        proc.state = State.SIGNED
        proc.signed_at, proc.signed_by = timezone.now(), by
        proc.decision_number = cs.number("decision", today.year)
        if proc.revoke_permit:
            c.permit_status = CreditCommitment.PermitStatus.REVOKED
            c.revoke_reason = _("依据{decision_number}：{value}").format(decision_number=proc.decision_number, value=proc.facts[:300])
            c.save(update_fields=["permit_status", "revoke_reason"])
            record("credit.permit_revoked", obj=c, actor=by, request=request, department=c.department,
                   changes={"permit_status": ["valid", "revoked"], "decision": proc.decision_number},
                   note=c.revoke_reason)
        rec = DishonestyRecord.objects.create(
            subject=c.subject, commitment=c, jurisdiction=proc.jurisdiction, document_number=proc.decision_number,
            category=_("违反信用承诺"), content=proc.facts[:2000], decided_on=today,
            authority_name=cs.authority_name(c.department), authority_uscc=cs.authority_uscc,
            publicity_until=_add_months(today, proc.publicity_months or cs.publicity_months))
        proc.dishonesty_record = rec
        proc.save(update_fields=["state", "signed_at", "signed_by", "decision_number", "dishonesty_record"])
        _record("credit.decision_signed", proc, by=by, request=request,
                changes={"state": ["approved", "signed"], "decision_number": proc.decision_number})
        record("credit.dishonesty_recorded", obj=rec, actor=by, request=request, department=c.department,
               changes={"commitment": c.pk, "document_number": rec.document_number})
        c.subject.change_class(CreditClass.DISHONEST, reason=_("处理决定{decision_number}：违反信用承诺").format(decision_number=proc.decision_number),
                               source=proc.decision_number, by=by, request=request)
        enqueue_dishonesty(rec, by=by)
        _disclose(proc, rec, cs, by=by, request=request)
        _tell(_officers(proc), proc, "signed", _("处理决定已签发：{subject_line}").format(subject_line=_subject_line(proc)),
              _("处理决定（{decision_number}）已签发：{value}"
              "失信记录已报送信用平台，公示至{format_date}。请向当事人送达决定书。").format(decision_number=proc.decision_number, value=_('许可已撤销，') if proc.revoke_permit else '', format_date=format_date(rec.publicity_until)), by=by)
    return proc


def _disclose(proc, rec, cs, *, by=None, request=None):
    """The signed decision enters the 双公示 register; a mandatory field missing (e.g. the office's code not yet
    in 信用文书设置) keeps it unqueued and tells the coordinators which field to complete."""
    from zhunru.credit import disclosure
    from zhunru.credit.models import PublicDecision
    from zhunru.leads.handoffs import coordinators

    c = proc.commitment
    s = c.subject
    category = (PublicDecision.SubjectCategory.INDIVIDUAL if s.uscc.startswith("92")
                else PublicDecision.SubjectCategory.LEGAL)
    d = PublicDecision(
        kind=PublicDecision.Kind.PENALTY, jurisdiction=proc.jurisdiction, department=c.department, subject=s,
        subject_name=s.name, subject_category=category, uscc=s.uscc, legal_representative=s.legal_representative,
        document_name=_("信用承诺违约处理决定书"), document_number=proc.decision_number, violation_type=_("违反信用承诺"),
        facts=proc.facts, basis=proc.basis, penalty_category=_("其他"),
        penalty_content=(_("撤销许可；") if proc.revoke_permit else "") + _("记录失信信息"),
        suspended_licence=(f"{c.permit_name} {c.permit_number}".strip() if proc.revoke_permit else ""),
        decided_on=rec.decided_on, publicity_until=rec.publicity_until, authority_name=rec.authority_name,
        authority_uscc=cs.authority_uscc, source_unit=proc.jurisdiction.office, source_unit_uscc=cs.authority_uscc,
    )
    try:
        with transaction.atomic():
            disclosure.register(d, by=by, request=request)
    except ValidationError as exc:
        d.pk = None
        d.share_by = disclosure.share_by(d)
        d.save()
        _tell(coordinators(proc.jurisdiction_id), proc, "disclosure-incomplete",
              _("双公示信息未能报送：{decision_number}").format(decision_number=proc.decision_number),
              _("{value}请在“双公示决定”中补全后报送（决定日期后 7 个工作日内，即{format_date}前）。").format(value=exc.messages[0], format_date=format_date(d.share_by)), by=None)  # the signer too


# --- documents ---------------------------------------------------------------------------------------------


def notice_pdf(proc) -> bytes:
    from zhunru.printing import PrintedForm, form_pdf

    c = proc.commitment
    cs = CreditSettings.for_jurisdiction(proc.jurisdiction)
    authority = cs.authority_name(c.department)
    return form_pdf(PrintedForm(
        office=authority, title=_("责令整改通知书"), number=proc.notice_number,
        fields=[(_("当事人"), c.subject.name), (_("统一社会信用代码"), c.subject.uscc),
                (_("承诺事项"), f"{c.permit_name}（{c.get_kind_display()}）"), (_("承诺内容"), c.promise),
                (_("履约期限"), format_date(c.due_date)), (_("整改期限"), format_date(proc.rectify_by))],
        sections=[("", _("你（单位）在办理“{permit_name}”时作出上述承诺，至{format_date}未履行。"
                       "请于{format_date2}前完成整改并向本机关提交整改材料。逾期未整改的，"
                       "本机关将依法依规作出处理，包括撤销许可、记录失信信息并向信用信息平台共享；"
                       "作出处理前你（单位）享有陈述、申辩的权利。").format(permit_name=c.permit_name, format_date=format_date(c.due_date), format_date2=format_date(proc.rectify_by)))],
        signatures=[_("签发人")], note=_("印章：{seal}").format(seal=cs.seal(c.department)),
    ))


def decision_pdf(proc) -> bytes:
    from zhunru.printing import PrintedForm, form_pdf

    c = proc.commitment
    cs = CreditSettings.for_jurisdiction(proc.jurisdiction)
    authority = cs.authority_name(c.department)
    draft = proc.state != State.SIGNED
    fields = [(_("当事人"), c.subject.name), (_("统一社会信用代码"), c.subject.uscc),
              (_("责令整改通知"), _("{notice_number}（整改期限{format_date}）").format(notice_number=proc.notice_number, format_date=format_date(proc.rectify_by))),
              (_("处理内容"), (_("撤销“") + c.permit_name + _("”许可；") if proc.revoke_permit else "")
               + _("记录失信信息并公示{value}个月").format(value=proc.publicity_months or cs.publicity_months))]
    if proc.signed_by_id:
        fields.append((_("签发"), f"{proc.signed_by.get_full_name() or proc.signed_by.get_username()}"
                               f"（{format_date(timezone.localtime(proc.signed_at).date())}）"))
    return form_pdf(PrintedForm(
        office=authority, title=_("信用承诺违约处理决定书") + (_("（草稿）") if draft else ""),
        number=proc.decision_number or _("文号待签发时生成"),
        fields=fields,
        sections=[(_("违约事实"), proc.facts), (_("陈述申辩"), proc.statement or _("当事人在期限内未提出陈述申辩。")),
                  (_("处理依据"), proc.basis), (_("法制审核意见"), proc.legal_opinion or "—")],
        signatures=[_("签发人")], note=_("印章：{seal}").format(seal=cs.seal(c.department)),
    ))
