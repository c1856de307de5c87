"""A list edition is imported in short batches (zhunru.imports): a crash half-way leaves a draft that cannot
go public and a re-run completes, a later import takes a draft over, and another write is not held up."""


import pytest
from django.core.exceptions import ValidationError

from tests.cms.import_batches import Crash, stop_after, write_meanwhile
from zhunru.catalog.importers import ImportStopped, import_edition
from zhunru.catalog.models import ListEdition, ListItem, ListMeasure
from zhunru.imports import batch_committed
from zhunru.models import Department, ImportRun

from .conftest import OLD, write_csv


def rows(n: int) -> list[list[str]]:
    return [[str(i), f"许可事项{i}", f"21{i:04d}", f"未获得许可，不得从事经营{i}\n措施{i}", "某部门", ""]
            for i in range(1, n + 1)]


def test_a_crash_half_way_leaves_a_draft_that_cannot_go_public_and_a_rerun_completes_it(db, tmp_path, settings):
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0  # every item its own batch
    path = write_csv(tmp_path / "list.csv", OLD)

    # Given an import that dies after two of its four items were committed
    with stop_after(ListItem, 2), pytest.raises(Crash):
        import_edition(path, "2025年版")

    # Then the draft holds those two, is not public, and cannot be activated
    edition = ListEdition.objects.get(name="2025年版")
    assert sorted(edition.items.values_list("code", flat=True)) == ["100001", "200001"]
    assert not ListItem.objects.public().exists()
    with pytest.raises(ValidationError, match="导入尚未完成"):
        edition.activate()
    edition.refresh_from_db()
    assert not edition.is_active and edition.activated_at is None
    assert ImportRun.objects.get(kind="catalog.edition").state == ImportRun.State.RUNNING

    # When the same file is imported again
    result = import_edition(path, "2025年版")

    # Then every item and measure is there exactly once, and the edition can go public
    assert (result.created, result.updated, result.unchanged, result.removed) == (2, 0, 2, 0)
    assert sorted(edition.items.values_list("code", flat=True)) == ["100001", "200001", "200002", "200003"]
    assert ListMeasure.objects.filter(item__edition=edition).count() == 5
    assert list(ImportRun.objects.filter(kind="catalog.edition").values_list("state", flat=True).order_by("pk")) == [
        ImportRun.State.SUPERSEDED, ImportRun.State.FINISHED]
    edition.activate()
    assert ListItem.objects.public().count() == 4


def test_the_activation_view_refuses_an_unfinished_draft(client, make_user, tmp_path, settings):
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0
    with stop_after(ListItem, 1), pytest.raises(Crash):
        import_edition(write_csv(tmp_path / "list.csv", OLD), "2025年版")
    edition = ListEdition.objects.get(name="2025年版")
    client.force_login(make_user("root", superuser=True))

    response = client.post(f"/admin/catalog/editions/{edition.pk}/activate/", follow=True)

    assert response.status_code == 200
    assert "导入尚未完成" in response.content.decode()
    edition.refresh_from_db()
    assert not edition.is_active and not ListItem.objects.public().exists()


def test_a_later_import_takes_the_draft_over_and_the_earlier_one_stops(db, tmp_path, settings):
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0
    first, second = write_csv(tmp_path / "first.csv", rows(6)), write_csv(tmp_path / "second.csv", OLD)
    started = []

    def start_second(sender, **kwargs):
        if not started:  # while the first import is between its first and second batch
            started.append("second")
            started.append(import_edition(second, "2025年版"))

    batch_committed.connect(start_second, sender=ListItem)
    try:
        with pytest.raises(ImportStopped, match="另一次导入已接管"):
            import_edition(first, "2025年版")
    finally:
        batch_committed.disconnect(start_second, sender=ListItem)

    # The second file's import removed the first one's only committed item; the first wrote nothing more.
    edition = ListEdition.objects.get(name="2025年版")
    assert started[1].removed == 1
    assert sorted(edition.items.values_list("code", flat=True)) == ["100001", "200001", "200002", "200003"]
    edition.activate()  # the finished (second) import leaves nothing unfinished


@pytest.mark.django_db(transaction=True)
def test_another_write_commits_while_a_long_import_is_running(tmp_path, settings, jurisdiction):
    """Between two batches nothing of the import is locked: saving the draft edition itself (which the import
    kept locked for its whole length when it was one transaction) and adding a department from another
    connection both commit before the import ends."""
    settings.ZHUNRU_IMPORT_BATCH_SECONDS = 0

    def other_write():
        edition = ListEdition.objects.get(name="2030年版")
        edition.effective_date = "2026-01-01"
        edition.save(update_fields=["effective_date"])
        Department.objects.create(jurisdiction=jurisdiction, name="导入期间新增的部门")
        return ListItem.objects.filter(edition=edition).count()

    with write_meanwhile(ListItem, 3, other_write) as meanwhile:
        import_edition(write_csv(tmp_path / "long.csv", rows(12)), "2030年版")

    assert meanwhile.alive is False and meanwhile.error is None, meanwhile.error
    assert meanwhile.events == ["other write committed", "import finished"]
    assert meanwhile.seen == 3  # the import was a quarter done when the other write committed
    assert str(ListEdition.objects.get(name="2030年版").effective_date) == "2026-01-01"
    assert Department.objects.filter(name="导入期间新增的部门").exists()
    assert ListItem.objects.filter(edition__name="2030年版").count() == 12
