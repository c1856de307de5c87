import pytest
from django.core.management import call_command

from zhunru.cases.models import BulletinIndexPage, BulletinPage, Case, LedgerEntry


@pytest.mark.django_db
def test_demo_cases_and_bulletin_are_idempotent(client, full_demo):
    counts = (Case.objects.count(), BulletinPage.objects.count(), LedgerEntry.objects.count())
    call_command("load_demo")
    assert (Case.objects.count(), BulletinPage.objects.count(), LedgerEntry.objects.count()) == counts

    assert Case.objects.registered().filter(jurisdiction__name="侯马市").count() == 3
    assert Case.objects.registered().filter(jurisdiction__name="景德镇市昌江区").count() == 3
    assert Case.objects.archived().count() == 1
    numbers = sorted(Case.objects.filter(jurisdiction__name="侯马市").values_list("register_number", flat=True))
    assert all(n.startswith("侯发改案〔") and n.endswith("号") for n in numbers) and len(set(numbers)) == 3
    assert BulletinIndexPage.objects.count() == 2
    [bulletin] = BulletinPage.objects.live()
    # Each seed jurisdiction's bulletins go through its own workflow (its own reviewers' groups).
    assert bulletin.get_workflow().name == f"典型案例通报发布流程（{bulletin.get_parent().get_parent().title}）"
    assert Case.objects.published().count() == 2

    html = client.get("/bulletins/2026-1/", HTTP_HOST="changjiang.localhost").content.decode()
    assert "昌发改〔2026〕3号" in html and "本地纳税" in html
    assert "匿名反映" not in html and "不公开名称" not in html
    index = client.get("/bulletins/", HTTP_HOST="changjiang.localhost").content.decode()
    assert "2026年第一批" in index
    pdf = client.get("/bulletins/2026-1/pdf/", HTTP_HOST="changjiang.localhost")
    assert pdf.content.startswith(b"%PDF")
