"""The coordinators' timeline: filters, the XLSX export (itself audited), and no way to edit or delete."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.recording import record
from zhunru.audit.verification import verify_chain

URL = "/admin/audit_events/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def timeline(jurisdiction, make_user, monkeypatch):
    """Entries by two officers of the jurisdiction about two of its objects, one of them 30 days old."""
    dept = jurisdiction.departments.get()
    alice = make_user("alice", groups=[roles.DEPARTMENT_OFFICER], departments=[dept])
    bob = make_user("bob", groups=[roles.DEPARTMENT_OFFICER], departments=[dept])
    real_now = timezone.now
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", lambda: real_now() - timedelta(days=30))
    record("test.alice_old", actor=alice, obj=jurisdiction)
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", real_now)
    record("test.alice_new", actor=alice, obj=dept)
    record("test.bob_new", actor=bob, obj=jurisdiction)
    return {"alice": alice, "bob": bob, "jurisdiction": jurisdiction, "dept": dept}


@pytest.fixture
def auditor(client, make_user, jurisdiction):
    """The jurisdiction's auditor (the timeline shows the events of the auditor's own jurisdiction)."""
    user = make_user("shenji", groups=[roles.AUDITOR], departments=[jurisdiction.lead_department])
    client.force_login(user)
    return user


def _actions(client, **params) -> set[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    page = response.content.decode()
    return {a for a in ("test.alice_old", "test.alice_new", "test.bob_new") if a in page}


@pytest.mark.django_db
def test_filters_by_user_object_and_date(client, auditor, timeline):
    assert _actions(client) == {"test.alice_old", "test.alice_new", "test.bob_new"}
    assert _actions(client, actor=timeline["alice"].pk) == {"test.alice_old", "test.alice_new"}
    assert _actions(client, object_type="zhunru_cms.jurisdiction") == {"test.alice_old", "test.bob_new"}
    assert _actions(client, object_type="zhunru_cms.department", object_id=timeline["dept"].pk) == {
        "test.alice_new"
    }
    today = timezone.localdate()
    week_ago = (today - timedelta(days=7)).isoformat()
    assert _actions(client, timestamp_from=week_ago) == {"test.alice_new", "test.bob_new"}
    assert _actions(client, timestamp_to=week_ago) == {"test.alice_old"}
    assert _actions(client, actor=timeline["alice"].pk, timestamp_from=week_ago) == {"test.alice_new"}


@pytest.mark.django_db
def test_xlsx_export_follows_the_filters_and_is_audited(client, auditor, timeline):
    response = client.get(URL, {"export": "xlsx", "actor": timeline["bob"].pk}, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"] and "audit-log" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    cells = {str(v) for row in rows for v in row if v is not None}
    assert "test.bob_new" in cells and not {"test.alice_old", "test.alice_new"} & cells
    event = AuditEvent.objects.get(action="audit.export")
    assert (event.actor_id, event.ip) == (auditor.pk, "192.0.2.44")
    assert "xlsx" in event.note and f"actor={timeline['bob'].pk}" in event.note


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "superuser"])
def test_admin_refuses_posts_that_would_add_edit_or_delete(client, make_user, timeline, role):
    user = make_user("boss", superuser=True) if role == "superuser" else make_user(
        "shenji", groups=[roles.AUDITOR], departments=[timeline["jurisdiction"].lead_department])
    client.force_login(user)
    event = AuditEvent.objects.get(action="test.bob_new")
    count = AuditEvent.objects.count()

    edit = client.post(f"{URL}edit/{event.pk}/", {"note": "改过的说明"})
    delete = client.post(f"{URL}delete/{event.pk}/")
    add = client.post(f"{URL}new/", {"note": "伪造的条目"})

    assert {edit.status_code, delete.status_code, add.status_code} <= {302, 403, 404}
    event.refresh_from_db()
    assert event.note == "" and AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(note__in=["改过的说明", "伪造的条目"]).exists()
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_timeline_shows_only_the_users_jurisdiction(client, auditor, timeline, make_user):
    """Another jurisdiction's events (and events of no jurisdiction) are in no listing, export, facet or
    inspect view of this jurisdiction's auditor; a superuser sees them all."""
    from zhunru.models import Department, Jurisdiction

    other = Jurisdiction.objects.create(name="别的区", short_name="别", level=Jurisdiction.Level.DISTRICT,
                                        division_code="360298", higher_office="别的市发展和改革委员会")
    other_dept = Department.objects.create(jurisdiction=other, name="别的区发展和改革委员会", is_lead=True)
    stranger = make_user("stranger", groups=[roles.DEPARTMENT_OFFICER], departments=[other_dept])
    foreign = record("test.foreign_secret", actor=stranger, obj=other)
    system = record("test.system_secret")
    assert system.jurisdiction_id is None

    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        response = client.get(URL, params)
        assert response.status_code == 200
        body = _body(response)
        text = body.decode("utf-8-sig") if params.get("export") != "xlsx" else str(
            [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()])
        assert "test.bob_new" in text, params
        assert "test.foreign_secret" not in text and "test.system_secret" not in text, params
        assert "别的区" not in text and "stranger" not in text, params
    for event in (foreign, system):
        assert client.get(f"{URL}inspect/{event.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="security.foreign_access", object_id=str(foreign.pk)).exists()

    client.force_login(make_user("boss", superuser=True))
    page = client.get(URL).content.decode()
    assert "test.foreign_secret" in page and "test.system_secret" in page and "test.bob_new" in page
    assert client.get(f"{URL}inspect/{system.pk}/").status_code == 200
