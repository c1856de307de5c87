"""The credit batch export is recorded only when it happens: a refused format leaves no entry."""

import pytest

from zhunru import roles
from zhunru.audit.models import AuditEvent


@pytest.mark.django_db
def test_unsupported_format_is_refused_before_it_is_recorded(client, make_user):
    coordinator = make_user("xietiao", groups=[roles.COORDINATOR])
    client.force_login(coordinator)

    refused = client.get("/admin/credit/export.pdf")
    assert refused.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="credit.export").exists()

    assert client.get("/admin/credit/export.csv").status_code == 400  # one kind per CSV file: say which
    assert not AuditEvent.objects.filter(action="credit.export").exists()

    exported = client.get("/admin/credit/export.csv?kind=penalty", REMOTE_ADDR="192.0.2.60")
    assert exported.status_code == 200
    event = AuditEvent.objects.get(action="credit.export")
    assert (event.actor_id, event.ip) == (coordinator.pk, "192.0.2.60")
