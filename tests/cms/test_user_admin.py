"""本辖区用户 (issue 19 item 4): a coordinator manages the accounts and roles of their own jurisdiction, never
another jurisdiction's users, never superuser or staff rights, never a group that is not a role."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.conftest import create_department, create_user, shared_rows
from zhunru import roles

PASSWORD = "Zhunru-test-2026!"


@shared_rows("user_admin_world")
def user_admin_world():
    """测试区 (coordinator, an officer) and 他区 (an officer); a user of both; a superuser; a non-role group."""
    from tests.conftest import create_jurisdiction
    from zhunru.models import Department, Jurisdiction

    own = create_jurisdiction()
    roles.provision_jurisdiction(own)  # its "测试区·<角色>" groups, as add_jurisdiction makes them
    market = create_department(own, "测试区市场监督管理局", kind=Department.Kind.MARKET_REGULATION)
    other = Jurisdiction.objects.create(name="他区", short_name="他", level=Jurisdiction.Level.DISTRICT,
                                        division_code="360298")
    foreign_dept = create_department(other, "他区发展和改革委员会", is_lead=True)
    return {
        "own": own, "other": other, "market": market, "foreign_dept": foreign_dept,
        "coordinator": create_user("ua-coordinator", groups=[roles.COORDINATOR], departments=[own.lead_department]),
        "auditor": create_user("ua-auditor", groups=[roles.AUDITOR], departments=[own.lead_department]),
        "officer": create_user("ua-officer", groups=[roles.DEPARTMENT_OFFICER], departments=[market]),
        "foreign": create_user("ua-foreign", groups=[roles.DEPARTMENT_OFFICER], departments=[foreign_dept]),
        "both": create_user("ua-both", groups=[roles.DEPARTMENT_OFFICER], departments=[market, foreign_dept]),
        "boss": create_user("ua-boss", superuser=True),
        "other_group": Group.objects.get_or_create(name="站点管理员")[0],
    }


def _account(**overrides):
    data = {"username": "ua-new", "last_name": "张", "first_name": "三", "email": "zhang@example.invalid",
            "is_active": "on", "password1": PASSWORD, "password2": PASSWORD}
    return {**data, **overrides}


def test_the_list_holds_only_users_of_the_coordinators_jurisdiction(client, user_admin_world):
    w = user_admin_world
    client.force_login(w["coordinator"])
    page = client.get(reverse("zhunru_jurisdiction_users")).content.decode()
    assert "ua-officer" in page and "ua-auditor" in page
    for name in ("ua-foreign", "ua-both", "ua-boss"):
        assert name not in page


def test_a_coordinator_creates_an_account_with_roles_of_their_jurisdiction(client, user_admin_world):
    from zhunru.audit.models import AuditEvent

    w = user_admin_world
    client.force_login(w["coordinator"])
    response = client.post(reverse("zhunru_jurisdiction_user_add"), _account(
        departments=[w["market"].pk], roles=[roles.DEPARTMENT_OFFICER], is_superuser="on", is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="ua-new")
    assert not user.is_superuser and not user.is_staff and user.check_password(PASSWORD)
    assert set(user.groups.values_list("name", flat=True)) == {
        roles.DEPARTMENT_OFFICER, roles.jurisdiction_group_name(w["own"], roles.DEPARTMENT_OFFICER)}
    assert list(user.department_memberships.values_list("department", flat=True)) == [w["market"].pk]
    assert AuditEvent.objects.filter(action="user.account_created", actor=w["coordinator"],
                                     object_id=str(user.pk)).exists()

    # Editing: another role, the per-jurisdiction groups follow; the password stays when left empty.
    response = client.post(reverse("zhunru_jurisdiction_user_edit", args=[user.pk]), _account(
        departments=[w["market"].pk], roles=[roles.EDITOR], password1="", password2=""))
    assert response.status_code == 302
    assert set(user.groups.values_list("name", flat=True)) == {
        roles.EDITOR, roles.jurisdiction_group_name(w["own"], roles.EDITOR)}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("field", ["departments", "roles"])
def test_a_foreign_department_or_a_group_that_is_no_role_is_refused(client, user_admin_world, field):
    w = user_admin_world
    client.force_login(w["coordinator"])
    data = {"departments": [w["market"].pk], "roles": [roles.DEPARTMENT_OFFICER]}
    data[field] = [w["foreign_dept"].pk] if field == "departments" else [w["other_group"].name]
    response = client.post(reverse("zhunru_jurisdiction_user_add"), _account(**data))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not get_user_model().objects.filter(username="ua-new").exists()


@pytest.mark.parametrize("whom", ["foreign", "both", "boss"])
def test_another_jurisdictions_user_answers_404_audited_and_unchanged(client, user_admin_world, whom):
    from zhunru.audit.models import AuditEvent

    w = user_admin_world
    target = w[whom]
    client.force_login(w["coordinator"])
    url = reverse("zhunru_jurisdiction_user_edit", args=[target.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, _account(username=target.username, departments=[w["market"].pk],
                                         roles=[roles.COORDINATOR]))
    assert response.status_code == 404 and target.username not in response.content.decode()
    target.refresh_from_db()
    assert not target.groups.filter(name=roles.COORDINATOR).exists()
    assert AuditEvent.objects.filter(action="security.foreign_access", actor=w["coordinator"],
                                     object_id=str(target.pk)).exists()


@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_only_coordinators_manage_users(client, user_admin_world, who):
    w = user_admin_world
    client.force_login(w[who])
    for response in (client.get(reverse("zhunru_jurisdiction_users")),
                     client.post(reverse("zhunru_jurisdiction_user_add"), _account(
                         departments=[w["market"].pk], roles=[roles.COORDINATOR]))):
        # Refused: 403, or the admin's way of saying it (back to the dashboard with 对不起，你没有权限访问).
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    assert not get_user_model().objects.filter(username="ua-new").exists()
