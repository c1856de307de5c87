"""Credit reference data per jurisdiction: a coordinator of one office sees its market subjects, dishonesty
records, commitment rules and deadline rules, never another office's (listing, chooser, credit page: 404)."""

import datetime

import pytest

from tests.conftest import create_department, create_user, shared_rows
from tests.credit.conftest import make_uscc

pytestmark = pytest.mark.django_db


@shared_rows("credit_tenants")
def credit_tenants():
    """Two jurisdictions (甲区, 乙区), each with a coordinator, an officer, a subject, a dishonesty record and
    its rules; and a subject of 乙区 with a commitment in 甲区 (甲区 sees it through its own record)."""
    from zhunru import roles
    from zhunru.credit.models import CommitmentRule, CreditCommitment, DishonestyRecord, MarketSubject
    from zhunru.leads.models import DeadlineRule
    from zhunru.models import Department, Jurisdiction

    world = {}
    for tag, code in (("甲", "360281"), ("乙", "360282")):
        j = Jurisdiction.objects.create(name=f"{tag}区", short_name=tag, level=Jurisdiction.Level.DISTRICT,
                                        division_code=code)
        lead = Department.objects.create(jurisdiction=j, name=f"{tag}区发展和改革委员会", is_lead=True,
                                         kind=Department.Kind.DEVELOPMENT_REFORM)
        market = create_department(j, f"{tag}区市场监督管理局")
        subject = MarketSubject.objects.create(name=f"{tag}区机密企业", uscc=make_uscc(f"91{code}MA0000001"),
                                               jurisdiction=j)
        DishonestyRecord.objects.create(subject=subject, jurisdiction=j, document_number=f"{tag}失〔2026〕1号",
                                        content=f"{tag}区机密失信内容", decided_on=datetime.date(2026, 1, 5),
                                        authority_name=lead.name)
        CommitmentRule.objects.create(jurisdiction=j, credit_class="dishonest", allowed=False)
        DeadlineRule.objects.create(jurisdiction=j, escalate_after=3)
        world[tag] = {
            "jurisdiction": j, "subject": subject, "market": market,
            "coordinator": create_user(f"coord-{code}", groups=[roles.COORDINATOR], departments=[lead]),
            "officer": create_user(f"officer-{code}", groups=[roles.DEPARTMENT_OFFICER], departments=[market]),
        }
    CreditCommitment.objects.create(
        subject=world["乙"]["subject"], jurisdiction=world["甲"]["jurisdiction"], department=world["甲"]["market"],
        permit_name="食品经营许可", promise="按期补交材料", due_date=datetime.date(2030, 1, 1))
    return world


def test_each_office_sees_its_own_credit_reference_data(credit_tenants):
    from zhunru.credit.models import CommitmentRule, DishonestyRecord, MarketSubject
    from zhunru.leads.models import DeadlineRule

    a, b = credit_tenants["甲"], credit_tenants["乙"]
    coordinator = a["coordinator"]
    # 乙区's subject is 甲区's business through the commitment 甲区 granted it; 乙区 never sees 甲区's subject.
    assert set(MarketSubject.objects.visible_to(coordinator)) == {a["subject"], b["subject"]}
    assert set(MarketSubject.objects.visible_to(b["coordinator"])) == {b["subject"]}
    assert [r.jurisdiction for r in DishonestyRecord.objects.visible_to(coordinator)] == [a["jurisdiction"]]
    assert [r.jurisdiction for r in CommitmentRule.objects.visible_to(coordinator)] == [a["jurisdiction"]]
    assert [r.jurisdiction for r in DeadlineRule.objects.visible_to(coordinator)] == [a["jurisdiction"]]
    # An officer: its departments' commitments' records only (none here), no rules.
    assert not DishonestyRecord.objects.visible_to(a["officer"]).exists()
    assert not CommitmentRule.objects.visible_to(a["officer"]).exists()
    assert not DeadlineRule.objects.visible_to(a["officer"]).exists()


def test_the_admin_shows_no_other_office_and_answers_404(credit_tenants, client):
    from zhunru.audit.models import AuditEvent

    a, b = credit_tenants["甲"], credit_tenants["乙"]
    client.force_login(b["coordinator"])
    pages = ["/admin/credit/subjects/", "/admin/credit/dishonesty/", "/admin/credit/rules/", "/admin/leads/rules/",
             "/admin/snippets/choose/zhunru_credit/marketsubject/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "甲区机密" not in response.content.decode() and "甲区" not in response.content.decode(), url
    assert "乙区机密企业" in client.get("/admin/credit/subjects/").content.decode()
    foreign = a["subject"].pk
    assert client.get(f"/admin/credit/subjects/{foreign}/credit/").status_code == 404
    assert client.get(f"/admin/credit/subjects/edit/{foreign}/").status_code == 404
    assert AuditEvent.objects.filter(action="security.foreign_access").exists()


def test_a_coordinator_changes_only_their_own_platform(client, credit_tenants):
    """甲区's coordinator edits 甲区's platform; a national platform (no jurisdiction) they may read but not
    change or delete (refused before any form: Wagtail's admin answers PermissionDenied with a redirect to the
    dashboard); 乙区's platform answers 404 and the attempt is in the audit trail."""
    from django.contrib.messages import get_messages

    from zhunru.audit.models import AuditEvent
    from zhunru.credit.models import CreditPlatform

    a, b = credit_tenants["甲"], credit_tenants["乙"]
    own, national, foreign = (
        CreditPlatform.objects.create(name=name, code=code, jurisdiction=j, endpoint_url="http://127.0.0.1:9/")
        for name, code, j in (("甲区平台", "plat-a", a["jurisdiction"]), ("全国平台", "plat-n", None),
                              ("乙区机密平台", "plat-b", b["jurisdiction"])))
    client.force_login(a["coordinator"])
    assert client.get(f"/admin/credit/platforms/edit/{own.pk}/").status_code == 200
    for view in ("edit", "delete"):
        response = client.get(f"/admin/credit/platforms/{view}/{national.pk}/")
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert "没有权限" in " ".join(str(m) for m in get_messages(response.wsgi_request))
        response = client.post(f"/admin/credit/platforms/{view}/{foreign.pk}/")
        assert response.status_code == 404 and "乙区机密平台" not in response.content.decode()
    assert CreditPlatform.objects.filter(pk__in=[national.pk, foreign.pk]).count() == 2
    assert AuditEvent.objects.filter(action="security.foreign_access", object_id=str(foreign.pk),
                                     actor=a["coordinator"]).count() == 2
