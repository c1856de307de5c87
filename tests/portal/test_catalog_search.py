"""The search page over list items and service items: Chinese type labels, links into the jurisdiction's portal."""


import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("zhunru_portal:search")


@pytest.fixture
def indexed_catalog(portal, catalog_demo):
    from zhunru.search.indexing import rebuild

    rebuild()  # the index lives outside the database's transactions: built for each test


def test_type_filter_shows_the_new_types_in_chinese(client, indexed_catalog):
    html = client.get(URL, {"q": "许可", "j": "360202"}).content.decode()
    assert '<span class="badge">清单事项</span>' in html and '<span class="badge">政务服务事项</span>' in html
    assert 'data-facet="type">清单事项</a>' in html and 'data-facet="type">政务服务事项</a>' in html
    assert "list_item" not in html.replace("type=list_item", "")  # no raw type keys shown


def test_type_labels_come_from_the_sources_even_off_the_page(client, indexed_catalog, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "SEARCH_PER_PAGE": 1}
    html = client.get(URL, {"q": "许可"}).content.decode()
    assert html.count('<span class="badge">') == 1  # one hit on the page, of one type
    assert 'data-facet="type">清单事项</a>' in html and 'data-facet="type">政务服务事项</a>' in html
    html = client.get(URL, {"q": "许可", "type": "service_item"}).content.decode()
    assert 'data-facet="type">✓ 政务服务事项</a>' in html


def test_list_item_hits_stay_in_the_jurisdictions_portal(client, indexed_catalog):
    from zhunru.catalog.models import ListItem

    item = ListItem.objects.public().get(code="200003")
    inside = client.get(URL, {"q": "200003", "j": "360202"}).content.decode()
    assert f'href="{reverse("zhunru_portal:list_item", args=["360202", item.pk])}"' in inside
    outside = client.get(URL, {"q": "200003"}).content.decode()
    assert f'href="{item.get_absolute_url()}"' in outside
    assert client.get(item.get_absolute_url()).status_code == 200


def test_service_item_hits_link_to_their_page(client, indexed_catalog):
    from zhunru.catalog.models import ServiceItem

    html = client.get(URL, {"q": "药品经营许可证核发", "type": "service_item"}).content.decode()
    for service in ServiceItem.objects.public().filter(name="药品经营许可证核发"):
        assert f'href="{service.get_absolute_url()}"' in html
        assert client.get(service.get_absolute_url()).status_code == 200
