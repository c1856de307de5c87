import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from zhunru.cases.models import Case, IntegrityReport, RegisterSettings
from zhunru.workers.tasks import cases as case_tasks


def assert_in_admin_notification(user, text):
    """The lead tracker's notify() leaves an in-admin notification when it is installed."""
    from zhunru.cases.integrations import _leads_attr

    if _leads_attr("notifications", "notify") is not None:
        from zhunru.leads.models import Notification

        assert Notification.objects.filter(recipient=user, subject__contains=text).exists()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
def test_review_job_notifies_keepers(make_case, coordinator, jurisdiction, django_capture_on_commit_callbacks):
    coordinator.email = "keeper@example.invalid"
    coordinator.save()
    RegisterSettings.objects.create(jurisdiction=jurisdiction, keeper_email="archive@example.invalid")
    due = make_case("待审核案例", importance="major")
    due.register()
    fresh = make_case("刚审核过的案例", importance="major")
    fresh.register()
    long_ago = datetime.date.today() - datetime.timedelta(days=400)
    Case.objects.filter(pk=due.pk).update(last_reviewed_on=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        case_tasks.notify_due_case_reviews()  # the actor, called as a plain function
        case_tasks.notify_due_case_reviews()  # the same day again: nobody is told twice

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["archive@example.invalid", "keeper@example.invalid"]
    for message in mail.outbox:
        assert "待审核案例" in message.body and "刚审核过的案例" not in message.body
    assert_in_admin_notification(coordinator, "待审核")


@pytest.mark.django_db
def test_integrity_check_finds_altered_and_missing_files(make_case, coordinator,
                                                         django_capture_on_commit_callbacks):
    coordinator.email = "keeper@example.invalid"
    coordinator.save()
    case = make_case()
    intact = case.add_attachment(SimpleUploadedFile("完好.pdf", PDF))
    altered = case.add_attachment(SimpleUploadedFile("被改.pdf", PDF))
    missing = case.add_attachment(SimpleUploadedFile("丢失.pdf", PDF))
    with open(altered.file.path, "ab") as fh:
        fh.write(b"tampered")
    missing.file.storage.delete(missing.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        case_tasks.check_attachment_integrity()

    report = IntegrityReport.objects.get()
    assert report.checked == 3 and not report.ok
    assert [r["name"] for r in report.altered] == ["被改.pdf"]
    assert [r["name"] for r in report.missing] == ["丢失.pdf"]
    assert report.altered[0]["expected"] == altered.sha256 != report.altered[0]["actual"]
    assert intact.original_name not in str(report.missing + report.altered)
    assert_in_admin_notification(coordinator, "安全检查")
    [message] = mail.outbox
    assert "被改.pdf" in message.body and "丢失.pdf" in message.body


@pytest.mark.django_db
def test_clean_integrity_check_sends_nothing(make_case):
    make_case().add_attachment(SimpleUploadedFile("完好.pdf", PDF))
    case_tasks.check_attachment_integrity()
    assert IntegrityReport.objects.get().ok
    assert mail.outbox == []


@pytest.mark.django_db
def test_jobs_are_scheduled():
    from zhunru.workers.scheduler import JOBS

    names = {"notify_due_case_reviews", "check_attachment_integrity", "remind_overdue_ledger_entries"}
    assert names <= set(JOBS)


@pytest.mark.django_db(transaction=True)
def test_integrity_job_goes_through_the_queue(broker, worker):
    """Crosses real Redis when REDIS_URL is set, else the stub broker."""
    import time

    case_tasks.check_attachment_integrity.send()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not IntegrityReport.objects.filter(finished_at__isnull=False).exists():
        time.sleep(0.1)
    assert IntegrityReport.objects.filter(finished_at__isnull=False).count() == 1
    assert case_tasks.check_attachment_integrity.options["max_retries"] == 2
