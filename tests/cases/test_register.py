import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from zhunru.audit.models import AuditEvent
from zhunru.cases.models import Case, CaseTransitionError, RegisterSettings, Status


@pytest.mark.django_db
def test_life_cycle_numbers_and_audit(make_case, coordinator, jurisdiction):
    case = make_case()
    year = timezone.localdate().year
    assert case.register(by=coordinator) == f"测发改案〔{year}〕1号"
    second = make_case("第二个案例")
    assert second.register(by=coordinator) == f"测发改案〔{year}〕2号"

    with pytest.raises(CaseTransitionError):
        case.archive(by=coordinator)  # must be under review first
    case.start_review(by=coordinator)
    number = case.archive(by=coordinator)
    assert number == f"测发改档-{year}-D10-0001"
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.archive_number == number
    with pytest.raises(CaseTransitionError):
        case.register(by=coordinator)

    actions = list(AuditEvent.objects.for_object(case).filter(action__startswith="case.").values_list("action", flat=True))
    assert actions == ["case.register", "case.start_review", "case.archive"]


@pytest.mark.django_db
def test_number_format_is_configurable_per_jurisdiction(make_case, jurisdiction):
    RegisterSettings.objects.create(jurisdiction=jurisdiction, number_format="CJ-{year}-{serial:04d}")
    case = make_case()
    assert case.register() == f"CJ-{timezone.localdate().year}-0001"
    with pytest.raises(ValidationError):
        RegisterSettings(jurisdiction=jurisdiction, number_format="案{serial}").full_clean()
    with pytest.raises(ValidationError):
        RegisterSettings(jurisdiction=jurisdiction, number_format="{year}{serial}{nope}").full_clean()


@pytest.mark.django_db
def test_numbers_restart_each_year(make_case):
    first = make_case()
    first.register(on=datetime.date(2025, 12, 31))
    second = make_case("跨年案例")
    second.register(on=datetime.date(2026, 1, 1))
    assert (first.register_year, first.register_serial) == (2025, 1)
    assert (second.register_year, second.register_serial) == (2026, 1)


@pytest.mark.django_db
def test_subcategory_must_belong_to_category(make_case):
    case = make_case(subcategory="administrative_monopoly")
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "不属于" in str(error.value)


@pytest.mark.django_db
def test_due_for_review_by_importance(make_case, jurisdiction):
    today = datetime.date(2026, 6, 30)
    major = make_case("重大", importance="major")
    general = make_case("一般", importance="general")
    for case in (major, general):
        case.register()
    Case.objects.filter(pk__in=[major.pk, general.pk]).update(last_reviewed_on=today - datetime.timedelta(days=100))
    assert list(Case.objects.due_for_review(today)) == [major]
    major.refresh_from_db()
    major.mark_reviewed(on=today)
    assert not Case.objects.due_for_review(today).exists()
    RegisterSettings.objects.create(jurisdiction=jurisdiction, review_days_general=30)
    assert list(Case.objects.due_for_review(today)) == [general]
    assert not Case.objects.filter(status=Status.REPORTED).due_for_review(today).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_is_gap_free(make_case, jurisdiction):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the row-lock path is exercised on PostgreSQL (CI)")
    threads_n = 24
    cases = [make_case(f"并发案例{i}") for i in range(threads_n)]
    barrier = threading.Barrier(threads_n)
    errors = []

    def register(pk):
        try:
            barrier.wait(timeout=30)
            Case.objects.get(pk=pk).register()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=register, args=(c.pk,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(Case.objects.values_list("register_serial", flat=True))
    assert serials == list(range(1, threads_n + 1))
    numbers = set(Case.objects.values_list("register_number", flat=True))
    assert len(numbers) == threads_n
