"""辖区设置 (issue 19 item 3): a coordinator edits only their own jurisdiction's settings; foreign ones answer 404;
the case register settings and credit platforms of another jurisdiction cannot be reached; national platforms
are changed by superusers only."""

import pytest
from django.urls import reverse

from tests.conftest import create_department, create_user
from zhunru import roles
from zhunru.cases.models import RegisterSettings
from zhunru.credit.models import CreditPlatform
from zhunru.models import Department, Jurisdiction


@pytest.fixture
def two(jurisdiction):
    other = Jurisdiction.objects.create(name="外市", short_name="外", level=Jurisdiction.Level.COUNTY_CITY,
                                        division_code="140981", escalates_to="外市人民政府")
    other_lead = create_department(other, "外市发展和改革局", kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True)
    mine = create_user("coord_a", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    theirs = create_user("coord_b", groups=[roles.COORDINATOR], departments=[other_lead])
    auditor = create_user("auditor_a", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department])
    RegisterSettings.objects.create(jurisdiction=other, number_format="外案〔{year}〕{serial}号")
    foreign_platform = CreditPlatform.objects.create(name="外省信用平台", code="waisheng", jurisdiction=other,
                                                     endpoint_url="http://127.0.0.1:9/waisheng/", hmac_key_ref="K1")
    national = CreditPlatform.objects.create(name="全国平台", code="national", endpoint_url="http://127.0.0.1:9/n/",
                                             hmac_key_ref="K0")
    return {"other": other, "mine": mine, "theirs": theirs, "auditor": auditor,
            "foreign_platform": foreign_platform, "national": national}


def _form(**overrides):
    data = {
        "j-office_name": "测试区发展和改革委员会", "j-escalates_to": "测试区人民政府", "j-parent": "",
        "j-higher_office": "测试市发展和改革委员会", "j-lead_rule_name": "0136",
        "j-lead_number_format": "测线〔{year}〕第{serial}号", "j-office_closes_at": "17:30",
        "r-number_format": "测案〔{year}〕{serial}号", "r-archive_number_format": "测档-{year}-{retention}-{serial}",
        "r-review_days_major": "90", "r-review_days_important": "180", "r-review_days_general": "365",
        "r-keeper_email": "", "p-name": "测试省信用平台", "p-code": "ceshi", "p-endpoint_url": "http://127.0.0.1:9/ceshi/",
        "p-hmac_key_ref": "CESHI_KEY", "p-enabled": "on", "p-feed_enabled": "on",
    }
    data.update(overrides)
    return data


def test_coordinator_edits_own_settings(client, jurisdiction, two):
    client.force_login(two["mine"])
    index = client.get(reverse("zhunru_jurisdiction_settings_index"))
    url = reverse("zhunru_jurisdiction_settings", args=[jurisdiction.pk])
    assert index.status_code == 302 and index["Location"] == url
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    jurisdiction.refresh_from_db()
    assert jurisdiction.office == "测试区发展和改革委员会" and jurisdiction.lead_rule_name == "0136"
    assert jurisdiction.office_closes_at.strftime("%H:%M") == "17:30"
    assert RegisterSettings.for_jurisdiction(jurisdiction).number_format == "测案〔{year}〕{serial}号"
    platform = CreditPlatform.objects.get(jurisdiction=jurisdiction)
    assert (platform.code, platform.endpoint_url) == ("ceshi", "http://127.0.0.1:9/ceshi/")
    # New leads take the new format.
    from zhunru.leads.models import Lead

    lead = Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.COMPLAINT, title="某线索")
    assert lead.number.startswith("测线〔") and lead.number.endswith("〕第1号")


def test_bad_number_format_is_refused_in_chinese(client, jurisdiction, two):
    client.force_login(two["mine"])
    url = reverse("zhunru_jurisdiction_settings", args=[jurisdiction.pk])
    response = client.post(url, _form(**{"j-lead_number_format": "测线{serial}{unknown}"}))
    assert response.status_code == 200
    assert "编号格式含未知字段" in response.content.decode()
    jurisdiction.refresh_from_db()
    assert jurisdiction.lead_number_format == "{short}发改线索〔{year}〕{serial}号"
    assert not CreditPlatform.objects.filter(jurisdiction=jurisdiction).exists()


def test_foreign_settings_answer_404_and_stay_unchanged(client, jurisdiction, two):
    other = two["other"]
    client.force_login(two["mine"])
    url = reverse("zhunru_jurisdiction_settings", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form(**{"j-office_name": "被改写"})).status_code == 404
    other.refresh_from_db()
    assert other.office_name == ""
    # The auditor reads but never changes settings.
    client.force_login(two["auditor"])
    assert client.get(reverse("zhunru_jurisdiction_settings", args=[jurisdiction.pk])).status_code == 404


def test_register_settings_and_platform_admin_are_scoped(client, jurisdiction, two):
    client.force_login(two["mine"])
    foreign_settings = RegisterSettings.objects.get(jurisdiction=two["other"])
    listing = client.get(reverse("wagtailsnippets_zhunru_cases_registersettings:list")).content.decode()
    assert "外案" not in listing
    edit = reverse("wagtailsnippets_zhunru_cases_registersettings:edit", args=[foreign_settings.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"jurisdiction": two["other"].pk, "number_format": "改〔{year}〕{serial}"}).status_code == 404
    foreign_settings.refresh_from_db()
    assert foreign_settings.number_format == "外案〔{year}〕{serial}号"

    platform_edit = reverse("wagtailsnippets_zhunru_credit_creditplatform:edit", args=[two["foreign_platform"].pk])
    assert client.get(platform_edit).status_code == 404
    assert client.post(platform_edit, {"endpoint_url": "http://evil.invalid/"}).status_code == 404
    two["foreign_platform"].refresh_from_db()
    assert two["foreign_platform"].endpoint_url == "http://127.0.0.1:9/waisheng/"
    national_edit = reverse("wagtailsnippets_zhunru_credit_creditplatform:edit", args=[two["national"].pk])
    refused = client.get(national_edit)  # Wagtail turns the refusal into a redirect with the message
    assert refused.status_code in (302, 403)
    assert client.post(national_edit, {"name": "改", "code": "national", "endpoint_url": "http://evil.invalid/",
                                       "hmac_key_ref": "K0"}).status_code in (302, 403)
    two["national"].refresh_from_db()
    assert two["national"].endpoint_url == "http://127.0.0.1:9/n/"

    # A new platform must belong to one of the coordinator's own jurisdictions.
    add = reverse("wagtailsnippets_zhunru_credit_creditplatform:add")
    fields = {"name": "偷建", "code": "sneaky", "endpoint_url": "http://127.0.0.1:9/s/", "hmac_key_ref": "K",
              "enabled": "on", "feed_enabled": "on", "feed_cursor": ""}
    client.post(add, {**fields, "jurisdiction": two["other"].pk})
    client.post(add, {**fields, "jurisdiction": ""})
    assert not CreditPlatform.objects.filter(code="sneaky").exists()
    client.post(add, {**fields, "code": "own", "jurisdiction": jurisdiction.pk})
    assert CreditPlatform.objects.get(code="own").jurisdiction == jurisdiction

    superuser = create_user("root_settings", superuser=True)
    client.force_login(superuser)
    assert client.get(national_edit).status_code == 200
    assert client.get(reverse("zhunru_jurisdiction_settings", args=[two["other"].pk])).status_code == 200


def test_complaint_channels_only_for_own_jurisdiction(client, jurisdiction, two):
    from zhunru.portal.models import Hotline

    client.force_login(two["mine"])
    add = reverse("wagtailsnippets_zhunru_portal_hotline:add")
    fields = {"name": "12345 热线", "number": "12345", "url": "", "service_hours": "", "department": "",
              "sort_order": "100", "is_active": "on"}
    client.post(add, {**fields, "jurisdiction": two["other"].pk})
    assert not Hotline.objects.filter(jurisdiction=two["other"]).exists()
    client.post(add, {**fields, "jurisdiction": jurisdiction.pk})
    assert Hotline.objects.filter(jurisdiction=jurisdiction, number="12345").exists()
