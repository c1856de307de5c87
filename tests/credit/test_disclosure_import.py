"""双公示 import in short batches (zhunru.imports): a crash half-way then a re-run registers every decision
once; a finished file run again is still refused; another write is not held up by a long import."""

import csv

import pytest
from django.core.exceptions import ValidationError

from tests.cms.import_batches import Crash, stop_after, write_meanwhile
from tests.credit.conftest import decision_fields
from zhunru.audit.models import AuditEvent
from zhunru.credit import disclosure
from zhunru.credit.models import OutboundRecord, PublicDecision
from zhunru.models import ImportRun


def write_file(path, subject, numbers, **over):
    """A penalty file in the national layout, one decision per document number."""
    labels = dict(disclosure.PENALTY_FIELDS)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(labels.values()))
        writer.writeheader()
        for n in numbers:
            fields = decision_fields(subject, "penalty", document_number=f"昌市监罚〔2026〕{n}号", **over)
            writer.writerow({label: fields.get(key, "") for key, label in labels.items()})
    return path


def test_a_crash_half_way_then_a_rerun_registers_every_decision_once(jurisdiction, platforms, make_subject,
                                                                     tmp_path, settings):
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0  # every decision its own batch
    path = write_file(tmp_path / "penalties.csv", make_subject(), range(1, 6))

    # Given an import that dies after three of its five decisions were committed
    with stop_after(PublicDecision, 3), pytest.raises(Crash):
        disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction)
    assert PublicDecision.objects.count() == 3
    assert ImportRun.objects.get().state == ImportRun.State.RUNNING

    # When the same file is imported again, the rest is registered (and nothing twice)
    assert disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction) == 2
    numbers = list(PublicDecision.objects.order_by("document_number").values_list("document_number", flat=True))
    assert numbers == [f"昌市监罚〔2026〕{n}号" for n in range(1, 6)]
    # Each queued once per platform and audited once, as if registered in one go.
    assert OutboundRecord.objects.filter(kind="penalty").count() == 5 * len(platforms)
    assert AuditEvent.objects.filter(action="credit.decision_disclosed").count() == 5
    assert list(ImportRun.objects.order_by("pk").values_list("state", flat=True)) == [
        ImportRun.State.SUPERSEDED, ImportRun.State.FINISHED]

    # And a third run of the finished file is refused, as a duplicate always was
    with pytest.raises(ValidationError, match="已登记"):
        disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction)
    assert PublicDecision.objects.count() == 5


def test_a_rerun_still_refuses_a_decision_registered_otherwise(jurisdiction, make_subject, tmp_path, settings):
    """Only what a stopped import wrote, with the same content, is skipped: a decision registered by hand,
    or changed since, is refused and the file writes nothing."""
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0
    subject = make_subject()
    path = write_file(tmp_path / "penalties.csv", subject, range(1, 4))
    with stop_after(PublicDecision, 1), pytest.raises(Crash):
        disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction)
    disclosure.register(PublicDecision(kind="penalty", jurisdiction=jurisdiction, **decision_fields(
        subject, "penalty", document_number="昌市监罚〔2026〕2号", subject_category="legal")))

    changed = write_file(tmp_path / "changed.csv", subject, range(1, 4), penalty_content="罚款人民币六万元")
    with pytest.raises(ValidationError) as refused:
        disclosure.import_file(changed, kind="penalty", jurisdiction=jurisdiction)
    assert refused.value.messages == ["第2行：决定文书号“昌市监罚〔2026〕1号”已登记。",
                                      "第3行：决定文书号“昌市监罚〔2026〕2号”已登记。"]
    with pytest.raises(ValidationError, match="第3行"):
        disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction)
    assert PublicDecision.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_decision_registered_by_hand_commits_while_a_long_import_is_running(jurisdiction, make_subject,
                                                                            tmp_path, settings):
    """An officer registering a decision (audited, in the same table) from another connection is not held up
    until the import ends: it commits between two batches."""
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0
    subject = make_subject()
    path = write_file(tmp_path / "penalties.csv", subject, range(1, 13))

    def by_hand():
        disclosure.register(PublicDecision(kind="penalty", jurisdiction=jurisdiction, **decision_fields(
            subject, "penalty", document_number="昌市监罚〔2026〕99号", subject_category="legal")))
        return PublicDecision.objects.filter(import_run__isnull=False).count()

    with write_meanwhile(PublicDecision, 3, by_hand) as meanwhile:
        assert disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction) == 12

    assert meanwhile.alive is False and meanwhile.error is None, meanwhile.error
    assert meanwhile.events == ["other write committed", "import finished"]
    assert meanwhile.seen == 3  # a quarter of the file was in when the officer's decision committed
    assert PublicDecision.objects.count() == 13


def test_a_lone_surrogate_is_refused_before_anything_is_written(jurisdiction, make_subject, tmp_path):
    """A JSON "\\ud800" escape (the reader takes JSON too) cannot be stored: refused by row and column."""
    import json

    labels = dict(disclosure.PENALTY_FIELDS)
    fields = decision_fields(make_subject(), "penalty", document_number="昌市监罚〔2026〕1号")
    record = {label: str(fields.get(key, "")) for key, label in labels.items()}
    record[labels["penalty_content"]] = "罚款\ud800"
    path = tmp_path / "penalties.json"
    path.write_text(json.dumps([record], ensure_ascii=True), encoding="ascii")
    with pytest.raises(ValidationError) as refused:
        disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction)
    assert f"第2行「{labels['penalty_content']}」列" in refused.value.messages[0]
    assert "孤立的 UTF-16 代理项 \\ud800" in refused.value.messages[0]
    assert not PublicDecision.objects.exists() and not ImportRun.objects.exists()


def test_a_number_with_too_many_digits_is_refused(jurisdiction, tmp_path):
    path = tmp_path / "penalties.json"
    path.write_text('[{"罚款金额（万元）": ' + "9" * 5000 + "}]", encoding="utf-8")
    with pytest.raises(ValidationError, match="数字位数过多"):
        disclosure.import_file(path, kind="penalty", jurisdiction=jurisdiction)
    assert not ImportRun.objects.exists()


def test_the_import_page_refuses_a_crafted_workbook_with_400(client, jurisdiction, make_user, tmp_path):
    """The 双公示 upload shares the list reader: a sheet declaring 16,384 columns is read narrow and quickly,
    and every refusal is a 400 with the Chinese reason."""
    from tests.catalog.test_import_bounds import _inline_row, xlsx_from_xml
    from zhunru import roles

    client.force_login(make_user("imp-coord", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department]))
    labels = list(dict(disclosure.PENALTY_FIELDS).values())
    rows = _inline_row(1, labels) + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 5002))
    path = xlsx_from_xml(tmp_path / "decisions.xlsx", rows, dimension="A1:XFD5001")
    with open(path, "rb") as fh:
        response = client.post("/admin/credit/decision-import/",
                               {"jurisdiction": jurisdiction.pk, "kind": "penalty", "file": fh})
    assert response.status_code == 400 and "文件中没有数据行。" in response.content.decode()
    assert not PublicDecision.objects.exists() and not ImportRun.objects.exists()
