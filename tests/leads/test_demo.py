"""The demo leads load in both seed jurisdictions, in different states, and loading twice adds nothing."""

import pytest

from zhunru import demo as core_demo
from zhunru.leads import demo
from zhunru.leads.models import Lead


@pytest.mark.django_db
def test_demo_is_idempotent():
    core_demo.load()
    demo.load()
    count = Lead.objects.count()
    demo.load()
    assert Lead.objects.count() == count == 10
    assert set(Lead.objects.values_list("jurisdiction__division_code", flat=True)) == {"360202", "141081"}
    assert set(Lead.objects.values_list("state", flat=True)) >= {"received", "transferred", "rectifying", "closed"}
    assert Lead.objects.filter(extensions__status="pending").count() == 2
