"""双公示: licensing and penalty decisions validated in the national field layout (EXCHANGE.md), queued for
every credit platform of the jurisdiction within 7 working days of the decision, shown on the public 公示
page and withdrawn when their publicity period ends.

    validate(decision)        -> raises a Chinese ValidationError naming the first missing mandatory fields
    register(decision, by=)   -> validates, saves, queues (one OutboundRecord per platform), audited
    withdraw(decision, reason=, by=) / withdraw_expired(today) -> off the public page, platforms told ("repair")
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhunru.credit import layouts
from zhunru.credit.models import MarketSubject, OutboundRecord, PublicDecision

SHARE_WITHIN_WORKING_DAYS = 7

# The national field lists and what is mandatory live in zhunru.credit.layouts (shared with the outbox and
# the batch export); the names stay importable from here.
SUBJECT_FIELDS = layouts.SUBJECT_FIELDS
LICENSING_FIELDS = layouts.LICENSING_FIELDS
PENALTY_FIELDS = layouts.PENALTY_FIELDS


def layout(kind: str) -> list[tuple[str, str]]:
    return LICENSING_FIELDS if kind == PublicDecision.Kind.LICENSING else PENALTY_FIELDS


def _value(decision, key):
    if key == "subject_category":
        return decision.get_subject_category_display()
    return layouts.text(getattr(decision, key))


def validate(decision) -> None:
    """A missing mandatory field is refused with its national name (the check every record passes before
    it is queued: zhunru.credit.layouts.validate_payload)."""
    if decision.kind not in PublicDecision.Kind.values:
        raise ValidationError(gettext("未知的决定类型“{kind}”。").format(kind=decision.kind))
    layouts.validate_payload(decision.kind, payload(decision))
    if decision.kind == PublicDecision.Kind.LICENSING and decision.valid_until < decision.valid_from:
        raise ValidationError(gettext("有效期至不能早于有效期自。"))
    if decision.kind == PublicDecision.Kind.PENALTY and decision.publicity_until < decision.decided_on:
        raise ValidationError(gettext("公示截止期不能早于处罚决定日期。"))


def payload(decision) -> dict:
    return {key: _value(decision, key) for key, _ in layout(decision.kind)}


def share_by(decision) -> datetime.date:
    from zhunru.leads.calendar import compute_due

    return compute_due(decision.decided_on, SHARE_WITHIN_WORKING_DAYS, "working", decision.jurisdiction).due_date


def register(decision, *, by=None, request=None) -> list[OutboundRecord]:
    """Validate, save and queue a decision for every platform of its jurisdiction (one transaction)."""
    from zhunru.audit.recording import record
    from zhunru.credit.outbox import _enqueue

    decision.full_clean(exclude=["subject"])
    validate(decision)
    with transaction.atomic():
        if decision.subject_id is None and decision.uscc:
            decision.subject = MarketSubject.objects.filter(uscc=decision.uscc).first()
        decision.share_by = share_by(decision)
        decision.queued_at = timezone.now()
        decision.save()
        record("credit.decision_disclosed", obj=decision, actor=by, request=request,
               department=decision.department,
               changes={"kind": decision.kind, "document_number": decision.document_number,
                        "share_by": str(decision.share_by)})
        return _enqueue(decision.kind, jurisdiction=decision.jurisdiction, payload=payload(decision),
                        subject=decision.subject, obj=decision, by=by)


def _tell_platforms(*, jurisdiction, subject, obj, document_number, decided_on, subject_name, uscc, kind, reason,
                    by=None, person_id_number: str = "") -> list[OutboundRecord]:
    """A "repair" record: the platforms take the named record off (repaired, or its publicity period ended).
    A natural person's record is named by the ID document (it travels to the platforms, never to a page)."""
    from zhunru.credit.outbox import _enqueue

    body = layouts.normalise(layouts.REPAIR, subject_name=subject_name, uscc=uscc, person_id_number=person_id_number,
                             document_number=document_number, decided_on=decided_on, withdraws_kind=kind,
                             reason=reason, withdrawn_on=timezone.localdate())
    return _enqueue(OutboundRecord.Kind.REPAIR, jurisdiction=jurisdiction, payload=body, subject=subject, obj=obj,
                    by=by)


def withdraw(decision, *, reason: str, by=None, request=None) -> None:
    from zhunru.audit.recording import record

    with transaction.atomic():
        d = PublicDecision.objects.select_for_update().get(pk=decision.pk)
        if d.withdrawn_at is not None:
            return
        d.withdrawn_at, d.withdraw_reason = timezone.now(), reason[:200]
        d.save(update_fields=["withdrawn_at", "withdraw_reason"])
        record("credit.decision_withdrawn", obj=d, actor=by, request=request, department=d.department, note=reason)
        if d.queued_at is not None:
            _tell_platforms(jurisdiction=d.jurisdiction, subject=d.subject, obj=d, document_number=d.document_number,
                            decided_on=d.decided_on, subject_name=d.subject_name, uscc=d.uscc, kind=d.kind,
                            reason=reason, by=by, person_id_number=d.person_id_number if not d.uscc else "")


def withdraw_expired(today: datetime.date | None = None) -> int:
    """Penalty decisions whose 公示截止期 passed leave the public page and the platforms (the worker's part);
    so do 失信 records whose publicity period passed."""
    from zhunru.credit import repair

    today = today or timezone.localdate()
    count = 0
    for d in PublicDecision.objects.filter(withdrawn_at__isnull=True, kind=PublicDecision.Kind.PENALTY,
                                           publicity_until__lt=today):
        withdraw(d, reason=gettext("公示期满"))
        count += 1
    count += repair.expire_records(today)
    return count


def mask_id(number: str) -> str:
    """A natural person's ID number as shown in public: first 4 and last 4 characters."""
    n = (number or "").strip()
    if len(n) <= 8:
        return "*" * len(n)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


# --- import (CSV / XLSX, bounded by the catalogue importer's limits) ----------------------------------------


def _headers(kind: str) -> dict[str, str]:
    """Column header -> key: the national name, also without its parenthesis (行政相对人代码_1 / 统一社会信用代码)."""
    out = {}
    for key, label in layout(kind):
        out[label] = key
        head, _, inner = label.partition("（")
        out.setdefault(head, key)
        if inner and key in ("uscc", "person_id_number", "person_id_type"):
            out.setdefault(inner.rstrip("）"), key)
    return out


def import_file(path, *, kind: str, jurisdiction, by=None, request=None) -> int:
    """Import decisions of one kind; every row is validated first, any error imports nothing. Returns how
    many decisions this run registered.

    Raises ValidationError with one Chinese message per bad row ("第3行：双公示信息缺少必填项：处罚依据。").
    The valid file is then written in short batches (zhunru.imports), each decision registered, audited and
    queued as by hand. A decision already registered is refused, unless an import that stopped half-way (a
    crash, or a row someone registered meanwhile) wrote it with the same content: re-running that file (or
    it corrected) then registers the rest, each decision once.
    """
    from decimal import Decimal, InvalidOperation
    from pathlib import Path

    from zhunru.catalog.importers import ImportError_, _read_rows
    from zhunru.imports import capped, file_sha256, write_in_batches
    from zhunru.models import ImportRun

    if kind not in PublicDecision.Kind.values:
        raise ValidationError(gettext("请选择决定类型（行政许可或行政处罚）。"))
    try:
        records = _read_rows(Path(path))
    except ImportError_ as exc:
        raise ValidationError(exc.errors) from exc
    if not records:
        raise ValidationError(gettext("文件中没有数据行。"))
    headers = _headers(kind)
    categories = {label: value for value, label in PublicDecision.SubjectCategory.choices}
    date_keys = {"decided_on", "valid_from", "valid_until", "penalty_valid_until", "publicity_until"}
    errors, rows = [], []
    for line, raw in enumerate(records, 2):
        fields = {}
        for header, value in raw.items():
            key = headers.get(str(header or "").strip())
            if key is None:
                continue
            text = "" if value is None else str(value).strip()
            if key in date_keys:
                if isinstance(value, datetime.datetime):
                    fields[key] = value.date()
                    continue
                try:
                    fields[key] = datetime.date.fromisoformat(text[:10]) if text else None
                except ValueError:
                    errors.append(gettext("第{line}行：{value}“{text}”不是有效日期（应为 年-月-日）。").format(line=line, value=dict(layout(kind))[key], text=text))
                continue
            if key in ("fine_amount", "confiscated_amount"):
                try:
                    fields[key] = Decimal(text) if text else None
                except InvalidOperation:
                    errors.append(gettext("第{line}行：{value}“{text}”不是数字。").format(line=line, value=dict(layout(kind))[key], text=text))
                continue
            if key == "subject_category":
                text = categories.get(text, text)
            fields[key] = text
        if "decided_on" not in fields or fields.get("decided_on") is None:
            fields["decided_on"] = None
        d = PublicDecision(kind=kind, jurisdiction=jurisdiction, **fields)
        try:
            if d.decided_on is None:
                raise ValidationError(gettext("双公示信息缺少必填项：{value}。").format(value=dict(layout(kind))['decided_on']))
            validate(d)
            d.full_clean(exclude=["subject", "jurisdiction"], validate_unique=False)
        except ValidationError as exc:
            errors.append(gettext("第{line}行：{value}").format(line=line, value=exc.messages[0]))
            continue
        rows.append((line, d))

    # Registered already: by an import run that stopped half-way, with the same content (skipped now: this is
    # its re-run), or otherwise (refused, as a decision is registered once).
    registered = {
        d.document_number: d
        for d in PublicDecision.objects.filter(jurisdiction=jurisdiction, kind=kind,
                                               document_number__in=[d.document_number for _, d in rows])
        .select_related("import_run")
    }
    decisions, seen, resumed_runs = [], set(), set()
    for line, d in rows:
        done = registered.get(d.document_number)
        if d.document_number in seen or (done is not None and not _left_by_stopped_run(done, d)):
            errors.append(gettext("第{line}行：决定文书号“{document_number}”已登记。").format(line=line, document_number=d.document_number))
        elif done is not None:
            resumed_runs.add(done.import_run_id)
        else:
            decisions.append((line, d))
        seen.add(d.document_number)
    if errors:
        raise ValidationError(capped(errors))

    run = ImportRun.objects.create(kind=f"credit.{kind}", target=str(jurisdiction.pk), file_sha256=file_sha256(path),
                                   file_name=Path(path).name[:255], planned=len(decisions),
                                   started_by=by if getattr(by, "pk", None) else None)

    def write(item) -> None:
        line, d = item
        d.import_run = run
        try:
            with transaction.atomic():
                register(d, by=by, request=request)
        except IntegrityError:  # registered by someone else after the check above
            raise ValidationError(
                gettext("第{line}行：决定文书号“{document_number}”已登记（导入期间由他人登记）。此前的行已导入；"
                "请删去该行后重新导入同一文件，已导入的行不会重复登记。").format(line=line, document_number=d.document_number)) from None

    write_in_batches(decisions, write, sender=PublicDecision)
    with transaction.atomic():
        run.finish()
        # The stopped runs this one completed are done with.
        ImportRun.objects.filter(pk__in=resumed_runs, state=ImportRun.State.RUNNING).update(
            state=ImportRun.State.SUPERSEDED, finished_at=timezone.now())
    return len(decisions)


def _left_by_stopped_run(registered, row) -> bool:
    """Whether a registered decision is this row as written by an import that has not finished (stopped by a
    crash or an error half-way): the same national payload, so its re-run may skip it."""
    from zhunru.models import ImportRun

    run = registered.import_run
    return run is not None and run.state == ImportRun.State.RUNNING and payload(registered) == payload(row)
