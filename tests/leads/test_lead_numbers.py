"""Register numbers of leads: per jurisdiction, per year, gap-free, in the jurisdiction's format (issue 19)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.leads.conftest import local
from zhunru.cases.models import RegisterCounter
from zhunru.leads.models import Lead
from zhunru.models import Department, Jurisdiction


@pytest.fixture
def other(db):
    j = Jurisdiction.objects.create(name="另一县", short_name="另", level=Jurisdiction.Level.COUNTY,
                                    division_code="360298", lead_number_format="{division_code}-XS-{year}-{serial:04d}")
    Department.objects.create(jurisdiction=j, name="另一县发展和改革局", kind=Department.Kind.DEVELOPMENT_REFORM,
                              is_lead=True)
    return j


def test_numbers_follow_each_jurisdictions_format_year_and_sequence(jurisdiction, other, make_lead):
    first = make_lead(received_at=local(2026, 3, 1, 9))
    second = make_lead(received_at=local(2026, 3, 2, 9))
    next_year = make_lead(received_at=local(2027, 1, 4, 9))
    foreign = Lead.objects.create_lead(jurisdiction=other, source=Lead.Source.COMPLAINT, title="外县线索",
                                       received_at=local(2026, 3, 3, 9))
    assert first.number == "测发改线索〔2026〕1号"
    assert second.number == "测发改线索〔2026〕2号"
    assert next_year.number == "测发改线索〔2027〕1号"
    assert foreign.number == "360298-XS-2026-0001"
    assert str(first) == f"测发改线索〔2026〕1号 {first.title}"
    assert RegisterCounter.objects.get(jurisdiction=jurisdiction, year=2026, kind="lead").last_serial == 2


def test_year_is_the_beijing_year_received(jurisdiction, make_lead):
    import datetime

    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Beijing.
    lead = make_lead(received_at=datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC))
    assert lead.number == "测发改线索〔2027〕1号"


def test_a_failed_registration_leaves_no_gap(jurisdiction, make_lead):
    make_lead(received_at=local(2026, 5, 1, 9))
    with pytest.raises(ValidationError):
        make_lead(received_at=local(2026, 5, 1, 10), subject_uscc="不是信用代码")
    assert make_lead(received_at=local(2026, 5, 1, 11)).number == "测发改线索〔2026〕2号"


def test_data_migration_numbers_existing_leads_in_creation_order(jurisdiction, other, make_lead):
    leads = [make_lead(received_at=local(2026, 6, day, 9)) for day in (3, 1, 2)]
    outside = Lead.objects.create_lead(jurisdiction=other, source=Lead.Source.COMPLAINT, title="外县",
                                       received_at=local(2026, 6, 1, 9))
    migration = importlib.import_module("zhunru.leads.migrations.0008_lead_number")
    migration.unnumber_leads(django_apps, None)
    assert set(Lead.objects.values_list("number", flat=True)) == {""}
    assert not RegisterCounter.objects.filter(kind="lead").exists()
    migration.number_existing_leads(django_apps, None)
    assert [Lead.objects.get(pk=lead.pk).number for lead in leads] == [
        "测发改线索〔2026〕1号", "测发改线索〔2026〕2号", "测发改线索〔2026〕3号"]
    assert Lead.objects.get(pk=outside.pk).number == "360298-XS-2026-0001"
    # New leads continue after the migrated ones.
    assert make_lead(received_at=local(2026, 6, 9, 9)).number == "测发改线索〔2026〕4号"


def test_admin_lists_the_number_and_finds_a_lead_by_number_or_old_id(client, jurisdiction, make_lead, people):
    lead = make_lead(received_at=local(2026, 7, 1, 9), title="某局要求外地企业设立分公司")
    make_lead(received_at=local(2026, 7, 2, 9), title="另一条线索")
    client.force_login(people["coordinator"])
    url = reverse("wagtailsnippets_zhunru_leads_lead:list")
    listing = client.get(url).content.decode()
    assert lead.number in listing
    by_number = client.get(url, {"q": "〔2026〕1号"}).content.decode()
    assert "某局要求外地企业设立分公司" in by_number and "另一条线索" not in by_number
    by_id = client.get(url, {"q": str(lead.pk)}).content.decode()
    assert "某局要求外地企业设立分公司" in by_id
