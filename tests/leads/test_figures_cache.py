"""The coordinator dashboard's figures and the home 待办 panel are cached per visible scope: two offices never
see each other's figures, a transfer shows on the next load, and with the cache (Redis) down both still answer."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deploy.settings.base import redis_cache
from tests.conftest import create_department, create_user
from zhunru import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures_cache(settings):
    settings.ZHUNRU_LEADS_FIGURES_CACHE_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"figures-{uuid.uuid4().hex}"}}


@pytest.fixture
def offices():
    """侯马市 with two leads and 昌江区 with one; a coordinator and a market regulator in each."""
    from zhunru.leads.models import Lead
    from zhunru.models import Department, Jurisdiction

    made = {}
    for key, name, short, code, leads in (("houma", "侯马市", "侯", "141081", 2), ("changjiang", "昌江区", "昌", "360202", 1)):
        place = Jurisdiction.objects.create(name=name, short_name=short, level=Jurisdiction.Level.COUNTY_CITY,
                                            division_code=code, higher_office="上级发展和改革委员会")
        office = Department.objects.create(jurisdiction=place, name=f"{name}发展和改革委员会", is_lead=True,
                                           kind=Department.Kind.DEVELOPMENT_REFORM)
        market = create_department(place, f"{name}市场监督管理局", kind=Department.Kind.MARKET_REGULATION)
        made[key] = {
            "market": market,
            "coordinator": create_user(f"{key}-coord", groups=[roles.COORDINATOR], departments=[office]),
            "officer": create_user(f"{key}-market", groups=[roles.DEPARTMENT_OFFICER], departments=[market]),
            "leads": [Lead.objects.create_lead(jurisdiction=place, received_at=timezone.now(), title=f"{name}线索{i}",
                                               source=Lead.Source.COMPLAINT) for i in range(leads)],
        }
    return made


def _total(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("zhunru_lead_dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_office_sees_its_own_figures(client, figures_cache, offices):
    houma, changjiang = offices["houma"], offices["changjiang"]
    for _ in range(2):  # the second time from the cache
        assert "共 2 条线索" in _total(client, houma["coordinator"])
        assert "共 1 条线索" in _total(client, changjiang["coordinator"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()  # still logged in as 昌江区's coordinator
    assert "昌江区线索0" in home and "侯马市线索" not in home


def test_the_figures_are_cached(client, figures_cache, offices):
    user = offices["houma"]["coordinator"]
    client.force_login(user)
    url = reverse("zhunru_lead_dashboard")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second.captured_queries) < len(first.captured_queries)


def test_a_transfer_changes_the_figures_on_the_next_load(client, figures_cache, offices):
    houma = offices["houma"]
    assert "共 0 条线索" in _total(client, houma["coordinator"], state="transferred")
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "我的线索（2 项）" in home
    client.force_login(houma["officer"])  # sees no complaints: an empty scope is a scope too
    assert "我的线索" not in client.get(reverse("wagtailadmin_home")).content.decode()

    houma["leads"][0].transfer(to=houma["market"], by=houma["coordinator"])

    assert "我的线索（1 项）" in client.get(reverse("wagtailadmin_home")).content.decode()
    assert "共 1 条线索" in _total(client, houma["coordinator"], state="transferred")
    assert "我的线索（1 项）" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_with_the_cache_down_the_figures_still_answer(client, settings, offices):
    settings.ZHUNRU_LEADS_FIGURES_CACHE_SECONDS = 60
    # Nothing listens on port 1: every cache read is a miss and every write is dropped (fail open).
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0", key_prefix=f"down-{uuid.uuid4().hex}")}
    houma = offices["houma"]
    assert "共 2 条线索" in _total(client, houma["coordinator"])
    houma["leads"][0].transfer(to=houma["market"], by=houma["coordinator"])
    assert "共 1 条线索" in _total(client, houma["coordinator"], state="transferred")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
