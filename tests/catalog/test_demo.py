import io

from cms.catalog import demo
from cms.catalog.models import ListItem, ServiceItem


def test_demo_idempotent(jurisdiction, make_department):
    make_department("市场监管局")
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert ListItem.objects.count() == 6
    assert ServiceItem.objects.public().count() == 1
    assert ListItem.objects.public().count() == 3
